package dev.ember.linalg;

/**
 * The eigendecomposition {@code A = V diag(λ) Vᵀ} of a real symmetric matrix by the cyclic
 * Jacobi method: slow for large {@code n} (O(n³) per sweep) but accurate to the last digits
 * for every eigenvalue, which is what PCA's small covariance matrices need.
 * Eigenvalues come in descending order; the columns of {@link #vectors()} are the unit eigenvectors.
 */
public final class SymmetricEigen {
    private static final int MAX_SWEEPS = 100;

    private final double[] values;
    private final double[][] vectors;

    private SymmetricEigen(double[] values, double[][] vectors) {
        this.values = values;
        this.vectors = vectors;
    }

    /**
     * Decomposes {@code a} ({@code [n, n]}; must be symmetric to about 1e-10 relative).
     *
     * @throws IllegalArgumentException if {@code a} is not square or not symmetric
     */
    public static SymmetricEigen of(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][];
        double scale = 0;
        for (int i = 0; i < n; i++) {
            if (a[i].length != n) throw new IllegalArgumentException("SymmetricEigen: matrix must be square, row " + i + " has " + a[i].length + " columns, expected " + n);
            m[i] = a[i].clone();
            for (double v : a[i]) scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                if (Math.abs(m[i][j] - m[j][i]) > 1e-10 * Math.max(scale, 1e-300))
                    throw new IllegalArgumentException("SymmetricEigen: matrix is not symmetric at (" + i + ", " + j + ")");
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) v[i][i] = 1;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++) {
                diag += m[i][i] * m[i][i];
                for (int j = i + 1; j < n; j++) off += m[i][j] * m[i][j];
            }
            if (off <= 1e-30 * diag || off == 0) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                    rotate(m, v, p, q);
        }
        // Sort descending by eigenvalue.
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(m[y][y], m[x][x]));
        double[] values = new double[n];
        double[][] vectors = new double[n][n];
        for (int c = 0; c < n; c++) {
            values[c] = m[order[c]][order[c]];
            for (int r = 0; r < n; r++) vectors[r][c] = v[r][order[c]];
        }
        return new SymmetricEigen(values, vectors);
    }

    /** One Jacobi rotation that zeroes {@code m[p][q]} (Rutishauser's stable formulas). */
    private static void rotate(double[][] m, double[][] v, int p, int q) {
        double apq = m[p][q];
        if (apq == 0) return;
        double theta = (m[q][q] - m[p][p]) / (2 * apq);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) t = 1;
        double c = 1 / Math.sqrt(t * t + 1), s = t * c;
        int n = m.length;
        for (int k = 0; k < n; k++) {   // columns p, q
            double mkp = m[k][p], mkq = m[k][q];
            m[k][p] = c * mkp - s * mkq;
            m[k][q] = s * mkp + c * mkq;
        }
        for (int k = 0; k < n; k++) {   // rows p, q
            double mpk = m[p][k], mqk = m[q][k];
            m[p][k] = c * mpk - s * mqk;
            m[q][k] = s * mpk + c * mqk;
        }
        m[p][q] = 0;
        m[q][p] = 0;
        for (int k = 0; k < n; k++) {
            double vkp = v[k][p], vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
        }
    }

    /** Eigenvalues, descending, length {@code n} (a copy). */
    public double[] values() { return values.clone(); }

    /** Eigenvectors as the columns of an {@code [n, n]} matrix, in the order of {@link #values()} (a copy). */
    public double[][] vectors() {
        double[][] c = new double[vectors.length][];
        for (int i = 0; i < vectors.length; i++) c[i] = vectors[i].clone();
        return c;
    }
}
