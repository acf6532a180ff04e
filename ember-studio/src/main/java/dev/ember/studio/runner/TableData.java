package dev.ember.studio.runner;

import com.google.gson.JsonObject;
import dev.ember.Generator;
import dev.ember.Tensor;
import dev.ember.data.TensorDataset;
import dev.ember.data.datasets.FashionMnist;
import dev.ember.data.io.ColumnType;
import dev.ember.data.io.CsvReader;
import dev.ember.data.io.CsvTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The table a classical estimator trains on, and its seeded train/test split, rebuilt the same way by the run
 * and by the studio's evaluation.
 *
 * @param x          features {@code [n, features]} (float32)
 * @param y          class labels {@code [n]}
 * @param classes    the class names, by label
 * @param features   the feature names
 * @param imageSide  the side of the square image each row is (28 for Fashion-MNIST), or 0 for a plain table
 */
public record TableData(Tensor x, long[] y, List<String> classes, List<String> features, int imageSide) {
    /** Loads the dataset of validated run arguments ({@code _data}, {@code dataset}, {@code train_limit}). */
    public static TableData load(JsonObject args) {
        Path data = Path.of(args.get("_data").getAsString());
        int limit = args.has("train_limit") ? args.get("train_limit").getAsInt() : 0;
        String dataset = args.get("dataset").getAsString();
        if (dataset.equals("iris") || dataset.equals("csv")) return csv(data, limit);
        TensorDataset train = FashionMnist.loadDirectory(data).train();
        int n = limit > 0 ? Math.min(limit, train.size()) : train.size();
        Tensor x = train.inputs().narrow(0, 0, n).reshape(n, 784).contiguous();
        long[] y = Arrays.copyOf(train.targets().toLongArray(), n);
        List<String> feats = new ArrayList<>();
        for (int i = 0; i < 784; i++) feats.add("px" + (i / 28) + "_" + (i % 28));
        return new TableData(x, y, FashionMnist.CLASSES, feats, 28);
    }

    private static TableData csv(Path file, int limit) {
        CsvTable t = CsvReader.defaults().read(file);
        List<String> cols = t.columnNames();
        if (cols.size() < 2) throw new IllegalArgumentException("studio: " + file + " needs feature columns and a class column (the last)");
        String target = cols.getLast();
        List<String> feats = cols.subList(0, cols.size() - 1);
        for (String f : feats)
            if (t.type(f) == ColumnType.STRING) throw new IllegalArgumentException("studio: column '" + f + "' of " + file + " is not numeric");
        TensorDataset d = t.toDataset(target, feats.toArray(String[]::new));
        List<String> classes;
        if (t.type(target) == ColumnType.STRING) {
            classes = t.classes(target);
        } else {
            long max = Arrays.stream(d.targets().toLongArray()).max().orElse(0);
            classes = new ArrayList<>();
            for (long c = 0; c <= max; c++) classes.add(Long.toString(c));
        }
        int n = limit > 0 ? Math.min(limit, d.size()) : d.size();
        return new TableData(d.inputs().narrow(0, 0, n).contiguous(), Arrays.copyOf(d.targets().toLongArray(), n), classes, List.copyOf(feats), 0);
    }

    /** Row indices {@code {train, test}}: a seeded permutation, the first {@code testFraction} of it for testing. */
    public int[][] split(long seed, double testFraction) {
        int n = y.length;
        int[] perm = new Generator(seed).permutation(n);
        int nTest = Math.max(1, (int) Math.round(n * testFraction));
        if (nTest >= n) throw new IllegalArgumentException("studio: " + n + " rows are too few to hold out " + testFraction + " for testing");
        return new int[][] {Arrays.copyOfRange(perm, nTest, n), Arrays.copyOfRange(perm, 0, nTest)};
    }

    /** The rows {@code idx} of the features. */
    public Tensor rows(int[] idx) {
        long[] l = new long[idx.length];
        for (int i = 0; i < idx.length; i++) l[i] = idx[i];
        return x.indexSelect(0, Tensor.of(l));
    }

    /** The labels of rows {@code idx}. */
    public long[] labels(int[] idx) {
        long[] out = new long[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = y[idx[i]];
        return out;
    }
}
