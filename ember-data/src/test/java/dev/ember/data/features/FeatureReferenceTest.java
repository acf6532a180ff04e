package dev.ember.data.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every transformer against scikit-learn 1.2 on the same data (benchmarks/reference/make_feature_refs.py). */
class FeatureReferenceTest {
    private static JsonObject ref;
    @TempDir Path dir;

    @BeforeAll
    static void load() throws Exception {
        try (var r = new InputStreamReader(FeatureReferenceTest.class.getResourceAsStream("/data/feature_refs.json"), StandardCharsets.UTF_8)) {
            ref = JsonParser.parseReader(r).getAsJsonObject();
        }
    }

    private static double[] vec(JsonElement e) {
        JsonArray a = e.getAsJsonArray();
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).isJsonNull() ? Double.NaN : a.get(i).getAsDouble();
        return out;
    }

    private static double[][] mat(JsonElement e) {
        JsonArray a = e.getAsJsonArray();
        double[][] out = new double[a.size()][];
        for (int i = 0; i < out.length; i++) out[i] = vec(a.get(i));
        return out;
    }

    private static Tensor tensor(JsonElement e) {
        double[][] m = mat(e);
        double[] flat = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) System.arraycopy(m[i], 0, flat, i * m[0].length, m[0].length);
        return Tensor.of(flat, m.length, m[0].length);
    }

    private static String[][] strings(JsonElement e) {
        JsonArray a = e.getAsJsonArray();
        String[][] out = new String[a.size()][];
        for (int i = 0; i < out.length; i++) {
            JsonArray row = a.get(i).getAsJsonArray();
            out[i] = new String[row.size()];
            for (int j = 0; j < row.size(); j++) out[i][j] = row.get(j).getAsString();
        }
        return out;
    }

    private static void assertClose(double[] expected, double[] got, double tol, String what) {
        assertEquals(expected.length, got.length, what + " length");
        for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], tol * Math.max(1, Math.abs(expected[i])), what + " [" + i + "]");
    }

    private static double[] flat(JsonElement e) {
        double[][] m = mat(e);
        return java.util.Arrays.stream(m).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    @Test
    void scalersMatchScikitLearnAndInvert() {
        Tensor x = tensor(ref.get("X")), test = tensor(ref.get("Xtest"));
        StandardScaler s = new StandardScaler().fit(x);
        assertClose(vec(ref.getAsJsonObject("standard").get("mean")), s.mean(), 1e-12, "mean");
        assertClose(vec(ref.getAsJsonObject("standard").get("scale")), s.scale(), 1e-12, "scale");
        assertClose(flat(ref.getAsJsonObject("standard").get("test")), s.transform(test).toDoubleArray(), 1e-12, "standard");
        assertClose(test.toDoubleArray(), s.inverseTransform(s.transform(test)).toDoubleArray(), 1e-12, "standard inverse");

        MinMaxScaler m = new MinMaxScaler(-1, 2).fit(x);
        assertClose(vec(ref.getAsJsonObject("minmax").get("min")), m.dataMin(), 0, "dataMin");
        assertClose(flat(ref.getAsJsonObject("minmax").get("test")), m.transform(test).toDoubleArray(), 1e-12, "minmax");
        assertClose(test.toDoubleArray(), m.inverseTransform(m.transform(test)).toDoubleArray(), 1e-12, "minmax inverse");

        for (String key : new String[]{"robust", "robust1090"}) {
            RobustScaler r = key.equals("robust") ? new RobustScaler().fit(x) : new RobustScaler(10, 90).fit(x);
            assertClose(vec(ref.getAsJsonObject(key).get("center")), r.center(), 1e-12, key + " center");
            assertClose(vec(ref.getAsJsonObject(key).get("scale")), r.scale(), 1e-12, key + " scale");
            assertClose(flat(ref.getAsJsonObject(key).get("test")), r.transform(test).toDoubleArray(), 1e-12, key);
            assertClose(test.toDoubleArray(), r.inverseTransform(r.transform(test)).toDoubleArray(), 1e-12, key + " inverse");
        }
    }

    @Test
    void imputerMatchesScikitLearnForEachStrategy() {
        Tensor x = tensor(ref.get("imputeX")), test = tensor(ref.get("imputeTest"));
        for (ImputeStrategy strategy : ImputeStrategy.values()) {
            String key = "impute_" + strategy.name().toLowerCase();
            SimpleImputer imp = new SimpleImputer(strategy).fit(x);
            assertClose(vec(ref.getAsJsonObject(key).get("statistics")), imp.statistics(), 1e-12, key);
            assertClose(flat(ref.getAsJsonObject(key).get("test")), imp.transform(test).toDoubleArray(), 1e-12, key + " transform");
        }
    }

    @Test
    void encodersMatchScikitLearnAndHandleUnknowns() {
        JsonObject o = ref.getAsJsonObject("onehot");
        OneHotEncoder enc = new OneHotEncoder(UnknownCategory.IGNORE).fit(strings(o.get("X")));
        assertArrayEquals(strings(o.get("categories")), enc.categories());
        String[][] test = strings(o.get("test"));
        Tensor encoded = enc.transform(test);
        assertClose(flat(o.get("output")), encoded.toDoubleArray(), 0, "one-hot");
        String[][] back = enc.inverseTransform(encoded);
        assertArrayEquals(new String[]{"green", "XL"}, back[0]);
        assertNull(back[1][0]); // 'purple' was unknown
        assertEquals("S", back[1][1]);
        var e = assertThrows(IllegalArgumentException.class, () -> new OneHotEncoder().fit(strings(o.get("X"))).transform(test));
        assertTrue(e.getMessage().contains("'purple'") && e.getMessage().contains("row 1"), e.getMessage());

        JsonObject l = ref.getAsJsonObject("label");
        String[] labels = strings(JsonParser.parseString("[" + l.get("y") + "]"))[0];
        LabelEncoder le = new LabelEncoder();
        Tensor codes = le.fitTransform(labels);
        assertArrayEquals(strings(JsonParser.parseString("[" + l.get("classes") + "]"))[0], le.classes());
        assertClose(vec(l.get("encoded")), codes.toDoubleArray(), 0, "label codes");
        assertArrayEquals(labels, le.inverseTransform(codes));
        assertThrows(IllegalArgumentException.class, () -> le.transform(new String[]{"zebra"}));
    }

    @Test
    void polynomialFeaturesMatchScikitLearnsColumnsAndValues() {
        Tensor x = tensor(ref.get("polyX"));
        int checked = 0;
        for (var entry : ref.entrySet()) {
            if (!entry.getKey().startsWith("poly_")) continue;
            JsonObject p = entry.getValue().getAsJsonObject();
            PolynomialFeatures pf = new PolynomialFeatures(p.get("degree").getAsInt(), p.get("interactionOnly").getAsBoolean(), p.get("includeBias").getAsBoolean());
            Tensor out = pf.fitTransform(x);
            double[][] powers = mat(p.get("powers"));
            int[][] got = pf.powers();
            assertEquals(powers.length, got.length, entry.getKey());
            for (int t = 0; t < got.length; t++)
                for (int j = 0; j < got[t].length; j++) assertEquals((int) powers[t][j], got[t][j], entry.getKey() + " term " + t);
            assertClose(flat(p.get("output")), out.toDoubleArray(), 1e-12, entry.getKey());
            checked++;
        }
        assertEquals(4, checked);
    }

    @Test
    void varianceThresholdMatchesScikitLearn() {
        Tensor x = tensor(ref.get("varX"));
        for (String key : new String[]{"var_0.0", "var_0.5"}) {
            JsonObject v = ref.getAsJsonObject(key);
            VarianceThreshold vt = new VarianceThreshold(v.get("threshold").getAsDouble()).fit(x);
            assertClose(vec(v.get("variances")), vt.variances(), 1e-12, key);
            JsonArray support = v.getAsJsonArray("support");
            for (int j = 0; j < support.size(); j++) assertEquals(support.get(j).getAsBoolean(), vt.support()[j], key + " column " + j);
            Tensor kept = vt.transform(x);
            Tensor restored = vt.inverseTransform(kept);
            double[] xr = x.toDoubleArray(), rr = restored.toDoubleArray();
            for (int i = 0; i < xr.length; i++) assertEquals(vt.support()[i % 4] ? xr[i] : 0, rr[i], 0, key + " inverse");
        }
    }

    @Test
    void selectKBestScoresAndPValuesMatchScikitLearn() {
        Tensor x = tensor(ref.get("selX"));
        double[] y = vec(ref.get("selY"));
        long[] labels = new long[y.length];
        for (int i = 0; i < y.length; i++) labels[i] = (long) y[i];
        Tensor yt = Tensor.of(labels, labels.length);

        SelectKBest chi2 = new SelectKBest(FeatureScore.CHI2, 2).fit(x, yt);
        assertClose(vec(ref.getAsJsonObject("chi2").get("scores")), chi2.scores(), 1e-10, "chi2 scores");
        assertClose(vec(ref.getAsJsonObject("chi2").get("pvalues")), chi2.pvalues(), 1e-8, "chi2 p-values");
        assertArrayEquals(ints(vec(ref.getAsJsonObject("chi2").get("top2"))), chi2.selectedIndices());

        SelectKBest f = new SelectKBest(FeatureScore.F_CLASSIF, 3).fit(x, yt);
        assertClose(vec(ref.getAsJsonObject("f_classif").get("scores")), f.scores(), 1e-10, "F scores");
        assertClose(vec(ref.getAsJsonObject("f_classif").get("pvalues")), f.pvalues(), 1e-8, "F p-values");
        assertArrayEquals(ints(vec(ref.getAsJsonObject("f_classif").get("top3"))), f.selectedIndices());
        assertArrayEquals(new long[]{60, 3}, f.transform(x).shape());

        // scikit-learn's kNN estimator adds 1e-10-scale noise; without it the estimate agrees to ~1e-6
        SelectKBest mi = new SelectKBest(FeatureScore.MUTUAL_INFO, 2).fit(x, yt);
        assertClose(vec(ref.getAsJsonObject("mutual_info").get("scores")), mi.scores(), 1e-6, "mutual information");
        assertArrayEquals(ints(vec(ref.getAsJsonObject("mutual_info").get("top2"))), mi.selectedIndices());
        assertNull(mi.pvalues());
    }

    private static int[] ints(double[] d) { return java.util.Arrays.stream(d).mapToInt(v -> (int) v).toArray(); }

    @Test
    void fittedStateSurvivesSaveAndLoad() {
        Tensor x = tensor(ref.get("X")), test = tensor(ref.get("Xtest"));
        StandardScaler s = new StandardScaler().fit(x);
        s.save(dir.resolve("s.json"));
        assertArrayEquals(s.transform(test).toDoubleArray(), StandardScaler.load(dir.resolve("s.json")).transform(test).toDoubleArray());
        RobustScaler r = new RobustScaler().fit(x);
        r.save(dir.resolve("r.json"));
        assertArrayEquals(r.transform(test).toDoubleArray(), RobustScaler.load(dir.resolve("r.json")).transform(test).toDoubleArray());
        MinMaxScaler m = new MinMaxScaler().fit(x);
        m.save(dir.resolve("m.json"));
        assertArrayEquals(m.transform(test).toDoubleArray(), MinMaxScaler.load(dir.resolve("m.json")).transform(test).toDoubleArray());
        SimpleImputer imp = new SimpleImputer(ImputeStrategy.MEDIAN).fit(tensor(ref.get("imputeX")));
        imp.save(dir.resolve("i.json"));
        assertArrayEquals(imp.statistics(), SimpleImputer.load(dir.resolve("i.json")).statistics());
        PolynomialFeatures p = new PolynomialFeatures(2).fit(x);
        p.save(dir.resolve("p.json"));
        assertArrayEquals(p.transform(test).toDoubleArray(), PolynomialFeatures.load(dir.resolve("p.json")).transform(test).toDoubleArray());
        VarianceThreshold v = new VarianceThreshold(0.5).fit(tensor(ref.get("varX")));
        v.save(dir.resolve("v.json"));
        assertArrayEquals(v.support(), VarianceThreshold.load(dir.resolve("v.json")).support());
        OneHotEncoder o = new OneHotEncoder(UnknownCategory.IGNORE).fit(strings(ref.getAsJsonObject("onehot").get("X")));
        o.save(dir.resolve("o.json"));
        String[][] t = strings(ref.getAsJsonObject("onehot").get("test"));
        assertArrayEquals(o.transform(t).toFloatArray(), OneHotEncoder.load(dir.resolve("o.json")).transform(t).toFloatArray());
        LabelEncoder le = new LabelEncoder().fit(new String[]{"b", "a"});
        le.save(dir.resolve("l.json"));
        assertArrayEquals(le.classes(), LabelEncoder.load(dir.resolve("l.json")).classes());
        double[] y = vec(ref.get("selY"));
        Tensor yt = Tensor.of(java.util.Arrays.stream(y).mapToLong(d -> (long) d).toArray(), y.length);
        SelectKBest k = new SelectKBest(FeatureScore.CHI2, 2).fit(tensor(ref.get("selX")), yt);
        k.save(dir.resolve("k.json"));
        assertArrayEquals(k.support(), SelectKBest.load(dir.resolve("k.json")).support());
    }

    @Test
    void misuseIsReportedClearly() {
        assertThrows(IllegalStateException.class, () -> new StandardScaler().transform(Tensor.zeros(2, 2)));
        StandardScaler s = new StandardScaler().fit(Tensor.rand(5, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> s.transform(Tensor.rand(5, 4)));
        assertTrue(e.getMessage().contains("3 features"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.transform(Tensor.rand(5)));
        assertThrows(IllegalArgumentException.class, () -> new SelectKBest(FeatureScore.CHI2, 1).fit(Tensor.of(new double[]{-1, 2}, 2, 1), Tensor.of(new long[]{0, 1}, 2)));
    }
}
