package dev.ember.testing;

/** Independent float64 special functions for the tests (series and continued fraction, not Ember's code). */
public final class RefMath {
    private RefMath() {}

    /** erf by its Maclaurin series below 3 and the Laplace continued fraction of erfc above. */
    public static double erf(double x) {
        double ax = Math.abs(x);
        if (ax < 3) {
            double term = x, sum = x;
            for (int n = 1; n < 200; n++) {
                term *= -x * x / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            return 2 / Math.sqrt(Math.PI) * sum;
        }
        double f = 0;
        for (int n = 60; n >= 1; n--) f = n / 2.0 / (ax + f);
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        return Math.copySign(1 - erfc, x);
    }
}
