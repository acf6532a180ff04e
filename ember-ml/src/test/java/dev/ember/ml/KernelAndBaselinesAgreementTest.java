package dev.ember.ml;

import com.google.gson.JsonObject;
import dev.ember.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.*;

/** SVC (linear, RBF, polynomial; one-vs-rest), k-NN and Gaussian naive Bayes against scikit-learn. */
class KernelAndBaselinesAgreementTest {

    @ParameterizedTest
    @ValueSource(strings = {"iris", "wine", "breast_cancer", "digits"})
    void svcAccuracyWithinOnePointOfSklearn(String name) {
        SklearnData d = SklearnData.load(name);
        Tensor x = d.trainX(true), tx = d.testX(true), ty = d.testY();
        JsonObject refs = d.get("svc");
        for (var e : new Object[][]{{"linear", Kernel.linear()}, {"rbf", Kernel.rbf()}, {"poly", Kernel.poly(3, 0)}}) {
            JsonObject ref = refs.getAsJsonObject((String) e[0]);
            SVC svc = new SVC(1.0, (Kernel) e[1]).fit(x, d.trainY());
            double acc = svc.score(tx, ty), expected = ref.get("test_accuracy").getAsDouble();
            // One point, or one test sample where the test set has fewer than 100 rows.
            assertEquals(expected, acc, TreesAgreementTest.points(1, d.test().length), e[0] + ": " + acc + " vs sklearn " + expected);
            long[] ours = svc.predict(tx).toLongArray(), theirs = SklearnData.longs(ref.get("test_pred"));
            assertTrue(SklearnData.agreement(ours, theirs) >= 0.98, e[0] + " prediction agreement " + SklearnData.agreement(ours, theirs));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"iris", "wine", "breast_cancer", "digits"})
    void kNeighborsMatchesSklearn(String name) {
        SklearnData d = SklearnData.load(name);
        JsonObject ref = d.get("knn");
        var knn = new KNeighborsClassifier(ref.get("k").getAsInt()).fit(d.trainX(true), d.trainY());
        long[] ours = knn.predict(d.testX(true)).toLongArray(), theirs = SklearnData.longs(ref.get("test_pred"));
        assertTrue(SklearnData.agreement(ours, theirs) >= 0.99, "agreement " + SklearnData.agreement(ours, theirs));
        assertEquals(ref.get("test_accuracy").getAsDouble(), knn.score(d.testX(true), d.testY()), TreesAgreementTest.points(1, d.test().length));
    }

    @ParameterizedTest
    @ValueSource(strings = {"iris", "wine", "breast_cancer", "digits"})
    void gaussianNaiveBayesMatchesSklearn(String name) {
        SklearnData d = SklearnData.load(name);
        JsonObject ref = d.get("gaussian_nb");
        GaussianNB nb = new GaussianNB().fit(d.trainX(false), d.trainY());
        double[][] theta = SklearnData.matrix(ref.get("theta")), var = SklearnData.matrix(ref.get("var"));
        for (int c = 0; c < theta.length; c++) {
            for (int j = 0; j < var[c].length; j++) {
                assertEquals(theta[c][j], nb.theta()[c][j], 1e-12 * Math.max(1, Math.abs(theta[c][j])));
                assertEquals(var[c][j], nb.variance()[c][j], 1e-9 * Math.max(1, var[c][j]));
            }
        }
        assertArrayEquals(SklearnData.doubles(ref.get("prior")), nb.prior(), 1e-15);
        Tensor tx = d.testX(false);
        assertArrayEquals(SklearnData.longs(ref.get("test_pred")), nb.predict(tx).toLongArray());
        double[][] proba = SklearnData.matrix(ref.get("test_proba"));
        double[] p = nb.predictProba(tx).toDoubleArray();
        int k = proba[0].length;
        for (int i = 0; i < proba.length; i++) for (int c = 0; c < k; c++) assertEquals(proba[i][c], p[i * k + c], 1e-6);
    }
}
