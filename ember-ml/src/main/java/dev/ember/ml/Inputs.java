package dev.ember.ml;

import dev.ember.Tensor;

import java.util.Arrays;

/** Reads estimator inputs into float64 host arrays, with the shape checks every estimator needs. */
final class Inputs {
    private Inputs() {}

    /** {@code X [n, features]} as rows. */
    static double[][] matrix(String op, Tensor x) {
        if (x == null) throw new IllegalArgumentException(op + ": X is null");
        if (x.dim() != 2) throw new IllegalArgumentException(op + ": X must be [n, features], got " + Arrays.toString(x.shape()));
        int n = (int) x.size(0), p = (int) x.size(1);
        double[] flat = x.toDoubleArray();
        double[][] rows = new double[n][p];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * p, rows[i], 0, p);
            for (int j = 0; j < p; j++)
                if (!Double.isFinite(rows[i][j])) throw new IllegalArgumentException(op + ": X[" + i + ", " + j + "] is " + rows[i][j]);
        }
        return rows;
    }

    /** {@code X} rounded to float32 values, as scikit-learn's trees see their input (thresholds then match exactly). */
    static double[][] matrixFloat32(String op, Tensor x, int features) {
        double[][] rows = features < 0 ? matrix(op, x) : matrix(op, x, features);
        for (double[] r : rows) for (int j = 0; j < r.length; j++) r[j] = (float) r[j];
        return rows;
    }

    /** {@code X} with a required number of features (as seen in fit). */
    static double[][] matrix(String op, Tensor x, int features) {
        double[][] rows = matrix(op, x);
        if (x.size(1) != features) throw new IllegalArgumentException(op + ": X has " + x.size(1) + " features, the model was fitted with " + features);
        return rows;
    }

    /** {@code y [n]} as values, with {@code n} matching {@code X}. */
    static double[] vector(String op, Tensor y, int n) {
        if (y == null) throw new IllegalArgumentException(op + ": y is null");
        if (y.numel() != n || y.dim() > 1 && !(y.dim() == 2 && y.size(1) == 1))
            throw new IllegalArgumentException(op + ": y must be [" + n + "] to match X, got " + Arrays.toString(y.shape()));
        return y.toDoubleArray();
    }

    /** Fails unless {@code fitted}. */
    static void requireFitted(String op, boolean fitted) {
        if (!fitted) throw new IllegalStateException(op + ": the model is not fitted; call fit first");
    }

    /** Values {@code [n]} as a FLOAT64 tensor. */
    static Tensor values(double[] v) { return Tensor.of(v, v.length); }

    /** Labels {@code [n]} as an INT64 tensor. */
    static Tensor labels(long[] v) { return Tensor.of(v, v.length); }

    /** Rows {@code [n, k]} as a FLOAT64 tensor. */
    static Tensor rows(double[][] r, int k) {
        double[] flat = new double[r.length * k];
        for (int i = 0; i < r.length; i++) System.arraycopy(r[i], 0, flat, i * k, k);
        return Tensor.of(flat, r.length, k);
    }
}
