package dev.ember.ml;

import dev.ember.Tensor;

/**
 * A CART classification tree (scikit-learn's {@code DecisionTreeClassifier} with the best
 * splitter): Gini or entropy criterion, maximum depth, minimum samples to split a node and
 * per leaf. Ties between equally good splits go to the lowest feature index (scikit-learn
 * breaks them in a random feature order, so its tree can differ where ties occur).
 */
public final class DecisionTreeClassifier implements ProbabilisticClassifier {
    private Criterion criterion = Criterion.GINI;
    private int maxDepth = Integer.MAX_VALUE, minSamplesSplit = 2, minSamplesLeaf = 1;
    private long[] classes;
    private int features;
    private TreeNodes tree;

    /** Gini, unlimited depth, min samples split 2, min samples leaf 1 (scikit-learn's defaults). */
    public DecisionTreeClassifier() {}

    /**
     * A tree with the given criterion ({@link Criterion#GINI} or {@link Criterion#ENTROPY}),
     * {@code maxDepth} ({@code Integer.MAX_VALUE} for none), {@code minSamplesSplit >= 2}, {@code minSamplesLeaf >= 1}.
     */
    public DecisionTreeClassifier(Criterion criterion, int maxDepth, int minSamplesSplit, int minSamplesLeaf) {
        if (!criterion.forClassification()) throw new IllegalArgumentException("DecisionTreeClassifier: criterion must be GINI or ENTROPY, got " + criterion);
        if (maxDepth < 1 || minSamplesSplit < 2 || minSamplesLeaf < 1)
            throw new IllegalArgumentException("DecisionTreeClassifier: need maxDepth >= 1, minSamplesSplit >= 2, minSamplesLeaf >= 1, got "
                    + maxDepth + ", " + minSamplesSplit + ", " + minSamplesLeaf);
        this.criterion = criterion;
        this.maxDepth = maxDepth;
        this.minSamplesSplit = minSamplesSplit;
        this.minSamplesLeaf = minSamplesLeaf;
    }

    @Override
    public DecisionTreeClassifier fit(Tensor x, Tensor y) {
        double[][] rows = Inputs.matrix("DecisionTreeClassifier.fit", x);
        double[] yv = Inputs.vector("DecisionTreeClassifier.fit", y, rows.length);
        LabelEncoding enc = LabelEncoding.of("DecisionTreeClassifier.fit", yv);
        classes = enc.classes();
        features = rows[0].length;
        int[] all = new int[rows.length];
        for (int i = 0; i < all.length; i++) all[i] = i;
        tree = new CartBuilder(criterion, maxDepth, minSamplesSplit, minSamplesLeaf, features, classes.length, null)
                .classify(rows, enc.encode(yv), all);
        return this;
    }

    @Override
    public long[] classes() { return classes.clone(); }

    @Override
    public Tensor predictProba(Tensor x) { return Inputs.rows(proba(x), classes.length); }

    @Override
    public Tensor predict(Tensor x) { return Inputs.labels(Argmax.labels(proba(x), classes)); }

    private double[][] proba(Tensor x) {
        Inputs.requireFitted("DecisionTreeClassifier.predict", tree != null);
        double[][] rows = Inputs.matrix("DecisionTreeClassifier.predict", x, features);
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) out[i] = tree.value[tree.leaf(rows[i])].clone();
        return out;
    }

    /** Normalized total impurity decrease per feature, {@code [features]}, summing to 1. */
    public double[] featureImportances() {
        Inputs.requireFitted("DecisionTreeClassifier", tree != null);
        return tree.featureImportances(features);
    }

    /** Depth of the fitted tree (a single leaf has depth 0). */
    public int depth() { return tree.depth(0); }

    /** Number of leaves. */
    public int leafCount() { return tree.leaves(); }

    TreeNodes nodes() { return tree; }
}
