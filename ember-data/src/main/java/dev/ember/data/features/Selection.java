package dev.ember.data.features;

import dev.ember.Tensor;

/** Column selection by a support mask, and its inverse. */
final class Selection {
    private Selection() {}

    static Tensor select(Tensor x, boolean[] support, String op) {
        double[][] r = Matrix.rows(x, op);
        Matrix.checkWidth(r, support.length, op);
        int kept = 0;
        for (boolean s : support) if (s) kept++;
        double[][] out = new double[r.length][kept];
        for (int i = 0; i < r.length; i++) {
            int k = 0;
            for (int j = 0; j < support.length; j++) if (support[j]) out[i][k++] = r[i][j];
        }
        return Matrix.tensor(out, kept, x);
    }

    static Tensor unselect(Tensor x, boolean[] support, String op) {
        int kept = 0;
        for (boolean s : support) if (s) kept++;
        double[][] r = Matrix.rows(x, op);
        Matrix.checkWidth(r, kept, op);
        double[][] out = new double[r.length][support.length];
        for (int i = 0; i < r.length; i++) {
            int k = 0;
            for (int j = 0; j < support.length; j++) if (support[j]) out[i][j] = r[i][k++];
        }
        return Matrix.tensor(out, support.length, x);
    }
}
