package dev.ember.data.features;

import dev.ember.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Keeps the {@code k} features that score highest against the class labels, as scikit-learn's
 * {@code SelectKBest(score_func, k)} (ties broken as its stable sort does: the later column wins).
 * {@code [n, f] -> [n, k]}.
 */
public final class SelectKBest {
    private final FeatureScore score;
    private final int k;
    private double[] scores, pvalues;
    private boolean[] support;

    /** Keeps {@code k >= 1} features by {@code score}. */
    public SelectKBest(FeatureScore score, int k) {
        if (k < 1) throw new IllegalArgumentException("SelectKBest: k must be >= 1, got " + k);
        this.score = score;
        this.k = k;
    }

    /** Scores the columns of {@code x [n, f]} against integer labels {@code y [n]}. */
    public SelectKBest fit(Tensor x, Tensor y) {
        double[][] r = Matrix.rows(x, "SelectKBest.fit");
        if (y.numel() != r.length) throw new IllegalArgumentException("SelectKBest.fit: " + r.length + " rows for labels of shape " + Arrays.toString(y.shape()));
        int f = r[0].length;
        if (k > f) throw new IllegalArgumentException("SelectKBest.fit: k = " + k + " but only " + f + " features");
        FeatureScores s = ScoreFunctions.score(score, r, y.toIntArray());
        scores = s.scores();
        pvalues = s.pvalues();
        Integer[] order = new Integer[f];
        for (int j = 0; j < f; j++) order[j] = j;
        // stable ascending sort (NaN lowest), keep the last k: as numpy's argsort(kind="mergesort")[-k:]
        Arrays.sort(order, Comparator.comparingDouble(j -> Double.isNaN(scores[j]) ? Double.NEGATIVE_INFINITY : scores[j]));
        support = new boolean[f];
        for (int i = f - k; i < f; i++) support[order[i]] = true;
        return this;
    }

    /** The selected columns: {@code [m, f] -> [m, k]}. */
    public Tensor transform(Tensor x) {
        Matrix.checkFitted(support, "SelectKBest.transform");
        return Selection.select(x, support, "SelectKBest.transform");
    }

    /** {@code fit(x, y)} then {@code transform(x)}. */
    public Tensor fitTransform(Tensor x, Tensor y) { return fit(x, y).transform(x); }

    /** Selected columns back in place, zeros elsewhere: {@code [m, k] -> [m, f]}. */
    public Tensor inverseTransform(Tensor x) {
        Matrix.checkFitted(support, "SelectKBest.inverseTransform");
        return Selection.unselect(x, support, "SelectKBest.inverseTransform");
    }

    /** Each column's score. */
    public double[] scores() { Matrix.checkFitted(scores, "SelectKBest.scores"); return scores.clone(); }

    /** Each column's p-value, or {@code null} for mutual information. */
    public double[] pvalues() { Matrix.checkFitted(support, "SelectKBest.pvalues"); return pvalues == null ? null : pvalues.clone(); }

    /** Whether each column is kept. */
    public boolean[] support() { Matrix.checkFitted(support, "SelectKBest.support"); return support.clone(); }

    /** Indices of the kept columns, ascending. */
    public int[] selectedIndices() {
        boolean[] s = support();
        return java.util.stream.IntStream.range(0, s.length).filter(j -> s[j]).toArray();
    }

    /** Writes the fitted state as JSON. */
    public void save(Path file) { StateFile.save(this, file); }

    /** Reads a state written by {@link #save}. */
    public static SelectKBest load(Path file) { return StateFile.load(file, SelectKBest.class); }
}
