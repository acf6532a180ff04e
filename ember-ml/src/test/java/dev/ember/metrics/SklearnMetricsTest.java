package dev.ember.metrics;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import static dev.ember.ml.SklearnData.doubles;
import static dev.ember.ml.SklearnData.longs;
import static dev.ember.ml.SklearnData.matrix;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Metrics on real predictions (scikit-learn's logistic regression and linear regression on the
 * test splits of iris, wine, breast cancer and digits) equal scikit-learn's values to 1e-9.
 * Reference: src/test/resources/sklearn/metrics.json from benchmarks/reference/make_sklearn_refs.py.
 */
class SklearnMetricsTest {
    private static final double TOL = 1e-9;
    private static JsonObject refs;

    @BeforeAll
    static void load() throws Exception {
        try (var in = SklearnMetricsTest.class.getResourceAsStream("/sklearn/metrics.json")) {
            refs = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"iris", "wine", "breast_cancer", "digits"})
    void classificationMetricsMatchSklearn(String dataset) {
        JsonObject r = refs.getAsJsonObject(dataset);
        long[] t = longs(r.get("y_true")), p = longs(r.get("y_pred"));
        double[][] proba = matrix(r.get("proba"));
        boolean binary = proba[0].length == 2;
        assertEquals(r.get("accuracy").getAsDouble(), Classification.accuracy(t, p), TOL);
        ConfusionMatrix cm = Classification.confusionMatrix(t, p);
        double[][] expectedCm = matrix(r.get("confusion_matrix"));
        for (int i = 0; i < expectedCm.length; i++)
            for (int j = 0; j < expectedCm.length; j++) assertEquals((long) expectedCm[i][j], cm.counts()[i][j], "cm " + i + "," + j);
        assertEquals(r.get("report").getAsString(), Classification.classificationReport(t, p, 2, 0));
        assertEquals(r.get("log_loss").getAsDouble(), Classification.logLoss(t, proba), TOL);
        for (Average a : Average.values()) {
            if (a == Average.BINARY && !binary) continue;
            JsonObject e = r.getAsJsonObject(a.name().toLowerCase());
            assertEquals(e.get("precision").getAsDouble(), Classification.precision(t, p, a, 0), TOL, a + " precision");
            assertEquals(e.get("recall").getAsDouble(), Classification.recall(t, p, a, 0), TOL, a + " recall");
            assertEquals(e.get("f1").getAsDouble(), Classification.f1(t, p, a, 0), TOL, a + " f1");
            assertEquals(e.get("f0.5").getAsDouble(), Classification.fBeta(t, p, 0.5, a, 0), TOL, a + " f0.5");
        }
        if (binary) {
            double[] score = new double[proba.length];
            for (int i = 0; i < score.length; i++) score[i] = proba[i][1];
            assertEquals(r.get("roc_auc").getAsDouble(), Ranking.rocAuc(t, score), TOL);
            Ranking.RocCurve roc = Ranking.rocCurve(t, score, 1);
            assertArrayEquals(doubles(r.get("roc_fpr")), roc.fpr(), TOL);
            assertArrayEquals(doubles(r.get("roc_tpr")), roc.tpr(), TOL);
            assertEquals(Double.POSITIVE_INFINITY, roc.thresholds()[0]);
            assertArrayEquals(doubles(r.get("roc_thresholds")), java.util.Arrays.copyOfRange(roc.thresholds(), 1, roc.thresholds().length), 0);
            Ranking.PrCurve pr = Ranking.precisionRecallCurve(t, score, 1);
            assertArrayEquals(doubles(r.get("pr_precision")), pr.precision(), TOL);
            assertArrayEquals(doubles(r.get("pr_recall")), pr.recall(), TOL);
            assertArrayEquals(doubles(r.get("pr_thresholds")), pr.thresholds(), 0);
            assertEquals(r.get("average_precision").getAsDouble(), Ranking.averagePrecision(t, score), TOL);
        } else {
            assertEquals(r.get("top2_accuracy").getAsDouble(), Classification.topKAccuracy(t, proba, 2), TOL);
            assertEquals(r.get("roc_auc_ovr_macro").getAsDouble(), Ranking.rocAucOvrMacro(t, proba), TOL);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"iris", "wine", "breast_cancer", "digits"})
    void regressionMetricsMatchSklearn(String dataset) {
        JsonObject r = refs.getAsJsonObject(dataset).getAsJsonObject("regression");
        double[] t = doubles(r.get("y_true")), p = doubles(r.get("y_pred"));
        assertEquals(r.get("mse").getAsDouble(), Regression.meanSquaredError(t, p), TOL);
        assertEquals(r.get("rmse").getAsDouble(), Regression.rootMeanSquaredError(t, p), TOL);
        assertEquals(r.get("mae").getAsDouble(), Regression.meanAbsoluteError(t, p), TOL);
        assertEquals(r.get("r2").getAsDouble(), Regression.r2(t, p), TOL);
        assertEquals(r.get("explained_variance").getAsDouble(), Regression.explainedVariance(t, p), TOL);
    }

    @Test
    void zeroDivisionPolicyMatchesSklearn() {
        JsonObject r = refs.getAsJsonObject("edge_cases");
        long[] t = longs(r.get("y_true")), p = longs(r.get("y_pred"));
        for (int zd = 0; zd <= 1; zd++) {
            for (Average a : new Average[]{Average.MICRO, Average.MACRO, Average.WEIGHTED}) {
                JsonObject e = r.getAsJsonObject(a.name().toLowerCase() + "_zd" + zd);
                PrecisionRecallF got = Classification.precisionRecallF(t, p, a, 1, zd);
                assertEquals(e.get("precision").getAsDouble(), got.precision()[0], TOL, a + " zd" + zd);
                assertEquals(e.get("recall").getAsDouble(), got.recall()[0], TOL, a + " zd" + zd);
                assertEquals(e.get("f1").getAsDouble(), got.fScore()[0], TOL, a + " zd" + zd);
            }
            JsonObject e = r.getAsJsonObject("per_class_zd" + zd);
            PrecisionRecallF per = Classification.perClass(ConfusionMatrix.of(t, p), 1, zd);
            assertArrayEquals(doubles(e.get("precision")), per.precision(), TOL);
            assertArrayEquals(doubles(e.get("recall")), per.recall(), TOL);
            assertArrayEquals(doubles(e.get("f1")), per.fScore(), TOL);
            assertArrayEquals(longs(e.get("support")), per.support());
        }
        assertEquals(r.get("report_zd0").getAsString(), Classification.classificationReport(t, p, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> Classification.precision(t, p, Average.BINARY, 0));
    }

    @Test
    void tiedScoresMergeIntoOnePoint() {
        JsonObject r = refs.getAsJsonObject("edge_cases").getAsJsonObject("ties");
        long[] t = longs(r.get("y_true"));
        double[] s = doubles(r.get("score"));
        Ranking.RocCurve roc = Ranking.rocCurve(t, s, 1);
        assertArrayEquals(doubles(r.get("roc_fpr")), roc.fpr(), TOL);
        assertArrayEquals(doubles(r.get("roc_tpr")), roc.tpr(), TOL);
        assertEquals(r.get("roc_auc").getAsDouble(), Ranking.rocAuc(t, s), TOL);
        Ranking.PrCurve pr = Ranking.precisionRecallCurve(t, s, 1);
        assertArrayEquals(doubles(r.get("pr_precision")), pr.precision(), TOL);
        assertArrayEquals(doubles(r.get("pr_recall")), pr.recall(), TOL);
        assertEquals(r.get("average_precision").getAsDouble(), Ranking.averagePrecision(t, s), TOL);
        assertThrows(IllegalArgumentException.class, () -> Ranking.rocAuc(new long[]{1, 1}, new double[]{0.2, 0.3}));
    }

    @Test
    void streamingMetricsEqualTheirBatchForms() {
        JsonObject r = refs.getAsJsonObject("digits");
        long[] t = longs(r.get("y_true")), p = longs(r.get("y_pred"));
        double[][] proba = matrix(r.get("proba"));
        int n = t.length, k = proba[0].length;
        FBetaScore f1 = FBetaScore.f1(Average.MACRO);
        FBetaScore prec = FBetaScore.precision(Average.WEIGHTED);
        TopKAccuracy top2 = new TopKAccuracy(2);
        LogLoss ll = new LogLoss();
        RocAuc auc = new RocAuc();
        Accuracy acc = new Accuracy();
        for (int start = 0; start < n; start += 37) {   // uneven batches
            int end = Math.min(n, start + 37);
            double[] flat = new double[(end - start) * k];
            for (int i = start; i < end; i++) System.arraycopy(proba[i], 0, flat, (i - start) * k, k);
            Tensor out = Tensor.of(flat, end - start, k);
            Tensor target = Tensor.of(java.util.Arrays.copyOfRange(t, start, end), end - start);
            for (Metric m : new Metric[]{f1, prec, top2, ll, auc, acc}) m.update(out, target);
        }
        // The arg-max of scikit-learn's probabilities is its prediction.
        assertEquals(r.getAsJsonObject("macro").get("f1").getAsDouble(), f1.compute(), TOL);
        assertEquals(r.getAsJsonObject("weighted").get("precision").getAsDouble(), prec.compute(), TOL);
        assertEquals(r.get("top2_accuracy").getAsDouble(), top2.compute(), TOL);
        assertEquals(r.get("log_loss").getAsDouble(), ll.compute(), TOL);
        assertEquals(r.get("roc_auc_ovr_macro").getAsDouble(), auc.compute(), TOL);
        assertEquals(r.get("accuracy").getAsDouble(), acc.compute(), TOL);
        f1.reset();
        assertTrue(Double.isNaN(f1.compute()));

        JsonObject g = refs.getAsJsonObject("wine").getAsJsonObject("regression");
        double[] yt = doubles(g.get("y_true")), yp = doubles(g.get("y_pred"));
        var r2 = new RegressionMetric(RegressionMetric.Kind.R2);
        var mae = new RegressionMetric(RegressionMetric.Kind.MAE);
        for (int start = 0; start < yt.length; start += 10) {
            int end = Math.min(yt.length, start + 10);
            Tensor o = Tensor.of(java.util.Arrays.copyOfRange(yp, start, end), end - start);
            Tensor tt = Tensor.of(java.util.Arrays.copyOfRange(yt, start, end), end - start);
            r2.update(o, tt);
            mae.update(o, tt);
        }
        assertEquals(g.get("r2").getAsDouble(), r2.compute(), TOL);
        assertEquals(g.get("mae").getAsDouble(), mae.compute(), TOL);
    }
}
