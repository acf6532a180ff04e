package dev.ember.metrics;

import dev.ember.Tensor;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * Classification metrics with scikit-learn's definitions, on integer labels {@code [n]} and
 * score/probability matrices {@code [n, classes]}.
 *
 * <p><b>Zero division.</b> A class that is never predicted has precision 0/0, one that never
 * occurs has recall 0/0. As in scikit-learn, such a ratio is replaced by {@code zeroDivision}
 * (0 or 1; scikit-learn's default "warn" behaves as 0). F-beta is
 * {@code (1+β²)·P·R / (β²·P + R)} computed from those values, and 0 when {@code β²·P + R = 0}
 * (scikit-learn 1.2's rule). For {@link Average#WEIGHTED} with no true samples at all, precision
 * is {@code zeroDivision} if nothing was predicted either, else 0.
 */
public final class Classification {
    private Classification() {}

    /** Fraction of exact matches: {@code [n], [n] -> scalar}. */
    public static double accuracy(long[] yTrue, long[] yPred) {
        Labels.sameLength("accuracy", yTrue.length, yPred.length);
        if (yTrue.length == 0) throw new IllegalArgumentException("accuracy: no samples");
        long hit = 0;
        for (int i = 0; i < yTrue.length; i++) if (yTrue[i] == yPred[i]) hit++;
        return (double) hit / yTrue.length;
    }

    /** {@link #accuracy(long[], long[])} on tensors {@code [n]}. */
    public static double accuracy(Tensor yTrue, Tensor yPred) { return accuracy(Labels.of("accuracy", yTrue), Labels.of("accuracy", yPred)); }

    /**
     * Fraction of samples whose true class ({@code 0..classes-1}) is among the {@code k} highest
     * scores: {@code [n], [n, classes] -> scalar}. Ties in score count against the true class
     * only when more than {@code k} classes score strictly higher.
     */
    public static double topKAccuracy(long[] yTrue, double[][] scores, int k) {
        return (double) topKHits(yTrue, scores, k) / yTrue.length;
    }

    /** Number of samples counted correct by {@link #topKAccuracy}. */
    static long topKHits(long[] yTrue, double[][] scores, int k) {
        Labels.sameLength("topKAccuracy", yTrue.length, scores.length);
        if (k < 1) throw new IllegalArgumentException("topKAccuracy: k must be >= 1, got " + k);
        long hit = 0;
        for (int i = 0; i < yTrue.length; i++) {
            int t = (int) yTrue[i];
            if (t < 0 || t >= scores[i].length) throw new IllegalArgumentException("topKAccuracy: label " + t + " at position " + i + " outside 0.." + (scores[i].length - 1));
            int higher = 0;
            for (double s : scores[i]) if (s > scores[i][t]) higher++;
            if (higher < k) hit++;
        }
        return hit;
    }

    /** {@link #topKAccuracy(long[], double[][], int)} on tensors: {@code [n], [n, classes]}. */
    public static double topKAccuracy(Tensor yTrue, Tensor scores, int k) {
        return topKAccuracy(Labels.of("topKAccuracy", yTrue), Labels.rows("topKAccuracy", scores), k);
    }

    /** The confusion matrix over the sorted union of labels. */
    public static ConfusionMatrix confusionMatrix(long[] yTrue, long[] yPred) { return ConfusionMatrix.of(yTrue, yPred); }

    /** Per-class precision, recall, F-beta and support (no averaging) over the matrix's labels. */
    public static PrecisionRecallF perClass(ConfusionMatrix cm, double beta, double zeroDivision) {
        long[] tp = cm.truePositives(), pred = cm.predictedCounts(), sup = cm.support();
        int k = tp.length;
        double[] p = new double[k], r = new double[k], f = new double[k];
        for (int c = 0; c < k; c++) {
            p[c] = divide(tp[c], pred[c], zeroDivision);
            r[c] = divide(tp[c], sup[c], zeroDivision);
            f[c] = fBeta(p[c], r[c], beta);
        }
        return new PrecisionRecallF(p, r, f, sup);
    }

    /**
     * Averaged precision, recall and F-beta, like scikit-learn's
     * {@code precision_recall_fscore_support(average=...)}.
     *
     * @param zeroDivision value (0 or 1) that replaces an undefined ratio; see the class comment
     */
    public static PrecisionRecallF precisionRecallF(long[] yTrue, long[] yPred, Average average, double beta, double zeroDivision) {
        Labels.sameLength("precisionRecallF", yTrue.length, yPred.length);
        if (beta < 0) throw new IllegalArgumentException("precisionRecallF: beta must be >= 0, got " + beta);
        ConfusionMatrix cm = ConfusionMatrix.of(yTrue, yPred);
        if (average == Average.BINARY) {
            for (long l : cm.labels())
                if (l != 0 && l != 1)
                    throw new IllegalArgumentException("precisionRecallF: average BINARY needs labels 0 and 1, found " + l + "; use MICRO, MACRO or WEIGHTED");
            long tp = 0, pred = 0, sup = 0;
            for (int i = 0; i < yTrue.length; i++) {
                if (yTrue[i] == 1 && yPred[i] == 1) tp++;
                if (yPred[i] == 1) pred++;
                if (yTrue[i] == 1) sup++;
            }
            double p = divide(tp, pred, zeroDivision), r = divide(tp, sup, zeroDivision);
            return averaged(p, r, fBeta(p, r, beta));
        }
        if (average == Average.MICRO) {
            long tp = 0, pred = 0, sup = 0;
            for (long v : cm.truePositives()) tp += v;
            for (long v : cm.predictedCounts()) pred += v;
            for (long v : cm.support()) sup += v;
            double p = divide(tp, pred, zeroDivision), r = divide(tp, sup, zeroDivision);
            return averaged(p, r, fBeta(p, r, beta));
        }
        PrecisionRecallF per = perClass(cm, beta, zeroDivision);
        long[] sup = per.support();
        long totalSupport = 0;
        for (long s : sup) totalSupport += s;
        if (average == Average.WEIGHTED && totalSupport == 0) {
            double zd = zeroDivision;
            return yPred.length == 0 ? averaged(zd, zd, zd) : averaged(0, zd, 0);
        }
        double[] w = new double[sup.length];
        for (int c = 0; c < w.length; c++) w[c] = average == Average.WEIGHTED ? sup[c] : 1;
        return averaged(mean(per.precision(), w), mean(per.recall(), w), mean(per.fScore(), w));
    }

    /** Averaged precision (see {@link #precisionRecallF}). */
    public static double precision(long[] yTrue, long[] yPred, Average average, double zeroDivision) {
        return precisionRecallF(yTrue, yPred, average, 1, zeroDivision).precision()[0];
    }

    /** Averaged recall (see {@link #precisionRecallF}). */
    public static double recall(long[] yTrue, long[] yPred, Average average, double zeroDivision) {
        return precisionRecallF(yTrue, yPred, average, 1, zeroDivision).recall()[0];
    }

    /** Averaged F1 (see {@link #precisionRecallF}). */
    public static double f1(long[] yTrue, long[] yPred, Average average, double zeroDivision) {
        return precisionRecallF(yTrue, yPred, average, 1, zeroDivision).fScore()[0];
    }

    /** Averaged F-beta (see {@link #precisionRecallF}). */
    public static double fBeta(long[] yTrue, long[] yPred, double beta, Average average, double zeroDivision) {
        return precisionRecallF(yTrue, yPred, average, beta, zeroDivision).fScore()[0];
    }

    /** Averaged F1 on label tensors {@code [n]}, zero division 0. */
    public static double f1(Tensor yTrue, Tensor yPred, Average average) {
        return f1(Labels.of("f1", yTrue), Labels.of("f1", yPred), average, 0);
    }

    /**
     * Multi-class log loss (cross-entropy) of probabilities {@code [n, classes]} against labels
     * {@code 0..classes-1}; probabilities are clipped to {@code [ε, 1-ε]} (ε = 2.2e-16, float64's
     * machine epsilon) and each row renormalized, as scikit-learn does.
     */
    public static double logLoss(long[] yTrue, double[][] proba) {
        Labels.sameLength("logLoss", yTrue.length, proba.length);
        double eps = Math.ulp(1.0), total = 0;
        for (int i = 0; i < yTrue.length; i++) {
            int t = (int) yTrue[i];
            if (t < 0 || t >= proba[i].length) throw new IllegalArgumentException("logLoss: label " + t + " at position " + i + " outside 0.." + (proba[i].length - 1));
            double sum = 0;
            for (double p : proba[i]) sum += Math.min(Math.max(p, eps), 1 - eps);
            total -= Math.log(Math.min(Math.max(proba[i][t], eps), 1 - eps) / sum);
        }
        return total / yTrue.length;
    }

    /** {@link #logLoss(long[], double[][])} on tensors: {@code [n], [n, classes]}. */
    public static double logLoss(Tensor yTrue, Tensor proba) { return logLoss(Labels.of("logLoss", yTrue), Labels.rows("logLoss", proba)); }

    /**
     * The per-class table of scikit-learn's {@code classification_report} (same layout and
     * rounding: half-even on the exact binary value, as Python's format does).
     */
    public static String classificationReport(long[] yTrue, long[] yPred, int digits, double zeroDivision) {
        ConfusionMatrix cm = ConfusionMatrix.of(yTrue, yPred);
        PrecisionRecallF per = perClass(cm, 1, zeroDivision);
        String[] names = Arrays.stream(cm.labels()).mapToObj(Long::toString).toArray(String[]::new);
        int width = Math.max("weighted avg".length(), digits);
        for (String n : names) width = Math.max(width, n.length());
        StringBuilder sb = new StringBuilder();
        sb.append(pad("", width)).append(' ');
        for (String h : new String[]{"precision", "recall", "f1-score", "support"}) sb.append(' ').append(pad(h, 9));
        sb.append("\n\n");
        long total = 0;
        for (int c = 0; c < names.length; c++) {
            row(sb, names[c], width, digits, per.precision()[c], per.recall()[c], per.fScore()[c], per.support()[c]);
            total += per.support()[c];
        }
        sb.append('\n');
        PrecisionRecallF micro = precisionRecallF(yTrue, yPred, Average.MICRO, 1, zeroDivision);
        sb.append(pad("accuracy", width)).append(' ').append(' ').append(pad("", 9)).append(' ').append(pad("", 9))
                .append(' ').append(pad(fixed(micro.fScore()[0], digits), 9)).append(' ').append(pad(Long.toString(total), 9)).append('\n');
        for (Average a : new Average[]{Average.MACRO, Average.WEIGHTED}) {
            PrecisionRecallF avg = precisionRecallF(yTrue, yPred, a, 1, zeroDivision);
            row(sb, a == Average.MACRO ? "macro avg" : "weighted avg", width, digits, avg.precision()[0], avg.recall()[0], avg.fScore()[0], total);
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, int width, int digits, double p, double r, double f, long support) {
        sb.append(pad(name, width)).append(' ');
        for (double v : new double[]{p, r, f}) sb.append(' ').append(pad(fixed(v, digits), 9));
        sb.append(' ').append(pad(Long.toString(support), 9)).append('\n');
    }

    private static String pad(String s, int width) { return s.length() >= width ? s : " ".repeat(width - s.length()) + s; }

    private static String fixed(double v, int digits) { return new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).toPlainString(); }

    private static double divide(long num, long den, double zeroDivision) { return den == 0 ? zeroDivision : (double) num / den; }

    private static double fBeta(double p, double r, double beta) {
        double b2 = beta * beta, den = b2 * p + r;
        return den == 0 ? 0 : (1 + b2) * p * r / den;
    }

    private static double mean(double[] v, double[] w) {
        double s = 0, ws = 0;
        for (int i = 0; i < v.length; i++) { s += v[i] * w[i]; ws += w[i]; }
        return s / ws;
    }

    private static PrecisionRecallF averaged(double p, double r, double f) {
        return new PrecisionRecallF(new double[]{p}, new double[]{r}, new double[]{f}, new long[0]);
    }
}
