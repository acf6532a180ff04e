package dev.ember.linalg;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Factorizations reconstruct their input and solve systems, checked with plain float64 loops. */
class LinalgTest {
    private static double[][] random(int m, int n, long seed) {
        Random r = new Random(seed);
        double[][] a = new double[m][n];
        for (double[] row : a) for (int j = 0; j < n; j++) row[j] = r.nextGaussian();
        return a;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++)
            for (int k = 0; k < b.length; k++)
                for (int j = 0; j < b[0].length; j++) c[i][j] += a[i][k] * b[k][j];
        return c;
    }

    private static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[0].length; j++) t[j][i] = a[i][j];
        return t;
    }

    private static void assertMatrixEquals(double[][] expected, double[][] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) assertArrayEquals(expected[i], actual[i], tol, "row " + i);
    }

    private static double[][] spd(int n, long seed) {
        double[][] a = random(n + 3, n, seed);
        double[][] s = multiply(transpose(a), a);
        for (int i = 0; i < n; i++) s[i][i] += 0.5;
        return s;
    }

    @Test
    void choleskyReconstructsAndSolves() {
        double[][] a = spd(7, 1);
        Cholesky c = Cholesky.of(a);
        double[][] l = c.lower();
        assertMatrixEquals(a, multiply(l, transpose(l)), 1e-12);
        for (int i = 0; i < 7; i++) for (int j = i + 1; j < 7; j++) assertEquals(0, l[i][j]);
        double[] x = {1, -2, 3, 0.5, 0, 4, -1};
        double[] b = new double[7];
        for (int i = 0; i < 7; i++) for (int j = 0; j < 7; j++) b[i] += a[i][j] * x[j];
        assertArrayEquals(x, c.solve(b), 1e-10);
    }

    @Test
    void choleskyRejectsIndefinite() {
        var e = assertThrows(IllegalArgumentException.class, () -> Cholesky.of(new double[][]{{1, 2}, {2, 1}}));
        assertTrue(e.getMessage().contains("positive definite"), e.getMessage());
    }

    @Test
    void qrReconstructsWithOrthonormalQ() {
        double[][] a = random(9, 4, 2);
        HouseholderQR qr = HouseholderQR.of(a);
        double[][] q = qr.q(), r = qr.r();
        assertMatrixEquals(a, multiply(q, r), 1e-12);
        double[][] qtq = multiply(transpose(q), q);
        for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) assertEquals(i == j ? 1 : 0, qtq[i][j], 1e-12);
        for (int i = 1; i < 4; i++) for (int j = 0; j < i; j++) assertEquals(0, r[i][j]);
    }

    @Test
    void qrLeastSquaresMatchesNormalEquations() {
        double[][] a = random(20, 5, 3);
        double[] b = new double[20];
        Random rnd = new Random(4);
        for (int i = 0; i < 20; i++) b[i] = rnd.nextGaussian();
        double[] x = HouseholderQR.of(a).solve(b);
        // The residual is orthogonal to the column space: Aᵀ (A x - b) = 0.
        for (int j = 0; j < 5; j++) {
            double g = 0;
            for (int i = 0; i < 20; i++) {
                double res = -b[i];
                for (int k = 0; k < 5; k++) res += a[i][k] * x[k];
                g += a[i][j] * res;
            }
            assertEquals(0, g, 1e-10);
        }
        double[][] ata = multiply(transpose(a), a);
        double[] atb = new double[5];
        for (int j = 0; j < 5; j++) for (int i = 0; i < 20; i++) atb[j] += a[i][j] * b[i];
        assertArrayEquals(Cholesky.of(ata).solve(atb), x, 1e-10);
    }

    @Test
    void qrDetectsRankDeficiency() {
        double[][] a = {{1, 2}, {2, 4}, {3, 6}};
        assertFalse(HouseholderQR.of(a).isFullRank());
        assertThrows(IllegalStateException.class, () -> HouseholderQR.of(a).solve(new double[]{1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> HouseholderQR.of(new double[][]{{1, 2, 3}}));
    }

    @Test
    void jacobiEigenReconstructs() {
        double[][] a = spd(12, 5);
        SymmetricEigen e = SymmetricEigen.of(a);
        double[] w = e.values();
        double[][] v = e.vectors();
        for (int i = 1; i < w.length; i++) assertTrue(w[i - 1] >= w[i]);
        double[][] vtv = multiply(transpose(v), v);
        for (int i = 0; i < 12; i++) for (int j = 0; j < 12; j++) assertEquals(i == j ? 1 : 0, vtv[i][j], 1e-12);
        double[][] av = multiply(a, v);
        for (int i = 0; i < 12; i++) for (int j = 0; j < 12; j++) assertEquals(w[j] * v[i][j], av[i][j], 1e-10);
        double trace = 0, sum = 0;
        for (int i = 0; i < 12; i++) { trace += a[i][i]; sum += w[i]; }
        assertEquals(trace, sum, 1e-10);
    }

    @Test
    void jacobiKnownTwoByTwo() {
        SymmetricEigen e = SymmetricEigen.of(new double[][]{{2, 1}, {1, 2}});
        assertArrayEquals(new double[]{3, 1}, e.values(), 1e-14);
        double[][] v = e.vectors();
        assertEquals(1 / Math.sqrt(2), Math.abs(v[0][0]), 1e-14);
        assertEquals(v[0][0], v[1][0], 1e-14);
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[][]{{1, 2}, {0, 1}}));
    }
}
