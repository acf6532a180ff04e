package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.DType;
import dev.ember.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the PyTorch reference files in {@code src/test/resources/torch_nn/} (written by
 * {@code benchmarks/reference/make_nn_refs.py}) and compares Ember's results with them.
 */
public final class TorchRef {
    private TorchRef() {}

    /** The JSON array or object of a reference file. */
    public static JsonElement load(String file) {
        var in = TorchRef.class.getResourceAsStream("/torch_nn/" + file);
        if (in == null) throw new IllegalStateException("missing test resource /torch_nn/" + file + "; run benchmarks/reference/make_nn_refs.py");
        return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** The cases of a file that holds an array of objects with a "name". */
    public static List<JsonObject> cases(String file) {
        List<JsonObject> out = new ArrayList<>();
        for (JsonElement e : load(file).getAsJsonArray()) out.add(e.getAsJsonObject());
        return out;
    }

    public static long[] shape(JsonObject t) {
        JsonArray s = t.getAsJsonArray("shape");
        long[] out = new long[s.size()];
        for (int i = 0; i < out.length; i++) out[i] = s.get(i).getAsLong();
        return out;
    }

    public static double[] data(JsonObject t) {
        JsonArray d = t.getAsJsonArray("data");
        double[] out = new double[d.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement e = d.get(i);
            out[i] = e.getAsJsonPrimitive().isBoolean() ? (e.getAsBoolean() ? 1 : 0) : e.getAsDouble();
        }
        return out;
    }

    /** A FLOAT32 tensor of the stored values. */
    public static Tensor tensor(JsonObject t) {
        double[] d = data(t);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        long[] s = shape(t);
        Tensor x = Tensor.of(f, d.length == 0 ? new long[]{0} : new long[]{d.length});
        return x.reshape(s);
    }

    /** An INT64 tensor of the stored values. */
    public static Tensor longTensor(JsonObject t) {
        double[] d = data(t);
        long[] l = new long[d.length];
        for (int i = 0; i < d.length; i++) l[i] = (long) d[i];
        return Tensor.of(l).reshape(shape(t));
    }

    /** Asserts shape equality and {@code |a - e| <= atol + rtol |e|} elementwise. */
    public static void assertClose(String what, JsonObject expected, Tensor actual, double rtol, double atol) {
        assertArrayEquals(shape(expected), actual.shape(), what + ": shape");
        double[] e = data(expected), a = actual.to(DType.FLOAT64).toDoubleArray();
        for (int i = 0; i < e.length; i++)
            assertTrue(Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]),
                    what + ": element " + i + " is " + a[i] + ", PyTorch gives " + e[i]);
    }

    public static void assertClose(String what, JsonObject expected, Tensor actual) { assertClose(what, expected, actual, 1e-4, 1e-5); }
}
