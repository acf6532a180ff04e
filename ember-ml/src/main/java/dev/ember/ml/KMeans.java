package dev.ember.ml;

import dev.ember.Tensor;

import java.util.SplittableRandom;

/**
 * k-means clustering (Lloyd's algorithm) with greedy k-means++ seeding ({@code 2 + ln k} candidate
 * centers per step, as scikit-learn) and {@code nInit} seeded restarts; the run with the lowest
 * inertia (sum of squared distances to the nearest center) is kept. {@link #predict} gives the
 * nearest center's index, {@link #score} minus the inertia of {@code X} (scikit-learn's sign).
 */
public final class KMeans implements Estimator {
    private int k = 8, nInit = 10, maxIter = 300;
    private double tol = 1e-4;
    private long seed = 0;
    private double[][] centers;
    private double inertia;
    private int iterations;

    /** No-argument constructor for deserialization: k = 8. */
    public KMeans() {}

    /** {@code k} clusters, {@code nInit} restarts, seed for the seeding. */
    public KMeans(int k, int nInit, long seed) {
        if (k < 1 || nInit < 1) throw new IllegalArgumentException("KMeans: k and nInit must be >= 1, got " + k + ", " + nInit);
        this.k = k;
        this.nInit = nInit;
        this.seed = seed;
    }

    /** Cluster centers {@code [k, features]}. */
    public double[][] clusterCenters() {
        Inputs.requireFitted("KMeans", centers != null);
        double[][] c = new double[k][];
        for (int i = 0; i < k; i++) c[i] = centers[i].clone();
        return c;
    }

    /** Inertia of the training data under the kept centers. */
    public double inertia() { return inertia; }

    /** Lloyd iterations of the kept run. */
    public int iterations() { return iterations; }

    @Override
    public KMeans fit(Tensor x, Tensor y) {
        double[][] rows = Inputs.matrix("KMeans.fit", x);
        if (rows.length < k) throw new IllegalArgumentException("KMeans.fit: " + rows.length + " rows for k = " + k);
        // Convergence tolerance relative to the data's scale: tol · mean feature variance (scikit-learn).
        double absTol = tol * Clustering.meanVariance(rows);
        SplittableRandom rnd = new SplittableRandom(seed);
        double best = Double.POSITIVE_INFINITY;
        for (int run = 0; run < nInit; run++) {
            double[][] c = Clustering.kMeansPlusPlus(rows, k, rnd);
            int it = lloyd(rows, c, absTol);
            double in = Clustering.inertia(rows, c);
            if (in < best) {
                best = in;
                centers = c;
                iterations = it;
            }
        }
        inertia = best;
        return this;
    }

    private int lloyd(double[][] x, double[][] c, double absTol) {
        int p = x[0].length;
        int[] assign = new int[x.length];
        for (int it = 1; it <= maxIter; it++) {
            for (int i = 0; i < x.length; i++) assign[i] = Clustering.nearest(x[i], c);
            double[][] sum = new double[k][p];
            int[] count = new int[k];
            for (int i = 0; i < x.length; i++) {
                count[assign[i]]++;
                for (int j = 0; j < p; j++) sum[assign[i]][j] += x[i][j];
            }
            double shift = 0;
            for (int m = 0; m < k; m++) {
                if (count[m] == 0) continue;   // an empty cluster keeps its center
                for (int j = 0; j < p; j++) {
                    double v = sum[m][j] / count[m], d = v - c[m][j];
                    shift += d * d;
                    c[m][j] = v;
                }
            }
            if (shift <= absTol) return it;
        }
        return maxIter;
    }

    @Override
    public Tensor predict(Tensor x) {
        Inputs.requireFitted("KMeans.predict", centers != null);
        double[][] rows = Inputs.matrix("KMeans.predict", x, centers[0].length);
        long[] out = new long[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = Clustering.nearest(rows[i], centers);
        return Inputs.labels(out);
    }

    @Override
    public double score(Tensor x, Tensor y) {
        Inputs.requireFitted("KMeans.score", centers != null);
        return -Clustering.inertia(Inputs.matrix("KMeans.score", x, centers[0].length), centers);
    }
}
