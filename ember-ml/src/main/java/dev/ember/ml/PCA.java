package dev.ember.ml;

import dev.ember.Tensor;
import dev.ember.linalg.SymmetricEigen;

import java.nio.file.Path;

/**
 * Principal component analysis: the top eigenvectors of the sample covariance of the centered
 * data ({@link SymmetricEigen}). Signs follow scikit-learn's {@code svd_flip}: the training
 * projection of largest magnitude on each component is positive. With {@code whiten}, projections
 * are divided by the square root of their variance.
 */
public final class PCA {
    private int nComponents;
    private boolean whiten;
    private double[] mean, explainedVariance, explainedVarianceRatio;
    private double[][] components;   // [nComponents, features]

    /** No-argument constructor for deserialization. */
    public PCA() {}

    /** Keeps {@code nComponents >= 1} components; {@code whiten} scales projections to unit variance. */
    public PCA(int nComponents, boolean whiten) {
        if (nComponents < 1) throw new IllegalArgumentException("PCA: nComponents must be >= 1, got " + nComponents);
        this.nComponents = nComponents;
        this.whiten = whiten;
    }

    /** Fits on {@code X [n, features]} ({@code n >= 2}); returns {@code this}. */
    public PCA fit(Tensor x) {
        double[][] rows = Inputs.matrix("PCA.fit", x);
        int n = rows.length, p = rows[0].length;
        if (n < 2) throw new IllegalArgumentException("PCA.fit: needs at least 2 rows, got " + n);
        if (nComponents > Math.min(n, p)) throw new IllegalArgumentException("PCA.fit: nComponents " + nComponents + " > min(rows, features) = " + Math.min(n, p));
        mean = new double[p];
        for (double[] r : rows) for (int j = 0; j < p; j++) mean[j] += r[j];
        for (int j = 0; j < p; j++) mean[j] /= n;
        double[][] cov = new double[p][p];
        double[] c = new double[p];
        for (double[] r : rows) {
            for (int j = 0; j < p; j++) c[j] = r[j] - mean[j];
            for (int a = 0; a < p; a++) for (int b = 0; b <= a; b++) cov[a][b] += c[a] * c[b];
        }
        for (int a = 0; a < p; a++) for (int b = 0; b <= a; b++) cov[b][a] = cov[a][b] /= (n - 1);
        SymmetricEigen eig = SymmetricEigen.of(cov);
        double[] values = eig.values();
        double[][] vectors = eig.vectors();
        double total = 0;
        for (double v : values) total += Math.max(v, 0);
        components = new double[nComponents][p];
        explainedVariance = new double[nComponents];
        explainedVarianceRatio = new double[nComponents];
        for (int k = 0; k < nComponents; k++) {
            for (int j = 0; j < p; j++) components[k][j] = vectors[j][k];
            explainedVariance[k] = Math.max(values[k], 0);
            explainedVarianceRatio[k] = explainedVariance[k] / total;
            // svd_flip: make the largest-magnitude training projection positive.
            double best = 0;
            for (double[] r : rows) {
                double s = 0;
                for (int j = 0; j < p; j++) s += (r[j] - mean[j]) * components[k][j];
                if (Math.abs(s) > Math.abs(best)) best = s;
            }
            if (best < 0) for (int j = 0; j < p; j++) components[k][j] = -components[k][j];
        }
        return this;
    }

    /** Principal axes {@code [nComponents, features]}, unit rows, by decreasing variance. */
    public double[][] components() {
        Inputs.requireFitted("PCA", components != null);
        double[][] out = new double[components.length][];
        for (int i = 0; i < out.length; i++) out[i] = components[i].clone();
        return out;
    }

    /** Variance along each component (sample variance, {@code n - 1}). */
    public double[] explainedVariance() { return explainedVariance.clone(); }

    /** Fraction of the total variance along each component. */
    public double[] explainedVarianceRatio() { return explainedVarianceRatio.clone(); }

    /** Projects {@code [m, features] -> [m, nComponents]}. */
    public Tensor transform(Tensor x) {
        Inputs.requireFitted("PCA.transform", components != null);
        double[][] rows = Inputs.matrix("PCA.transform", x, mean.length);
        double[][] out = new double[rows.length][nComponents];
        for (int i = 0; i < rows.length; i++)
            for (int k = 0; k < nComponents; k++) {
                double s = 0;
                for (int j = 0; j < mean.length; j++) s += (rows[i][j] - mean[j]) * components[k][j];
                out[i][k] = whiten ? s / Math.sqrt(explainedVariance[k]) : s;
            }
        return Inputs.rows(out, nComponents);
    }

    /** Maps projections back {@code [m, nComponents] -> [m, features]} (exact for data in the components' span). */
    public Tensor inverseTransform(Tensor z) {
        Inputs.requireFitted("PCA.inverseTransform", components != null);
        double[][] rows = Inputs.matrix("PCA.inverseTransform", z, nComponents);
        double[][] out = new double[rows.length][mean.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = mean.clone();
            for (int k = 0; k < nComponents; k++) {
                double s = whiten ? rows[i][k] * Math.sqrt(explainedVariance[k]) : rows[i][k];
                for (int j = 0; j < mean.length; j++) out[i][j] += s * components[k][j];
            }
        }
        return Inputs.rows(out, mean.length);
    }

    /** Writes the fitted PCA as JSON ({@link ModelFile}). */
    public void save(Path path) { ModelFile.save(this, path); }
}
