package dev.ember.ml;

import dev.ember.Tensor;

/**
 * L2-regularized logistic regression, scikit-learn's {@code LogisticRegression(solver="lbfgs")}:
 * minimizes {@code C Σᵢ loss(xᵢ, yᵢ) + ½ ||W||²} (intercepts not penalized). Two classes use the
 * binary logistic loss with one weight vector; more classes the multinomial (softmax) loss with
 * one weight vector per class. Solved by L-BFGS to a gradient max-norm of {@code tol}.
 * Features of very different scales slow the solver down; standardize them first.
 */
public final class LogisticRegression implements ProbabilisticClassifier {
    private double c = 1.0;
    private int maxIter = 1000;
    private double tol = 1e-8;
    private long[] classes;
    private double[][] coef;       // [outputs, features]; outputs = 1 for binary, else classes
    private double[] intercept;    // [outputs]
    private int iterations;

    /** C = 1, at most 1000 iterations, gradient tolerance 1e-8. */
    public LogisticRegression() {}

    /** Inverse regularization strength {@code c > 0}, iteration limit and gradient tolerance. */
    public LogisticRegression(double c, int maxIter, double tol) {
        if (!(c > 0)) throw new IllegalArgumentException("LogisticRegression: C must be > 0, got " + c);
        this.c = c;
        this.maxIter = maxIter;
        this.tol = tol;
    }

    /** Weights {@code [1, features]} (binary) or {@code [classes, features]} (a copy). */
    public double[][] coef() {
        Inputs.requireFitted("LogisticRegression", coef != null);
        double[][] out = new double[coef.length][];
        for (int i = 0; i < coef.length; i++) out[i] = coef[i].clone();
        return out;
    }

    /** Intercepts {@code [1]} (binary) or {@code [classes]}. */
    public double[] intercept() {
        Inputs.requireFitted("LogisticRegression", coef != null);
        return intercept.clone();
    }

    /** L-BFGS iterations of the last fit. */
    public int iterations() { return iterations; }

    @Override
    public long[] classes() { return classes.clone(); }

    @Override
    public LogisticRegression fit(Tensor x, Tensor y) {
        double[][] rows = Inputs.matrix("LogisticRegression.fit", x);
        double[] yv = Inputs.vector("LogisticRegression.fit", y, rows.length);
        LabelEncoding enc = LabelEncoding.of("LogisticRegression.fit", yv);
        if (enc.size() < 2) throw new IllegalArgumentException("LogisticRegression.fit: needs at least 2 classes, got " + enc.size());
        classes = enc.classes();
        int[] t = enc.encode(yv);
        int p = rows[0].length, k = enc.size() == 2 ? 1 : enc.size();
        Lbfgs.Objective f = k == 1 ? (w, g) -> binaryLoss(rows, t, w, g) : (w, g) -> multinomialLoss(rows, t, k, w, g);
        Lbfgs.Result r = Lbfgs.minimize(f, new double[k * (p + 1)], 20, maxIter, tol);
        iterations = r.iterations();
        coef = new double[k][p];
        intercept = new double[k];
        for (int o = 0; o < k; o++) {
            System.arraycopy(r.w(), o * (p + 1), coef[o], 0, p);
            intercept[o] = r.w()[o * (p + 1) + p];
        }
        return this;
    }

    /** Parameters are laid out per output as {@code [w_0 .. w_{p-1}, b]}. */
    private double binaryLoss(double[][] x, int[] t, double[] w, double[] g) {
        int p = x[0].length;
        java.util.Arrays.fill(g, 0);
        double loss = 0;
        for (int i = 0; i < x.length; i++) {
            double z = w[p];
            for (int j = 0; j < p; j++) z += w[j] * x[i][j];
            // log(1 + e^z) - t z, computed without overflow
            loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t[i] * z;
            double d = c * (sigmoid(z) - t[i]);
            for (int j = 0; j < p; j++) g[j] += d * x[i][j];
            g[p] += d;
        }
        loss *= c;
        for (int j = 0; j < p; j++) { loss += 0.5 * w[j] * w[j]; g[j] += w[j]; }
        return loss;
    }

    private double multinomialLoss(double[][] x, int[] t, int k, double[] w, double[] g) {
        int p = x[0].length, stride = p + 1;
        java.util.Arrays.fill(g, 0);
        double loss = 0;
        double[] z = new double[k], e = new double[k];
        for (int i = 0; i < x.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int o = 0; o < k; o++) {
                double s = w[o * stride + p];
                for (int j = 0; j < p; j++) s += w[o * stride + j] * x[i][j];
                z[o] = s;
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int o = 0; o < k; o++) sum += e[o] = Math.exp(z[o] - max);
            loss += max + Math.log(sum) - z[t[i]];
            for (int o = 0; o < k; o++) {
                double d = c * (e[o] / sum - (o == t[i] ? 1 : 0));
                int base = o * stride;
                for (int j = 0; j < p; j++) g[base + j] += d * x[i][j];
                g[base + p] += d;
            }
        }
        loss *= c;
        for (int o = 0; o < k; o++)
            for (int j = 0; j < p; j++) { double v = w[o * stride + j]; loss += 0.5 * v * v; g[o * stride + j] += v; }
        return loss;
    }

    private static double sigmoid(double z) { return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)); }

    /** Raw scores {@code [m, features] -> [m, outputs]}: {@code X Wᵀ + b}. */
    public double[][] decisionFunction(double[][] rows) {
        double[][] out = new double[rows.length][coef.length];
        for (int i = 0; i < rows.length; i++)
            for (int o = 0; o < coef.length; o++) {
                double s = intercept[o];
                for (int j = 0; j < coef[o].length; j++) s += coef[o][j] * rows[i][j];
                out[i][o] = s;
            }
        return out;
    }

    private double[][] proba(Tensor x) {
        Inputs.requireFitted("LogisticRegression.predictProba", coef != null);
        double[][] z = decisionFunction(Inputs.matrix("LogisticRegression.predict", x, coef[0].length));
        double[][] p = new double[z.length][classes.length];
        for (int i = 0; i < z.length; i++) {
            if (coef.length == 1) {
                p[i][1] = sigmoid(z[i][0]);
                p[i][0] = 1 - p[i][1];
            } else {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (double v : z[i]) max = Math.max(max, v);
                for (int o = 0; o < z[i].length; o++) sum += p[i][o] = Math.exp(z[i][o] - max);
                for (int o = 0; o < z[i].length; o++) p[i][o] /= sum;
            }
        }
        return p;
    }

    @Override
    public Tensor predictProba(Tensor x) { return Inputs.rows(proba(x), classes.length); }

    @Override
    public Tensor predict(Tensor x) { return Inputs.labels(Argmax.labels(proba(x), classes)); }
}
