package dev.ember.ml;

import dev.ember.Tensor;

/**
 * k-nearest-neighbours by brute-force Euclidean distance with uniform votes; probabilities are
 * the vote fractions, and the prediction is the most voted class (lowest label on ties), as
 * scikit-learn. Among equidistant neighbours the earlier training row wins.
 */
public final class KNeighborsClassifier implements ProbabilisticClassifier {
    private int k = 5;
    private long[] classes;
    private double[][] train;
    private int[] labels;

    /** k = 5. */
    public KNeighborsClassifier() {}

    /** Votes among the {@code k >= 1} nearest training rows. */
    public KNeighborsClassifier(int k) {
        if (k < 1) throw new IllegalArgumentException("KNeighborsClassifier: k must be >= 1, got " + k);
        this.k = k;
    }

    @Override
    public KNeighborsClassifier fit(Tensor x, Tensor y) {
        train = Inputs.matrix("KNeighborsClassifier.fit", x);
        double[] yv = Inputs.vector("KNeighborsClassifier.fit", y, train.length);
        if (train.length < k) throw new IllegalArgumentException("KNeighborsClassifier.fit: " + train.length + " rows but k = " + k);
        LabelEncoding enc = LabelEncoding.of("KNeighborsClassifier.fit", yv);
        classes = enc.classes();
        labels = enc.encode(yv);
        return this;
    }

    @Override
    public long[] classes() { return classes.clone(); }

    private double[][] votes(Tensor x) {
        Inputs.requireFitted("KNeighborsClassifier.predict", train != null);
        double[][] rows = Inputs.matrix("KNeighborsClassifier.predict", x, train[0].length);
        double[][] out = new double[rows.length][classes.length];
        double[] d = new double[train.length];
        int[] idx = new int[train.length];
        for (int i = 0; i < rows.length; i++) {
            for (int t = 0; t < train.length; t++) {
                double s = 0;
                for (int j = 0; j < rows[i].length; j++) { double v = rows[i][j] - train[t][j]; s += v * v; }
                d[t] = s;
                idx[t] = t;
            }
            // Partial selection of the k smallest (k is small), stable by index.
            for (int a = 0; a < k; a++) {
                int best = a;
                for (int b = a + 1; b < train.length; b++)
                    if (d[b] < d[best] || d[b] == d[best] && idx[b] < idx[best]) best = b;
                double td = d[a]; d[a] = d[best]; d[best] = td;
                int ti = idx[a]; idx[a] = idx[best]; idx[best] = ti;
                out[i][labels[idx[a]]] += 1.0 / k;
            }
        }
        return out;
    }

    @Override
    public Tensor predictProba(Tensor x) { return Inputs.rows(votes(x), classes.length); }

    @Override
    public Tensor predict(Tensor x) { return Inputs.labels(Argmax.labels(votes(x), classes)); }
}
