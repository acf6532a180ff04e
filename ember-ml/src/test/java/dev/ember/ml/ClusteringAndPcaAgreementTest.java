package dev.ember.ml;

import com.google.gson.JsonObject;
import dev.ember.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** k-means inertia (median of five seeds) within 1% of scikit-learn's, PCA components equal up to sign, on the four datasets. */
class ClusteringAndPcaAgreementTest {

    @ParameterizedTest
    @ValueSource(strings = {"iris", "wine", "breast_cancer", "digits"})
    void kMeansInertiaWithinOnePercent(String name) {
        SklearnData d = SklearnData.load(name);
        JsonObject ref = d.get("kmeans");
        int k = ref.get("k").getAsInt();
        Tensor x = d.trainX(true);
        // k-means finds local minima: one seed can land 1% above another (digits: Ember's seed 0 is +1.15%,
        // scikit-learn's seeds spread over 0.5%), so the median over five seeds must be within 1%.
        double[] inertias = new double[5];
        KMeans km = null;
        for (int seed = 0; seed < 5; seed++) inertias[seed] = (km = new KMeans(k, 10, seed).fit(x, null)).inertia();
        java.util.Arrays.sort(inertias);
        double expected = ref.get("inertia").getAsDouble(), median = inertias[2];
        assertEquals(expected, median, 0.01 * expected, "median inertia " + median + " vs sklearn " + expected);
        assertEquals(-km.inertia(), km.score(x, null), 1e-9 * expected);
        // Mini-batch k-means is approximate in both libraries: within 5% of scikit-learn's mini-batch inertia.
        MiniBatchKMeans mb = new MiniBatchKMeans(k, 1024, 3, 0).fit(x, null);
        double mbExpected = ref.get("minibatch_inertia").getAsDouble();
        assertEquals(mbExpected, mb.inertia(), 0.05 * mbExpected, "mini-batch inertia " + mb.inertia() + " vs sklearn " + mbExpected);
        assertTrue(mb.inertia() >= km.inertia() * 0.999, "mini-batch should not beat full k-means by much");
    }

    @ParameterizedTest
    @ValueSource(strings = {"iris", "wine", "breast_cancer", "digits"})
    void pcaMatchesSklearn(String name) {
        SklearnData d = SklearnData.load(name);
        JsonObject ref = d.get("pca");
        int nc = ref.get("n_components").getAsInt();
        Tensor x = d.trainX(false);
        PCA pca = new PCA(nc, false).fit(x);
        double[][] expected = SklearnData.matrix(ref.get("components")), got = pca.components();
        double[] ev = SklearnData.doubles(ref.get("explained_variance"));
        assertArrayEquals(ev, pca.explainedVariance(), 1e-9 * ev[0]);
        assertArrayEquals(SklearnData.doubles(ref.get("explained_variance_ratio")), pca.explainedVarianceRatio(), 1e-9);
        for (int c = 0; c < nc; c++) {
            double sign = Math.signum(dot(expected[c], got[c]));
            for (int j = 0; j < got[c].length; j++) assertEquals(expected[c][j], sign * got[c][j], 1e-6, "component " + c + " entry " + j);
        }
        Tensor head = d.testX(false).narrow(0, 0, 5);
        double[][] recon = SklearnData.matrix(ref.get("reconstructed_test"));
        double[] r = pca.inverseTransform(pca.transform(head)).toDoubleArray();
        int p = d.features();
        for (int i = 0; i < 5; i++) for (int j = 0; j < p; j++) assertEquals(recon[i][j], r[i * p + j], 1e-6 * Math.max(1, Math.abs(recon[i][j])));
        PCA white = new PCA(nc, true).fit(x);
        double[][] w = SklearnData.matrix(ref.get("whitened_test"));
        double[] wz = white.transform(head).toDoubleArray();
        for (int i = 0; i < 5; i++)
            for (int c = 0; c < nc; c++) assertEquals(Math.abs(w[i][c]), Math.abs(wz[i * nc + c]), 1e-6 * Math.max(1, Math.abs(w[i][c])));
        double[] back = white.inverseTransform(white.transform(head)).toDoubleArray();
        assertArrayEquals(r, back, 1e-8);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    @Test
    void fittedModelsRoundTripThroughJson(@TempDir Path dir) {
        SklearnData d = SklearnData.load("iris");
        Tensor x = d.trainX(true);
        KMeans km = new KMeans(3, 2, 1).fit(x, null);
        km.save(dir.resolve("km.json"));
        assertArrayEquals(km.predict(x).toLongArray(), ModelFile.load(dir.resolve("km.json"), KMeans.class).predict(x).toLongArray());
        PCA pca = new PCA(2, true).fit(x);
        pca.save(dir.resolve("pca.json"));
        assertArrayEquals(pca.transform(x).toDoubleArray(), ModelFile.load(dir.resolve("pca.json"), PCA.class).transform(x).toDoubleArray(), 0);
        assertThrows(IllegalArgumentException.class, () -> new PCA(5, false).fit(x));
        assertThrows(IllegalArgumentException.class, () -> pca.transform(Tensor.ones(2, 3)));
    }
}
