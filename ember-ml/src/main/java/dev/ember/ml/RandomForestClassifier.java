package dev.ember.ml;

import dev.ember.Tensor;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A random forest of CART trees (scikit-learn's {@code RandomForestClassifier}): each tree sees
 * a bootstrap sample and draws {@code maxFeatures} candidate features per node; probabilities are
 * the mean of the trees'. Trees are grown in parallel; each has its own generator derived from
 * {@code seed}, so the forest is the same on any number of threads.
 */
public final class RandomForestClassifier implements ProbabilisticClassifier {
    private int nEstimators = 100, maxDepth = Integer.MAX_VALUE, minSamplesSplit = 2, minSamplesLeaf = 1, maxFeatures = -1;
    private boolean bootstrap = true;
    private long seed = 0;
    private Criterion criterion = Criterion.GINI;
    private long[] classes;
    private int features;
    private TreeNodes[] trees;

    /** 100 Gini trees, bootstrap, sqrt(features) candidates per node, seed 0. */
    public RandomForestClassifier() {}

    /** {@code nEstimators} trees with the given seed and scikit-learn's other defaults. */
    public RandomForestClassifier(int nEstimators, long seed) { this(nEstimators, Criterion.GINI, Integer.MAX_VALUE, -1, true, seed); }

    /**
     * A forest of {@code nEstimators} trees.
     *
     * @param maxFeatures candidate features per node; {@code -1} for {@code max(1, floor(sqrt(features)))}
     * @param bootstrap   whether each tree sees a bootstrap sample (else all rows)
     */
    public RandomForestClassifier(int nEstimators, Criterion criterion, int maxDepth, int maxFeatures, boolean bootstrap, long seed) {
        if (nEstimators < 1) throw new IllegalArgumentException("RandomForestClassifier: nEstimators must be >= 1, got " + nEstimators);
        if (!criterion.forClassification()) throw new IllegalArgumentException("RandomForestClassifier: criterion must be GINI or ENTROPY");
        this.nEstimators = nEstimators;
        this.criterion = criterion;
        this.maxDepth = maxDepth;
        this.maxFeatures = maxFeatures;
        this.bootstrap = bootstrap;
        this.seed = seed;
    }

    @Override
    public RandomForestClassifier fit(Tensor x, Tensor y) {
        double[][] rows = Inputs.matrixFloat32("RandomForestClassifier.fit", x, -1);
        double[] yv = Inputs.vector("RandomForestClassifier.fit", y, rows.length);
        LabelEncoding enc = LabelEncoding.of("RandomForestClassifier.fit", yv);
        classes = enc.classes();
        features = rows[0].length;
        int[] labels = enc.encode(yv);
        int mf = maxFeatures > 0 ? Math.min(maxFeatures, features) : Math.max(1, (int) Math.sqrt(features));
        SplittableRandom master = new SplittableRandom(seed);
        long[] treeSeeds = new long[nEstimators];
        for (int t = 0; t < nEstimators; t++) treeSeeds[t] = master.nextLong();
        int n = rows.length;
        trees = IntStream.range(0, nEstimators).parallel().mapToObj(t -> {
            SplittableRandom rnd = new SplittableRandom(treeSeeds[t]);
            int[] sample = new int[n];
            for (int i = 0; i < n; i++) sample[i] = bootstrap ? rnd.nextInt(n) : i;
            return new CartBuilder(criterion, maxDepth, minSamplesSplit, minSamplesLeaf, mf, classes.length, new FeatureSampler(features, rnd.nextInt()))
                    .classify(rows, labels, sample);
        }).toArray(TreeNodes[]::new);
        return this;
    }

    @Override
    public long[] classes() { return classes.clone(); }

    private double[][] proba(Tensor x) {
        Inputs.requireFitted("RandomForestClassifier.predict", trees != null);
        double[][] rows = Inputs.matrixFloat32("RandomForestClassifier.predict", x, features);
        double[][] out = new double[rows.length][classes.length];
        for (int i = 0; i < rows.length; i++) {
            for (TreeNodes t : trees) {
                double[] v = t.value[t.leaf(rows[i])];
                for (int c = 0; c < v.length; c++) out[i][c] += v[c];
            }
            for (int c = 0; c < classes.length; c++) out[i][c] /= trees.length;
        }
        return out;
    }

    @Override
    public Tensor predictProba(Tensor x) { return Inputs.rows(proba(x), classes.length); }

    @Override
    public Tensor predict(Tensor x) { return Inputs.labels(Argmax.labels(proba(x), classes)); }

    /** Mean of the trees' normalized feature importances, {@code [features]}. */
    public double[] featureImportances() {
        Inputs.requireFitted("RandomForestClassifier", trees != null);
        double[] imp = new double[features];
        for (TreeNodes t : trees) {
            double[] ti = t.featureImportances(features);
            for (int j = 0; j < features; j++) imp[j] += ti[j] / trees.length;
        }
        return imp;
    }
}
