package dev.ember.ml;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.Tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * One of scikit-learn's bundled datasets (copied to src/test/resources/sklearn/) with the
 * train/test split and reference values written by benchmarks/reference/make_sklearn_refs.py.
 * {@link #standardized()} mirrors the script: training mean and population std, std 0 -> 1.
 */
public record SklearnData(String name, double[][] x, double[] y, int[] train, int[] test, JsonObject ref) {
    static final String[] NAMES = {"iris", "wine", "breast_cancer", "digits"};

    static SklearnData load(String name) {
        String file = switch (name) {
            case "iris" -> "iris.csv";
            case "wine" -> "wine_data.csv";
            case "breast_cancer" -> "breast_cancer.csv";
            case "digits" -> "digits.csv.gz";
            default -> throw new IllegalArgumentException("unknown dataset " + name);
        };
        List<double[]> rows = new ArrayList<>();
        try (InputStream raw = SklearnData.class.getResourceAsStream("/sklearn/" + file)) {
            InputStream in = file.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line = r.readLine();
            if (file.endsWith(".gz")) rows.add(parse(line));   // digits has no header line
            while ((line = r.readLine()) != null) if (!line.isBlank()) rows.add(parse(line));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int n = rows.size(), p = rows.get(0).length - 1;
        double[][] x = new double[n][p];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows.get(i), 0, x[i], 0, p);
            y[i] = rows.get(i)[p];
        }
        JsonObject ref;
        try (var in = SklearnData.class.getResourceAsStream("/sklearn/" + name + ".json")) {
            ref = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SklearnData(name, x, y, ints(ref.get("train")), ints(ref.get("test")), ref);
    }

    private static double[] parse(String line) {
        String[] f = line.split(",");
        double[] v = new double[f.length];
        for (int i = 0; i < f.length; i++) v[i] = Double.parseDouble(f[i].trim());
        return v;
    }

    int features() { return x[0].length; }

    double[][] rows(int[] idx) {
        double[][] out = new double[idx.length][];
        for (int i = 0; i < idx.length; i++) out[i] = x[idx[i]].clone();
        return out;
    }

    /** {train X, test X} standardized with the training rows' mean and population std. */
    double[][][] standardized() {
        double[][] tr = rows(train), te = rows(test);
        int p = features();
        for (int j = 0; j < p; j++) {
            double mean = 0, var = 0;
            for (double[] r : tr) mean += r[j];
            mean /= tr.length;
            for (double[] r : tr) var += (r[j] - mean) * (r[j] - mean);
            double std = Math.sqrt(var / tr.length);
            if (std == 0) std = 1;
            for (double[] r : tr) r[j] = (r[j] - mean) / std;
            for (double[] r : te) r[j] = (r[j] - mean) / std;
        }
        return new double[][][]{tr, te};
    }

    Tensor trainX(boolean standardize) { return tensor(standardize ? standardized()[0] : rows(train)); }

    Tensor testX(boolean standardize) { return tensor(standardize ? standardized()[1] : rows(test)); }

    Tensor trainY() { return labels(train); }

    Tensor testY() { return labels(test); }

    private Tensor labels(int[] idx) {
        long[] v = new long[idx.length];
        for (int i = 0; i < idx.length; i++) v[i] = (long) y[idx[i]];
        return Tensor.of(v, v.length);
    }

    /** Training labels as float64 values (the regression target of the reference script). */
    Tensor trainTargets() {
        double[] v = new double[train.length];
        for (int i = 0; i < train.length; i++) v[i] = y[train[i]];
        return Tensor.of(v, v.length);
    }

    static Tensor tensor(double[][] rows) {
        int n = rows.length, p = rows[0].length;
        double[] flat = new double[n * p];
        for (int i = 0; i < n; i++) System.arraycopy(rows[i], 0, flat, i * p, p);
        return Tensor.of(flat, n, p);
    }

    JsonObject get(String key) { return ref.getAsJsonObject(key); }

    public static int[] ints(JsonElement e) {
        JsonArray a = e.getAsJsonArray();
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
        return out;
    }

    public static long[] longs(JsonElement e) {
        JsonArray a = e.getAsJsonArray();
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsLong();
        return out;
    }

    public static double[] doubles(JsonElement e) {
        JsonArray a = e.getAsJsonArray();
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsDouble();
        return out;
    }

    public static double[][] matrix(JsonElement e) {
        JsonArray a = e.getAsJsonArray();
        double[][] out = new double[a.size()][];
        for (int i = 0; i < out.length; i++) out[i] = doubles(a.get(i));
        return out;
    }

    /** Fraction of positions where two label arrays agree. */
    static double agreement(long[] a, long[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) same++;
        return (double) same / a.length;
    }
}
