package dev.ember.data.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link StandardScaler} on constant and near-constant columns against scikit-learn 1.2
 * ({@code standardConstant} in benchmarks/reference/make_feature_refs.py): a column that is constant up
 * to rounding gets scale 1 and output about 0, not a division by a variance of 1e-33.
 */
class StandardScalerConstantTest {
    private static double[][] mat(JsonElement e) {
        JsonArray a = e.getAsJsonArray();
        double[][] out = new double[a.size()][];
        for (int i = 0; i < out.length; i++) {
            JsonArray row = a.get(i).getAsJsonArray();
            out[i] = new double[row.size()];
            for (int j = 0; j < row.size(); j++) out[i][j] = row.get(j).getAsDouble();
        }
        return out;
    }

    private static double[] vec(JsonElement e) { return mat(wrap(e))[0]; }

    private static JsonArray wrap(JsonElement e) {
        JsonArray a = new JsonArray();
        a.add(e);
        return a;
    }

    private static Tensor tensor(double[][] m) {
        double[] flat = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) System.arraycopy(m[i], 0, flat, i * m[0].length, m[0].length);
        return Tensor.of(flat, m.length, m[0].length);
    }

    private static void assertClose(double[] expected, double[] got, double tol, String what) {
        assertEquals(expected.length, got.length, what + " length");
        for (int i = 0; i < got.length; i++)
            assertEquals(expected[i], got[i], tol * Math.max(1, Math.abs(expected[i])), what + " [" + i + "]");
    }

    private static double[] flat(double[][] m) { return java.util.Arrays.stream(m).flatMapToDouble(java.util.Arrays::stream).toArray(); }

    @Test
    void constantColumnsScaleByOneAndMatchScikitLearn() throws Exception {
        JsonArray cases;
        try (var r = new InputStreamReader(getClass().getResourceAsStream("/data/feature_refs.json"), StandardCharsets.UTF_8)) {
            cases = JsonParser.parseReader(r).getAsJsonObject().getAsJsonArray("standardConstant");
        }
        assertEquals(3, cases.size());
        for (JsonElement el : cases) {
            JsonObject c = el.getAsJsonObject();
            double[][] x = mat(c.get("X"));
            String n = "n=" + x.length + " ";
            StandardScaler s = new StandardScaler().fit(tensor(x));
            assertClose(vec(c.get("mean")), s.mean(), 1e-15, n + "mean");
            // scale: exactly 1 for the five constant columns, the population std elsewhere
            double[] scale = vec(c.get("scale"));
            for (int j = 0; j < 5; j++) assertEquals(1.0, scale[j], n + "reference scale of constant column " + j);
            assertClose(scale, s.scale(), 1e-9, n + "scale");
            // outputs: the constant columns give (x - mean) / 1, about 1e-17..1e-5 for a mean off by rounding, never about 1
            assertClose(flat(mat(c.get("train"))), s.transform(tensor(x)).toDoubleArray(), 1e-9, n + "train transform");
            assertClose(flat(mat(c.get("output"))), s.transform(tensor(mat(c.get("test")))).toDoubleArray(), 1e-9, n + "test transform");
            double[] train = s.transform(tensor(x)).toDoubleArray();
            for (int i = 0; i < x.length; i++)
                for (int j = 0; j < 2; j++) assertTrue(Math.abs(train[i * 7 + j]) < 1e-12, n + "constant column " + j + " -> " + train[i * 7 + j]);
        }
    }
}
