package dev.ember.linalg;

/**
 * The QR factorization {@code A = Q R} of an {@code [m, n]} matrix with {@code m >= n} by
 * Householder reflections; solves least-squares problems {@code min ||A x - b||} without
 * forming {@code AᵀA} (so the condition number is not squared).
 */
public final class HouseholderQR {
    private final double[][] qr;   // R above the diagonal, Householder vectors below (LAPACK-style packing)
    private final double[] rDiag;
    private final int m, n;

    private HouseholderQR(double[][] qr, double[] rDiag) {
        this.qr = qr;
        this.rDiag = rDiag;
        this.m = qr.length;
        this.n = rDiag.length;
    }

    /**
     * Factors {@code a} ({@code [m, n]}, {@code m >= n}).
     *
     * @throws IllegalArgumentException if {@code m < n} or rows differ in length
     */
    public static HouseholderQR of(double[][] a) {
        int m = a.length, n = m == 0 ? 0 : a[0].length;
        if (m < n) throw new IllegalArgumentException("HouseholderQR: needs rows >= columns, got [" + m + ", " + n + "]");
        double[][] qr = new double[m][];
        for (int i = 0; i < m; i++) {
            if (a[i].length != n) throw new IllegalArgumentException("HouseholderQR: row " + i + " has " + a[i].length + " columns, expected " + n);
            qr[i] = a[i].clone();
        }
        double[] rDiag = new double[n];
        for (int k = 0; k < n; k++) {
            double norm = 0;
            for (int i = k; i < m; i++) norm = Math.hypot(norm, qr[i][k]);
            if (norm != 0) {
                if (qr[k][k] < 0) norm = -norm;
                for (int i = k; i < m; i++) qr[i][k] /= norm;
                qr[k][k] += 1;
                for (int j = k + 1; j < n; j++) {
                    double s = 0;
                    for (int i = k; i < m; i++) s += qr[i][k] * qr[i][j];
                    s = -s / qr[k][k];
                    for (int i = k; i < m; i++) qr[i][j] += s * qr[i][k];
                }
            }
            rDiag[k] = -norm;
        }
        return new HouseholderQR(qr, rDiag);
    }

    /** Whether {@code R} has no (relatively) zero diagonal entry, i.e. {@code A} has full column rank. */
    public boolean isFullRank() {
        double max = 0;
        for (double d : rDiag) max = Math.max(max, Math.abs(d));
        for (double d : rDiag) if (Math.abs(d) <= 1e-12 * max || d == 0) return false;
        return true;
    }

    /** The upper-triangular factor {@code R}, {@code [n, n]}. */
    public double[][] r() {
        double[][] r = new double[n][n];
        for (int i = 0; i < n; i++) {
            r[i][i] = rDiag[i];
            for (int j = i + 1; j < n; j++) r[i][j] = qr[i][j];
        }
        return r;
    }

    /** The thin orthonormal factor {@code Q}, {@code [m, n]}. */
    public double[][] q() {
        double[][] q = new double[m][n];
        for (int k = n - 1; k >= 0; k--) {
            q[k][k] = 1;
            for (int j = k; j < n; j++) {
                if (qr[k][k] == 0) continue;
                double s = 0;
                for (int i = k; i < m; i++) s += qr[i][k] * q[i][j];
                s = -s / qr[k][k];
                for (int i = k; i < m; i++) q[i][j] += s * qr[i][k];
            }
        }
        return q;
    }

    /**
     * The least-squares solution of {@code A x = b}: {@code b} of length {@code m} -> {@code x} of length {@code n}.
     *
     * @throws IllegalStateException if {@code A} is rank deficient
     */
    public double[] solve(double[] b) {
        if (b.length != m) throw new IllegalArgumentException("HouseholderQR.solve: right-hand side has length " + b.length + ", expected " + m);
        if (!isFullRank()) throw new IllegalStateException("HouseholderQR.solve: matrix is rank deficient");
        double[] y = b.clone();
        for (int k = 0; k < n; k++) {   // y = Qᵀ b
            double s = 0;
            for (int i = k; i < m; i++) s += qr[i][k] * y[i];
            s = -s / qr[k][k];
            for (int i = k; i < m; i++) y[i] += s * qr[i][k];
        }
        double[] x = new double[n];
        for (int k = n - 1; k >= 0; k--) {
            double s = y[k];
            for (int j = k + 1; j < n; j++) s -= qr[k][j] * x[j];
            x[k] = s / rDiag[k];
        }
        return x;
    }
}
