package dev.ember.linalg;

/**
 * The Cholesky factorization {@code A = L Lᵀ} of a symmetric positive-definite matrix, used to
 * solve normal equations ({@code (XᵀX + αI) w = Xᵀy}).
 */
public final class Cholesky {
    private final double[][] l;

    private Cholesky(double[][] l) { this.l = l; }

    /**
     * Factors {@code a} ({@code [n, n]}, symmetric; only the lower triangle is read).
     *
     * @throws IllegalArgumentException if {@code a} is not square or not positive definite
     */
    public static Cholesky of(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            if (a[i].length != n) throw new IllegalArgumentException("Cholesky: matrix must be square, row " + i + " has " + a[i].length + " columns, expected " + n);
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) s -= l[i][k] * l[j][k];
                if (i == j) {
                    if (!(s > 0)) throw new IllegalArgumentException("Cholesky: matrix is not positive definite (pivot " + s + " at " + i + ")");
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return new Cholesky(l);
    }

    /** The lower-triangular factor {@code L}, {@code [n, n]} (a copy). */
    public double[][] lower() {
        double[][] c = new double[l.length][];
        for (int i = 0; i < l.length; i++) c[i] = l[i].clone();
        return c;
    }

    /** Solves {@code A x = b} for {@code b} of length {@code n}: forward then back substitution. */
    public double[] solve(double[] b) {
        int n = l.length;
        if (b.length != n) throw new IllegalArgumentException("Cholesky.solve: right-hand side has length " + b.length + ", expected " + n);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i][k] * y[k];
            y[i] = s / l[i][i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) s -= l[k][i] * x[k];
            x[i] = s / l[i][i];
        }
        return x;
    }
}
