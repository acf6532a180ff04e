package dev.ember.ml;

/**
 * Grows a CART tree depth-first (left child first), as scikit-learn's best splitter: at each node
 * the candidate features are drawn by {@link FeatureSampler}, each is sorted and every threshold
 * halfway between consecutive distinct values is tried; the split with the largest impurity
 * decrease wins, the first one met on ties.
 */
final class CartBuilder {
    /** Values closer than this are one value, as scikit-learn's FEATURE_THRESHOLD. */
    private static final double FEATURE_THRESHOLD = 1e-7;

    private final Criterion criterion;
    private final int maxDepth, minSamplesSplit, minSamplesLeaf, maxFeatures, classes;
    private final FeatureSampler sampler;
    private double[][] columns;   // [features][rows]: a node reads one feature of many rows
    private int[] labels;
    private double[] targets;
    private TreeNodes tree;

    CartBuilder(Criterion criterion, int maxDepth, int minSamplesSplit, int minSamplesLeaf, int maxFeatures, int classes, FeatureSampler sampler) {
        this.criterion = criterion;
        this.maxDepth = maxDepth;
        this.minSamplesSplit = minSamplesSplit;
        this.minSamplesLeaf = minSamplesLeaf;
        this.maxFeatures = maxFeatures;
        this.classes = classes;
        this.sampler = sampler;
    }

    /** A classification tree on rows {@code x} with class indices {@code labels}, over the sample indices given (repeats allowed). */
    TreeNodes classify(double[][] x, int[] labels, int[] sample) {
        this.columns = transpose(x);
        this.labels = labels;
        return grow(sample);
    }

    /** A regression tree on rows {@code x} with {@code targets}. */
    TreeNodes regress(double[][] x, double[] targets, int[] sample) {
        this.columns = transpose(x);
        this.targets = targets;
        return grow(sample);
    }

    private static double[][] transpose(double[][] x) {
        double[][] t = new double[x[0].length][x.length];
        for (int i = 0; i < x.length; i++) for (int j = 0; j < x[i].length; j++) t[j][i] = x[i][j];
        return t;
    }

    private TreeNodes grow(int[] sample) {
        tree = new TreeNodes();
        build(sample.clone(), 0, 0);
        tree.trim();
        return tree;
    }

    private int build(int[] idx, int depth, int knownConstants) {
        int n = idx.length;
        double[] value = value(idx);
        double impurity = impurity(value, idx);
        int node = tree.add(impurity, n, value);
        if (depth >= maxDepth || n < minSamplesSplit || n < 2 * minSamplesLeaf || impurity <= Math.ulp(1.0)) return node;
        Split s = bestSplit(idx, knownConstants);
        if (s == null) return node;
        int nl = 0;
        double[] col = columns[s.feature];
        for (int i : idx) if (col[i] <= s.threshold) nl++;
        int[] li = new int[nl], ri = new int[n - nl];
        int a = 0, b = 0;
        for (int i : idx) if (col[i] <= s.threshold) li[a++] = i; else ri[b++] = i;
        tree.feature[node] = s.feature;
        tree.threshold[node] = s.threshold;
        int l = build(li, depth + 1, s.knownConstants);
        tree.left[node] = l;
        int r = build(ri, depth + 1, s.knownConstants);
        tree.right[node] = r;
        return node;
    }

    private record Split(int feature, double threshold, double proxy, int knownConstants) {}

    private Split bestSplit(int[] idx, int knownConstants) {
        int n = idx.length;
        double[] v = new double[n];
        int[] sorted = new int[n];
        Split[] best = new Split[1];
        int constants = sampler.visit(knownConstants, maxFeatures, f -> {
            double[] col = columns[f];
            for (int i = 0; i < n; i++) { v[i] = col[idx[i]]; sorted[i] = idx[i]; }
            SortByKey.sort(v, sorted);
            if (v[n - 1] <= v[0] + FEATURE_THRESHOLD) return false;
            Split s = criterion.forClassification() ? scanClasses(f, v, sorted) : scanValues(f, v, sorted);
            if (s != null && (best[0] == null || s.proxy > best[0].proxy)) best[0] = s;
            return true;
        });
        return best[0] == null ? null : new Split(best[0].feature, best[0].threshold, best[0].proxy, constants);
    }

    /** Sweeps thresholds over sorted values, keeping class counts on each side. */
    private Split scanClasses(int f, double[] v, int[] sorted) {
        int n = v.length;
        double[] leftCount = new double[classes], rightCount = new double[classes];
        for (int i : sorted) rightCount[labels[i]]++;
        Split best = null;
        for (int i = 0; i < n - 1; i++) {
            int c = labels[sorted[i]];
            leftCount[c]++;
            rightCount[c]--;
            int nl = i + 1, nr = n - nl;
            if (v[i + 1] <= v[i] + FEATURE_THRESHOLD || nl < minSamplesLeaf || nr < minSamplesLeaf) continue;
            // Proxy: minus the weighted child impurity (the node's own impurity is the same for every split).
            double proxy = -(nl * classImpurity(leftCount, nl) + nr * classImpurity(rightCount, nr));
            if (best == null || proxy > best.proxy) best = new Split(f, threshold(v[i], v[i + 1]), proxy, 0);
        }
        return best;
    }

    private Split scanValues(int f, double[] v, int[] sorted) {
        int n = v.length;
        double total = 0, totalSq = 0;
        for (int i : sorted) { total += targets[i]; totalSq += targets[i] * targets[i]; }
        double leftSum = 0;
        Split best = null;
        for (int i = 0; i < n - 1; i++) {
            leftSum += targets[sorted[i]];
            int nl = i + 1, nr = n - nl;
            if (v[i + 1] <= v[i] + FEATURE_THRESHOLD || nl < minSamplesLeaf || nr < minSamplesLeaf) continue;
            double rightSum = total - leftSum;
            // n_l var_l + n_r var_r = Σy² - S_l²/n_l - S_r²/n_r, so maximize S_l²/n_l + S_r²/n_r.
            double proxy = leftSum * leftSum / nl + rightSum * rightSum / nr;
            if (best == null || proxy > best.proxy) best = new Split(f, threshold(v[i], v[i + 1]), proxy, 0);
        }
        return best;
    }

    private static double threshold(double a, double b) {
        double t = a / 2.0 + b / 2.0;
        return t == b || Double.isInfinite(t) ? a : t;
    }

    private double classImpurity(double[] counts, int n) {
        double s = 0;
        if (criterion == Criterion.GINI) {
            for (double c : counts) s += c * c;
            return 1 - s / ((double) n * n);
        }
        for (double c : counts) if (c > 0) { double q = c / n; s -= q * Math.log(q); }
        return s / Math.log(2);
    }

    private double[] value(int[] idx) {
        if (criterion.forClassification()) {
            double[] frac = new double[classes];
            for (int i : idx) frac[labels[i]]++;
            for (int c = 0; c < classes; c++) frac[c] /= idx.length;
            return frac;
        }
        double s = 0;
        for (int i : idx) s += targets[i];
        return new double[]{s / idx.length};
    }

    private double impurity(double[] value, int[] idx) {
        if (criterion.forClassification()) {
            double[] counts = new double[classes];
            for (int c = 0; c < classes; c++) counts[c] = value[c] * idx.length;
            return classImpurity(counts, idx.length);
        }
        double m = value[0], s = 0;
        for (int i : idx) s += (targets[i] - m) * (targets[i] - m);
        return s / idx.length;
    }
}
