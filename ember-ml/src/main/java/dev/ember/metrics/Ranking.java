package dev.ember.metrics;

import dev.ember.Tensor;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Threshold-free binary metrics from scores, as scikit-learn 1.2 defines them: ROC curve and
 * area, precision-recall curve and average precision, and one-vs-rest macro ROC-AUC for
 * multi-class probabilities. Equal scores form one threshold (one point on each curve).
 */
public final class Ranking {
    private Ranking() {}

    /**
     * A ROC curve: for each threshold (descending) the false and true positive rates of
     * "score >= threshold". The first point is (0, 0) with threshold {@code +∞}; collinear
     * intermediate points are dropped (scikit-learn's {@code drop_intermediate=True}).
     */
    public record RocCurve(double[] fpr, double[] tpr, double[] thresholds) {}

    /** A precision-recall curve in scikit-learn's order: recall decreasing, ending at (P=1, R=0); one threshold fewer than points. */
    public record PrCurve(double[] precision, double[] recall, double[] thresholds) {}

    /** Distinct thresholds (descending) with cumulative false/true positives at each. */
    private record Counts(double[] fps, double[] tps, double[] thresholds) {}

    private static Counts counts(long[] yTrue, double[] score, long posLabel) {
        Labels.sameLength("ranking", yTrue.length, score.length);
        int n = score.length;
        if (n == 0) throw new IllegalArgumentException("ranking: no samples");
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(score[i])) throw new IllegalArgumentException("ranking: score at position " + i + " is " + score[i]);
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> score[i]).reversed());
        double[] fps = new double[n], tps = new double[n], thr = new double[n];
        int m = 0;
        double tp = 0;
        for (int r = 0; r < n; r++) {
            int i = order[r];
            if (yTrue[i] == posLabel) tp++;
            if (r == n - 1 || score[order[r + 1]] != score[i]) {
                tps[m] = tp;
                fps[m] = r + 1 - tp;
                thr[m] = score[i];
                m++;
            }
        }
        return new Counts(Arrays.copyOf(fps, m), Arrays.copyOf(tps, m), Arrays.copyOf(thr, m));
    }

    /** The ROC curve of scores {@code [n]} for labels {@code [n]} where {@code posLabel} is positive. */
    public static RocCurve rocCurve(long[] yTrue, double[] score, long posLabel) {
        Counts c = counts(yTrue, score, posLabel);
        int m = c.tps.length;
        boolean[] keep = new boolean[m];
        for (int i = 0; i < m; i++)
            keep[i] = m <= 2 || i == 0 || i == m - 1
                    || c.fps[i + 1] - 2 * c.fps[i] + c.fps[i - 1] != 0 || c.tps[i + 1] - 2 * c.tps[i] + c.tps[i - 1] != 0;
        int kept = 0;
        for (boolean k : keep) if (k) kept++;
        double[] fpr = new double[kept + 1], tpr = new double[kept + 1], thr = new double[kept + 1];
        thr[0] = Double.POSITIVE_INFINITY;
        double fTotal = c.fps[m - 1], tTotal = c.tps[m - 1];
        for (int i = 0, j = 1; i < m; i++) {
            if (!keep[i]) continue;
            fpr[j] = fTotal > 0 ? c.fps[i] / fTotal : Double.NaN;
            tpr[j] = tTotal > 0 ? c.tps[i] / tTotal : Double.NaN;
            thr[j] = c.thresholds[i];
            j++;
        }
        if (fTotal <= 0) fpr[0] = Double.NaN;
        if (tTotal <= 0) tpr[0] = Double.NaN;
        return new RocCurve(fpr, tpr, thr);
    }

    /** Area under the ROC curve (trapezoidal) for labels {0, 1}; undefined (exception) if only one class is present. */
    public static double rocAuc(long[] yTrue, double[] score) {
        RocCurve roc = rocCurve(yTrue, score, 1);
        if (Double.isNaN(roc.fpr()[0]) || Double.isNaN(roc.tpr()[0]))
            throw new IllegalArgumentException("rocAuc: only one class present in yTrue; ROC AUC is not defined");
        return trapezoid(roc.fpr(), roc.tpr());
    }

    /** {@link #rocAuc(long[], double[])} on tensors {@code [n], [n]}. */
    public static double rocAuc(Tensor yTrue, Tensor score) { return rocAuc(Labels.of("rocAuc", yTrue), score.toDoubleArray()); }

    /**
     * One-vs-rest macro ROC-AUC for probabilities {@code [n, classes]} and labels {@code 0..classes-1}:
     * the mean over classes of the AUC of "class c" against the rest, scored by column c.
     */
    public static double rocAucOvrMacro(long[] yTrue, double[][] proba) {
        Labels.sameLength("rocAucOvrMacro", yTrue.length, proba.length);
        int k = proba[0].length;
        double sum = 0;
        for (int c = 0; c < k; c++) {
            long[] bin = new long[yTrue.length];
            double[] col = new double[yTrue.length];
            for (int i = 0; i < yTrue.length; i++) {
                bin[i] = yTrue[i] == c ? 1 : 0;
                col[i] = proba[i][c];
            }
            sum += rocAuc(bin, col);
        }
        return sum / k;
    }

    /** The precision-recall curve (scikit-learn 1.2: every distinct threshold, plus the final (1, 0) point). */
    public static PrCurve precisionRecallCurve(long[] yTrue, double[] score, long posLabel) {
        Counts c = counts(yTrue, score, posLabel);
        int m = c.tps.length;
        double[] p = new double[m + 1], r = new double[m + 1], t = new double[m];
        double tTotal = c.tps[m - 1];
        for (int i = 0; i < m; i++) {
            int j = m - 1 - i;   // reversed: recall decreasing
            double predicted = c.tps[i] + c.fps[i];
            p[j] = predicted == 0 ? 0 : c.tps[i] / predicted;
            r[j] = tTotal == 0 ? 1 : c.tps[i] / tTotal;
            t[j] = c.thresholds[i];
        }
        p[m] = 1;
        r[m] = 0;
        return new PrCurve(p, r, t);
    }

    /** Average precision: {@code Σ (R_k - R_{k+1}) P_k} over the PR curve, without interpolation; labels {0, 1}. */
    public static double averagePrecision(long[] yTrue, double[] score) {
        PrCurve pr = precisionRecallCurve(yTrue, score, 1);
        double ap = 0;
        for (int i = 0; i + 1 < pr.recall().length; i++) ap -= (pr.recall()[i + 1] - pr.recall()[i]) * pr.precision()[i];
        return ap;
    }

    private static double trapezoid(double[] x, double[] y) {
        double a = 0;
        for (int i = 1; i < x.length; i++) a += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        return a;
    }
}
