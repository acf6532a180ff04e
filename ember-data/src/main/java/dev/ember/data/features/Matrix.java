package dev.ember.data.features;

import dev.ember.DType;
import dev.ember.Tensor;
import java.util.Arrays;

/** Host float64 copies of {@code [n, features]} tensors for the fitting code. */
final class Matrix {
    private Matrix() {}

    static double[][] rows(Tensor x, String op) {
        if (x.dim() != 2) throw new IllegalArgumentException(op + ": expected [n, features], got " + Arrays.toString(x.shape()));
        int n = (int) x.size(0), f = (int) x.size(1);
        double[] flat = x.toDoubleArray();
        double[][] out = new double[n][f];
        for (int i = 0; i < n; i++) System.arraycopy(flat, i * f, out[i], 0, f);
        return out;
    }

    static double[] column(double[][] rows, int j) {
        double[] c = new double[rows.length];
        for (int i = 0; i < rows.length; i++) c[i] = rows[i][j];
        return c;
    }

    static Tensor tensor(double[][] rows, int cols, Tensor like) {
        double[] flat = new double[rows.length * cols];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, flat, i * cols, cols);
        Tensor t = Tensor.of(flat, rows.length, cols);
        return like != null && like.dtype() == DType.FLOAT64 ? t : t.to(DType.FLOAT32);
    }

    static void checkFitted(Object state, String op) {
        if (state == null) throw new IllegalStateException(op + ": not fitted; call fit first");
    }

    static void checkWidth(double[][] rows, int expected, String op) {
        if (rows.length > 0 && rows[0].length != expected)
            throw new IllegalArgumentException(op + ": fitted on " + expected + " features, got " + rows[0].length);
    }

    /** numpy's default (linear) percentile of sorted values, {@code q} in [0, 100]. */
    static double percentile(double[] sorted, double q) {
        double pos = q / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
