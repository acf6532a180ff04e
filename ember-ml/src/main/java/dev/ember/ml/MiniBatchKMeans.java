package dev.ember.ml;

import dev.ember.Tensor;

import java.util.SplittableRandom;

/**
 * Mini-batch k-means (Sculley, 2010, as scikit-learn): k-means++ seeding on a subsample
 * ({@code nInit} tries, the best by inertia on that subsample), then steps on random batches
 * where each center moves to the running mean of the points assigned to it so far. Stops after
 * {@code maxIter} passes' worth of batches, or when the smoothed batch inertia has not improved
 * for 10 steps. {@link #inertia()} is measured on all training rows at the end.
 */
public final class MiniBatchKMeans implements Estimator {
    private int k = 8, batchSize = 1024, maxIter = 100, nInit = 3;
    private long seed = 0;
    private double[][] centers;
    private double inertia;

    /** No-argument constructor for deserialization: k = 8. */
    public MiniBatchKMeans() {}

    /** {@code k} clusters, batch size, seeding tries and seed. */
    public MiniBatchKMeans(int k, int batchSize, int nInit, long seed) {
        if (k < 1 || batchSize < 1 || nInit < 1) throw new IllegalArgumentException("MiniBatchKMeans: k, batchSize and nInit must be >= 1");
        this.k = k;
        this.batchSize = batchSize;
        this.nInit = nInit;
        this.seed = seed;
    }

    /** Cluster centers {@code [k, features]}. */
    public double[][] clusterCenters() {
        Inputs.requireFitted("MiniBatchKMeans", centers != null);
        return centers.clone();
    }

    /** Inertia of all training rows under the final centers. */
    public double inertia() { return inertia; }

    @Override
    public MiniBatchKMeans fit(Tensor x, Tensor y) {
        double[][] rows = Inputs.matrix("MiniBatchKMeans.fit", x);
        int n = rows.length, p = rows[0].length;
        if (n < k) throw new IllegalArgumentException("MiniBatchKMeans.fit: " + n + " rows for k = " + k);
        SplittableRandom rnd = new SplittableRandom(seed);
        int initSize = Math.min(n, Math.max(3 * batchSize, k));
        double[][] initRows = new double[initSize][];
        for (int i = 0; i < initSize; i++) initRows[i] = rows[initSize == n ? i : rnd.nextInt(n)];
        double bestInit = Double.POSITIVE_INFINITY;
        for (int t = 0; t < nInit; t++) {
            double[][] c = Clustering.kMeansPlusPlus(initRows, k, rnd);
            double in = Clustering.inertia(initRows, c);
            if (in < bestInit) { bestInit = in; centers = c; }
        }
        double[] counts = new double[k];
        int batch = Math.min(batchSize, n), steps = (int) Math.ceil((double) maxIter * n / batch);
        double ewa = Double.NaN, bestEwa = Double.POSITIVE_INFINITY;
        int noImprovement = 0;
        for (int step = 0; step < steps; step++) {
            double[][] sum = new double[k][p];
            int[] cnt = new int[k];
            double batchInertia = 0;
            for (int b = 0; b < batch; b++) {
                double[] r = rows[rnd.nextInt(n)];
                int m = Clustering.nearest(r, centers);
                batchInertia += Clustering.sqDist(r, centers[m]);
                cnt[m]++;
                for (int j = 0; j < p; j++) sum[m][j] += r[j];
            }
            for (int m = 0; m < k; m++) {
                if (cnt[m] == 0) continue;
                double total = counts[m] + cnt[m];
                for (int j = 0; j < p; j++) centers[m][j] = (centers[m][j] * counts[m] + sum[m][j]) / total;
                counts[m] = total;
            }
            batchInertia /= batch;
            double alpha = Math.min(1, 2.0 * batch / (n + 1));
            ewa = Double.isNaN(ewa) ? batchInertia : ewa * (1 - alpha) + batchInertia * alpha;
            if (ewa < bestEwa) { bestEwa = ewa; noImprovement = 0; }
            else if (++noImprovement >= 10) break;
        }
        inertia = Clustering.inertia(rows, centers);
        return this;
    }

    @Override
    public Tensor predict(Tensor x) {
        Inputs.requireFitted("MiniBatchKMeans.predict", centers != null);
        double[][] rows = Inputs.matrix("MiniBatchKMeans.predict", x, centers[0].length);
        long[] out = new long[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = Clustering.nearest(rows[i], centers);
        return Inputs.labels(out);
    }

    @Override
    public double score(Tensor x, Tensor y) {
        Inputs.requireFitted("MiniBatchKMeans.score", centers != null);
        return -Clustering.inertia(Inputs.matrix("MiniBatchKMeans.score", x, centers[0].length), centers);
    }
}
