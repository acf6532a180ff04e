package dev.ember.ml;

import dev.ember.Tensor;

/**
 * A CART classification tree (scikit-learn's {@code DecisionTreeClassifier} with the best
 * splitter): Gini or entropy criterion, maximum depth, minimum samples to split a node and
 * per leaf. Equally good splits are told apart by the feature order of {@link FeatureSampler},
 * seeded by {@code seed}; the default seed is the state scikit-learn derives from
 * {@code random_state=0}, so default trees equal scikit-learn's {@code random_state=0} trees.
 */
public final class DecisionTreeClassifier implements ProbabilisticClassifier {
    private Criterion criterion = Criterion.GINI;
    private int maxDepth = Integer.MAX_VALUE, minSamplesSplit = 2, minSamplesLeaf = 1;
    private int seed = SKLEARN_RANDOM_STATE_0;
    private long[] classes;
    private int features;
    private TreeNodes tree;

    /** The splitter state that scikit-learn 1.2 draws from {@code np.random.RandomState(0)}: {@code randint(0, 2³¹-1)}. */
    public static final int SKLEARN_RANDOM_STATE_0 = 209652396;

    /** Gini, unlimited depth, min samples split 2, min samples leaf 1 (scikit-learn's defaults). */
    public DecisionTreeClassifier() {}

    /**
     * A tree with the given criterion ({@link Criterion#GINI} or {@link Criterion#ENTROPY}),
     * {@code maxDepth} ({@code Integer.MAX_VALUE} for none), {@code minSamplesSplit >= 2}, {@code minSamplesLeaf >= 1}.
     */
    public DecisionTreeClassifier(Criterion criterion, int maxDepth, int minSamplesSplit, int minSamplesLeaf) {
        this(criterion, maxDepth, minSamplesSplit, minSamplesLeaf, SKLEARN_RANDOM_STATE_0);
    }

    /** As {@link #DecisionTreeClassifier(Criterion, int, int, int)}, with the tie-breaking generator's {@code seed}. */
    public DecisionTreeClassifier(Criterion criterion, int maxDepth, int minSamplesSplit, int minSamplesLeaf, int seed) {
        if (!criterion.forClassification()) throw new IllegalArgumentException("DecisionTreeClassifier: criterion must be GINI or ENTROPY, got " + criterion);
        if (maxDepth < 1 || minSamplesSplit < 2 || minSamplesLeaf < 1)
            throw new IllegalArgumentException("DecisionTreeClassifier: need maxDepth >= 1, minSamplesSplit >= 2, minSamplesLeaf >= 1, got "
                    + maxDepth + ", " + minSamplesSplit + ", " + minSamplesLeaf);
        this.criterion = criterion;
        this.maxDepth = maxDepth;
        this.minSamplesSplit = minSamplesSplit;
        this.minSamplesLeaf = minSamplesLeaf;
        this.seed = seed;
    }

    @Override
    public DecisionTreeClassifier fit(Tensor x, Tensor y) {
        double[][] rows = Inputs.matrixFloat32("DecisionTreeClassifier.fit", x, -1);
        double[] yv = Inputs.vector("DecisionTreeClassifier.fit", y, rows.length);
        LabelEncoding enc = LabelEncoding.of("DecisionTreeClassifier.fit", yv);
        classes = enc.classes();
        features = rows[0].length;
        int[] all = new int[rows.length];
        for (int i = 0; i < all.length; i++) all[i] = i;
        tree = new CartBuilder(criterion, maxDepth, minSamplesSplit, minSamplesLeaf, features, classes.length, new FeatureSampler(features, seed))
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
        double[][] rows = Inputs.matrixFloat32("DecisionTreeClassifier.predict", x, features);
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
