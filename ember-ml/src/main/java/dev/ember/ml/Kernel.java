package dev.ember.ml;

/**
 * An SVM kernel {@code k(a, b)}: linear {@code a·b}, RBF {@code exp(-γ ||a-b||²)} or polynomial
 * {@code (γ a·b + coef0)^degree}, scikit-learn's definitions.
 *
 * @param type   the kernel family
 * @param gamma  γ (RBF, polynomial); resolved from "scale" at fit time when not positive
 * @param degree polynomial degree
 * @param coef0  polynomial offset
 */
public record Kernel(Type type, double gamma, int degree, double coef0) {
    /** Kernel families. */
    public enum Type { LINEAR, RBF, POLY }

    /** The linear kernel. */
    public static Kernel linear() { return new Kernel(Type.LINEAR, 0, 1, 0); }

    /** RBF with γ = "scale" ({@code 1 / (features · Var(X))}, scikit-learn's default). */
    public static Kernel rbf() { return new Kernel(Type.RBF, 0, 3, 0); }

    /** RBF with a given {@code gamma > 0}. */
    public static Kernel rbf(double gamma) { return new Kernel(Type.RBF, gamma, 3, 0); }

    /** Polynomial of {@code degree} with γ = "scale" and offset {@code coef0}. */
    public static Kernel poly(int degree, double coef0) { return new Kernel(Type.POLY, 0, degree, coef0); }

    /** This kernel with γ = "scale" resolved for training rows {@code x}, if γ was not given. */
    Kernel resolved(double[][] x) {
        if (gamma > 0 || type == Type.LINEAR) return this;
        double sum = 0, sq = 0;
        long n = 0;
        for (double[] r : x) for (double v : r) { sum += v; n++; }
        double mean = sum / n;
        for (double[] r : x) for (double v : r) sq += (v - mean) * (v - mean);   // two passes: no cancellation
        double var = sq / n;
        return new Kernel(type, var > 0 ? 1 / (x[0].length * var) : 1.0, degree, coef0);
    }

    double apply(double[] a, double[] b) {
        return switch (type) {
            case LINEAR -> dot(a, b);
            case POLY -> Math.pow(gamma * dot(a, b) + coef0, degree);
            case RBF -> {
                double s = 0;
                for (int i = 0; i < a.length; i++) { double d = a[i] - b[i]; s += d * d; }
                yield Math.exp(-gamma * s);
            }
        };
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
