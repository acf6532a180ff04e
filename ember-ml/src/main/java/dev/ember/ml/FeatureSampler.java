package dev.ember.ml;

/**
 * The order in which a CART node visits candidate features, reproducing scikit-learn's splitter
 * exactly: a Fisher-Yates draw without replacement over a feature array that persists from node
 * to node, skipping features already known to be constant in the node's ancestors, driven by
 * scikit-learn's 32-bit xorshift generator ({@code our_rand_r}). With the same state as
 * scikit-learn's tree (derived there from {@code random_state}), ties between equally good splits
 * are broken the same way, so the trees are identical.
 */
final class FeatureSampler {
    private static final long RAND_R_MODULUS = 0x80000000L;   // RAND_R_MAX + 1

    private final int[] features, constantFeatures;
    private int state;

    FeatureSampler(int features, int state) {
        this.features = new int[features];
        this.constantFeatures = new int[features];
        for (int j = 0; j < features; j++) this.features[j] = j;
        this.state = state == 0 ? 1 : state;
    }

    /** scikit-learn's {@code our_rand_r}: xorshift on an unsigned 32-bit state. */
    private int next() {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        return (int) (Integer.toUnsignedLong(state) % RAND_R_MODULUS);
    }

    private int randInt(int low, int high) { return low + next() % (high - low); }

    /** Evaluates one candidate feature; returns false when the feature is constant in the node. */
    interface Visitor { boolean visit(int feature); }

    /**
     * Visits up to {@code maxFeatures} non-constant features (more while only constants were met)
     * in scikit-learn's order; returns the number of features known constant for the children.
     */
    int visit(int knownConstants, int maxFeatures, Visitor visitor) {
        int fi = features.length, visited = 0, found = 0, drawn = 0, total = knownConstants;
        while (fi > total && (visited < maxFeatures || visited <= found + drawn)) {
            visited++;
            int fj = randInt(drawn, fi - found);
            if (fj < knownConstants) {
                swap(drawn, fj);
                drawn++;
                continue;
            }
            fj += found;
            if (!visitor.visit(features[fj])) {
                swap(fj, total);
                found++;
                total++;
                continue;
            }
            fi--;
            swap(fi, fj);
        }
        // Constant features keep their original order for siblings and children.
        System.arraycopy(constantFeatures, 0, features, 0, knownConstants);
        System.arraycopy(features, knownConstants, constantFeatures, knownConstants, found);
        return total;
    }

    private void swap(int a, int b) {
        int t = features[a];
        features[a] = features[b];
        features[b] = t;
    }
}
