package dev.ember.ml;

import dev.ember.Tensor;

/**
 * A CART regression tree (squared error): predicts the mean target of the leaf a sample falls
 * into. Ties between splits are broken as in {@link DecisionTreeClassifier} (same default seed).
 */
public final class DecisionTreeRegressor implements Regressor {
    private int maxDepth = Integer.MAX_VALUE, minSamplesSplit = 2, minSamplesLeaf = 1;
    private int features;
    private TreeNodes tree;

    /** Unlimited depth, min samples split 2, min samples leaf 1. */
    public DecisionTreeRegressor() {}

    /** A tree limited by {@code maxDepth}, {@code minSamplesSplit >= 2} and {@code minSamplesLeaf >= 1}. */
    public DecisionTreeRegressor(int maxDepth, int minSamplesSplit, int minSamplesLeaf) {
        if (maxDepth < 1 || minSamplesSplit < 2 || minSamplesLeaf < 1)
            throw new IllegalArgumentException("DecisionTreeRegressor: need maxDepth >= 1, minSamplesSplit >= 2, minSamplesLeaf >= 1");
        this.maxDepth = maxDepth;
        this.minSamplesSplit = minSamplesSplit;
        this.minSamplesLeaf = minSamplesLeaf;
    }

    @Override
    public DecisionTreeRegressor fit(Tensor x, Tensor y) {
        double[][] rows = Inputs.matrixFloat32("DecisionTreeRegressor.fit", x, -1);
        double[] yv = Inputs.vector("DecisionTreeRegressor.fit", y, rows.length);
        features = rows[0].length;
        int[] all = new int[rows.length];
        for (int i = 0; i < all.length; i++) all[i] = i;
        tree = new CartBuilder(Criterion.SQUARED_ERROR, maxDepth, minSamplesSplit, minSamplesLeaf, features, 0, new FeatureSampler(features, DecisionTreeClassifier.SKLEARN_RANDOM_STATE_0)).regress(rows, yv, all);
        return this;
    }

    @Override
    public Tensor predict(Tensor x) {
        Inputs.requireFitted("DecisionTreeRegressor.predict", tree != null);
        double[][] rows = Inputs.matrixFloat32("DecisionTreeRegressor.predict", x, features);
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = tree.value[tree.leaf(rows[i])][0];
        return Inputs.values(out);
    }

    /** Normalized total variance decrease per feature, {@code [features]}. */
    public double[] featureImportances() {
        Inputs.requireFitted("DecisionTreeRegressor", tree != null);
        return tree.featureImportances(features);
    }

    /** Depth of the fitted tree. */
    public int depth() { return tree.depth(0); }

    TreeNodes nodes() { return tree; }
}
