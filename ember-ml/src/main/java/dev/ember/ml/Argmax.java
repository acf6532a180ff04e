package dev.ember.ml;

/** Arg-max over class scores, lowest index on ties (scikit-learn's rule). */
final class Argmax {
    private Argmax() {}

    static int of(double[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
        return best;
    }

    /** The label of the highest score in each row. */
    static long[] labels(double[][] scores, long[] classes) {
        long[] out = new long[scores.length];
        for (int i = 0; i < scores.length; i++) out[i] = classes[of(scores[i])];
        return out;
    }
}
