package dev.ember.ml;

import dev.ember.Tensor;

/**
 * Gaussian naive Bayes, as scikit-learn: per class the feature means and (population) variances,
 * each variance increased by {@code varSmoothing · max_j Var(X_j)} for stability, priors from
 * class frequencies; probabilities from the joint log-likelihood by log-sum-exp.
 */
public final class GaussianNB implements ProbabilisticClassifier {
    private double varSmoothing = 1e-9;
    private long[] classes;
    private double[][] theta, var;
    private double[] prior;

    /** {@code varSmoothing = 1e-9}. */
    public GaussianNB() {}

    /** With the given variance smoothing fraction. */
    public GaussianNB(double varSmoothing) { this.varSmoothing = varSmoothing; }

    /** Per-class feature means {@code [classes, features]}. */
    public double[][] theta() { return theta.clone(); }

    /** Per-class feature variances (smoothed) {@code [classes, features]}. */
    public double[][] variance() { return var.clone(); }

    /** Class priors {@code [classes]}. */
    public double[] prior() { return prior.clone(); }

    @Override
    public long[] classes() { return classes.clone(); }

    @Override
    public GaussianNB fit(Tensor x, Tensor y) {
        double[][] rows = Inputs.matrix("GaussianNB.fit", x);
        double[] yv = Inputs.vector("GaussianNB.fit", y, rows.length);
        LabelEncoding enc = LabelEncoding.of("GaussianNB.fit", yv);
        classes = enc.classes();
        int[] t = enc.encode(yv);
        int k = classes.length, p = rows[0].length, n = rows.length;
        theta = new double[k][p];
        var = new double[k][p];
        prior = new double[k];
        double[] count = new double[k];
        for (int i = 0; i < n; i++) {
            count[t[i]]++;
            for (int j = 0; j < p; j++) theta[t[i]][j] += rows[i][j];
        }
        for (int c = 0; c < k; c++) for (int j = 0; j < p; j++) theta[c][j] /= count[c];
        for (int i = 0; i < n; i++) for (int j = 0; j < p; j++) { double d = rows[i][j] - theta[t[i]][j]; var[t[i]][j] += d * d; }
        double maxVar = 0;
        for (int j = 0; j < p; j++) {
            double m = 0, v = 0;
            for (double[] r : rows) m += r[j];
            m /= n;
            for (double[] r : rows) v += (r[j] - m) * (r[j] - m);
            maxVar = Math.max(maxVar, v / n);
        }
        double epsilon = varSmoothing * maxVar;
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < p; j++) var[c][j] = var[c][j] / count[c] + epsilon;
            prior[c] = count[c] / n;
        }
        return this;
    }

    /** Joint log-likelihood {@code log P(c) + Σ_j log N(x_j; θ_cj, σ²_cj)}, {@code [m, classes]}. */
    private double[][] jointLogLikelihood(Tensor x) {
        Inputs.requireFitted("GaussianNB.predict", theta != null);
        double[][] rows = Inputs.matrix("GaussianNB.predict", x, theta[0].length);
        double[][] out = new double[rows.length][classes.length];
        for (int c = 0; c < classes.length; c++) {
            double norm = 0;
            for (double v : var[c]) norm += Math.log(2 * Math.PI * v);
            for (int i = 0; i < rows.length; i++) {
                double s = 0;
                for (int j = 0; j < rows[i].length; j++) { double d = rows[i][j] - theta[c][j]; s += d * d / var[c][j]; }
                out[i][c] = Math.log(prior[c]) - 0.5 * norm - 0.5 * s;
            }
        }
        return out;
    }

    @Override
    public Tensor predictProba(Tensor x) {
        double[][] j = jointLogLikelihood(x);
        for (double[] row : j) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (double v : row) max = Math.max(max, v);
            for (double v : row) sum += Math.exp(v - max);
            double lse = max + Math.log(sum);
            for (int c = 0; c < row.length; c++) row[c] = Math.exp(row[c] - lse);
        }
        return Inputs.rows(j, classes.length);
    }

    @Override
    public Tensor predict(Tensor x) { return Inputs.labels(Argmax.labels(jointLogLikelihood(x), classes)); }
}
