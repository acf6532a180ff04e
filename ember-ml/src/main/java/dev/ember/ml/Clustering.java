package dev.ember.ml;

import java.util.SplittableRandom;

/** Distance helpers and k-means++ seeding shared by {@link KMeans} and {@link MiniBatchKMeans}. */
final class Clustering {
    private Clustering() {}

    static double sqDist(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) { double d = a[j] - b[j]; s += d * d; }
        return s;
    }

    static int nearest(double[] x, double[][] c) {
        int best = 0;
        double bd = sqDist(x, c[0]);
        for (int m = 1; m < c.length; m++) {
            double d = sqDist(x, c[m]);
            if (d < bd) { bd = d; best = m; }
        }
        return best;
    }

    static double inertia(double[][] x, double[][] c) {
        double s = 0;
        for (double[] r : x) s += sqDist(r, c[nearest(r, c)]);
        return s;
    }

    static double meanVariance(double[][] x) {
        int p = x[0].length;
        double total = 0;
        for (int j = 0; j < p; j++) {
            double m = 0, v = 0;
            for (double[] r : x) m += r[j];
            m /= x.length;
            for (double[] r : x) v += (r[j] - m) * (r[j] - m);
            total += v / x.length;
        }
        return total / p;
    }

    /** Greedy k-means++: each new center is the best (lowest potential) of {@code 2 + ln k} D²-sampled candidates. */
    static double[][] kMeansPlusPlus(double[][] x, int k, SplittableRandom rnd) {
        int n = x.length, trials = 2 + (int) Math.log(k);
        double[][] c = new double[k][];
        c[0] = x[rnd.nextInt(n)].clone();
        double[] closest = new double[n];
        double pot = 0;
        for (int i = 0; i < n; i++) pot += closest[i] = sqDist(x[i], c[0]);
        for (int m = 1; m < k; m++) {
            int bestCand = -1;
            double bestPot = Double.POSITIVE_INFINITY;
            double[] bestDist = null;
            for (int t = 0; t < trials; t++) {
                int cand = sample(closest, pot, rnd);
                double[] d = new double[n];
                double cp = 0;
                for (int i = 0; i < n; i++) cp += d[i] = Math.min(closest[i], sqDist(x[i], x[cand]));
                if (cp < bestPot) { bestPot = cp; bestCand = cand; bestDist = d; }
            }
            c[m] = x[bestCand].clone();
            closest = bestDist;
            pot = bestPot;
        }
        return c;
    }

    private static int sample(double[] weight, double total, SplittableRandom rnd) {
        double r = rnd.nextDouble() * total, acc = 0;
        for (int i = 0; i < weight.length; i++) {
            acc += weight[i];
            if (acc > r) return i;
        }
        return weight.length - 1;
    }
}
