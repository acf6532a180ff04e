package dev.ember.metrics;

import dev.ember.DType;
import dev.ember.Tensor;

/** Reads label and score tensors into host arrays with the checks every metric needs. */
final class Labels {
    private Labels() {}

    /** Labels {@code [n]} (or any shape, flattened) as longs; float values must be integral. */
    static long[] of(String op, Tensor t) {
        if (t.dtype().isFloatingPoint()) {
            double[] d = t.toDoubleArray();
            long[] out = new long[d.length];
            for (int i = 0; i < d.length; i++) {
                if (d[i] != Math.rint(d[i])) throw new IllegalArgumentException(op + ": label at position " + i + " is not an integer: " + d[i]);
                out[i] = (long) d[i];
            }
            return out;
        }
        return t.to(DType.INT64).toLongArray();
    }

    /** Predicted labels: the arg-max of scores {@code [n, classes]}, or labels {@code [n]} as they are. */
    static long[] predicted(String op, Tensor output) {
        if (output.dim() == 2) return output.argmax(1).toLongArray();
        if (output.dim() != 1) throw new IllegalArgumentException(op + ": output must be [batch] labels or [batch, classes] scores, got " + java.util.Arrays.toString(output.shape()));
        return of(op, output);
    }

    /** A score matrix {@code [n, k]} as rows. */
    static double[][] rows(String op, Tensor scores) {
        if (scores.dim() != 2) throw new IllegalArgumentException(op + ": scores must be [n, classes], got " + java.util.Arrays.toString(scores.shape()));
        int n = (int) scores.size(0), k = (int) scores.size(1);
        double[] flat = scores.toDoubleArray();
        double[][] out = new double[n][k];
        for (int i = 0; i < n; i++) System.arraycopy(flat, i * k, out[i], 0, k);
        return out;
    }

    static void sameLength(String op, int a, int b) {
        if (a != b) throw new IllegalArgumentException(op + ": " + a + " true values but " + b + " predictions");
    }
}
