package dev.ember.ml;

import com.google.gson.JsonObject;
import dev.ember.Tensor;
import dev.ember.metrics.Regression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * CART trees and random forests against scikit-learn on raw features. With the splitter state
 * scikit-learn derives from {@code random_state=0} (Ember's default), ties between equally good
 * splits are broken the same way, so the trees must be identical node for node: same split
 * features, thresholds and children, hence the same predictions. Forests use other random
 * streams, so only their accuracy is compared.
 */
class TreesAgreementTest {

    /** One point is one percentage point, but never less than one test sample. */
    static double points(double pts, int testSize) { return Math.max(pts / 100, 1.0 / testSize + 1e-12); }

    @ParameterizedTest
    @ValueSource(strings = {"iris", "wine", "breast_cancer", "digits"})
    void classificationTreesMatchSklearn(String name) {
        SklearnData d = SklearnData.load(name);
        Tensor x = d.trainX(false), y = d.trainY(), tx = d.testX(false), ty = d.testY();
        JsonObject refs = d.get("tree");
        record Case(String key, DecisionTreeClassifier tree) {}
        for (Case c : new Case[]{
                new Case("gini", new DecisionTreeClassifier()),
                new Case("entropy", new DecisionTreeClassifier(Criterion.ENTROPY, Integer.MAX_VALUE, 2, 1)),
                new Case("depth3_leaf5", new DecisionTreeClassifier(Criterion.GINI, 3, 2, 5))}) {
            JsonObject ref = refs.getAsJsonObject(c.key);
            DecisionTreeClassifier t = c.tree.fit(x, y);
            assertEquals(ref.get("root_gain").getAsDouble(), t.nodes().gain(0), 1e-12, c.key + " root gain");
            assertSameTree(ref.getAsJsonObject("structure"), t.nodes(), name + " " + c.key);
            assertArrayEquals(SklearnData.longs(ref.get("test_pred")), t.predict(tx).toLongArray());
            assertEquals(ref.get("test_accuracy").getAsDouble(), t.score(tx, ty), 1e-12);
            assertEquals(ref.get("depth").getAsInt(), t.depth());
            assertEquals(ref.get("leaves").getAsInt(), t.leafCount());
            assertEquals(1.0, java.util.Arrays.stream(t.featureImportances()).sum(), 1e-12);
            if (!c.key.equals("depth3_leaf5")) assertEquals(1.0, t.score(x, y), 1e-12, "a fully grown tree fits its training data");
        }
    }

    /** Node-by-node equality with scikit-learn's {@code tree_} arrays (its leaves have feature -2). */
    static void assertSameTree(JsonObject ref, TreeNodes t, String what) {
        int[] feature = SklearnData.ints(ref.get("feature")), left = SklearnData.ints(ref.get("left")), right = SklearnData.ints(ref.get("right"));
        double[] threshold = SklearnData.doubles(ref.get("threshold"));
        assertEquals(feature.length, t.count, what + ": node count");
        for (int i = 0; i < feature.length; i++) {
            assertEquals(left[i], t.left[i], what + ": left child of node " + i);
            assertEquals(right[i], t.right[i], what + ": right child of node " + i);
            if (left[i] < 0) continue;
            assertEquals(feature[i], t.feature[i], what + ": feature of node " + i);
            assertEquals(threshold[i], t.threshold[i], 0, what + ": threshold of node " + i);
        }
    }

    @Test
    void sklearnSplitterStateIsTheDefault() {
        assertEquals(SklearnData.load("iris").ref().get("tree_rand_r_state").getAsInt(), DecisionTreeClassifier.SKLEARN_RANDOM_STATE_0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"iris", "wine", "breast_cancer", "digits"})
    void regressionTreeMatchesSklearn(String name) {
        SklearnData d = SklearnData.load(name);
        JsonObject ref = d.get("tree_regressor");
        DecisionTreeRegressor t = new DecisionTreeRegressor(ref.get("max_depth").getAsInt(), 2, 1).fit(d.trainX(false), d.trainTargets());
        assertEquals(ref.get("root_gain").getAsDouble(), t.nodes().gain(0), 1e-12);
        assertSameTree(ref.getAsJsonObject("structure"), t.nodes(), name + " regressor");
        assertArrayEquals(SklearnData.doubles(ref.get("test_pred")), t.predict(d.testX(false)).toDoubleArray(), 1e-12);
        double mse = Regression.meanSquaredError(d.testY().toDoubleArray(), t.predict(d.testX(false)).toDoubleArray());
        assertEquals(ref.get("test_mse").getAsDouble(), mse, 1e-12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"iris", "wine", "breast_cancer", "digits"})
    void randomForestMatchesSklearnAccuracy(String name) {
        SklearnData d = SklearnData.load(name);
        RandomForestClassifier f = new RandomForestClassifier(100, 7).fit(d.trainX(false), d.trainY());
        double acc = f.score(d.testX(false), d.testY()), expected = d.get("forest").get("test_accuracy").getAsDouble();
        // Different random streams: within 3 points (or one sample) of scikit-learn's forest.
        assertEquals(expected, acc, points(3, d.test().length), "forest accuracy " + acc + " vs sklearn " + expected);
        double[] p = f.predictProba(d.testX(false)).toDoubleArray();
        int k = f.classes().length;
        for (int i = 0; i < p.length / k; i++) {
            double s = 0;
            for (int c = 0; c < k; c++) s += p[i * k + c];
            assertEquals(1, s, 1e-12);
        }
    }

    @Test
    void forestIsReproducibleAndSavable(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        SklearnData d = SklearnData.load("wine");
        var a = new RandomForestClassifier(20, 3).fit(d.trainX(false), d.trainY());
        var b = new RandomForestClassifier(20, 3).fit(d.trainX(false), d.trainY());
        assertArrayEquals(a.predictProba(d.testX(false)).toDoubleArray(), b.predictProba(d.testX(false)).toDoubleArray());
        Path file = dir.resolve("forest.json");
        a.save(file);
        assertTrue(Files.size(file) > 0);
        RandomForestClassifier loaded = ModelFile.load(file, RandomForestClassifier.class);
        assertArrayEquals(a.predictProba(d.testX(false)).toDoubleArray(), loaded.predictProba(d.testX(false)).toDoubleArray());
        DecisionTreeClassifier t = new DecisionTreeClassifier().fit(d.trainX(false), d.trainY());
        t.save(file);
        Estimator any = ModelFile.load(file);
        assertArrayEquals(t.predict(d.testX(false)).toLongArray(), any.predict(d.testX(false)).toLongArray());
        assertThrows(IllegalArgumentException.class, () -> ModelFile.load(file, RandomForestClassifier.class));
    }
}
