package dev.ember.data.features;

import dev.ember.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Products of features up to a degree, as scikit-learn's {@code PolynomialFeatures}, in its
 * column order: the bias 1, then each degree's combinations with replacement in lexicographic
 * order (without replacement when {@code interactionOnly}). {@code [n, f] -> [n, terms]}.
 */
public final class PolynomialFeatures implements FeatureTransformer {
    private final int degree;
    private final boolean interactionOnly, includeBias;
    private int[][] powers;

    /** All terms up to {@code degree}, with bias. */
    public PolynomialFeatures(int degree) { this(degree, false, true); }

    /** Terms up to {@code degree >= 1}; only distinct-feature products if {@code interactionOnly}. */
    public PolynomialFeatures(int degree, boolean interactionOnly, boolean includeBias) {
        if (degree < 1) throw new IllegalArgumentException("PolynomialFeatures: degree must be >= 1, got " + degree);
        this.degree = degree;
        this.interactionOnly = interactionOnly;
        this.includeBias = includeBias;
    }

    @Override
    public PolynomialFeatures fit(Tensor x) {
        if (x.dim() != 2) throw new IllegalArgumentException("PolynomialFeatures.fit: expected [n, features], got " + java.util.Arrays.toString(x.shape()));
        int f = (int) x.size(1);
        List<int[]> terms = new ArrayList<>();
        if (includeBias) terms.add(new int[f]);
        for (int d = 1; d <= degree; d++) combos(f, d, 0, new int[d], 0, terms);
        powers = terms.toArray(new int[0][]);
        return this;
    }

    private void combos(int f, int d, int start, int[] chosen, int depth, List<int[]> out) {
        if (depth == d) {
            int[] p = new int[f];
            for (int c : chosen) p[c]++;
            out.add(p);
            return;
        }
        for (int j = start; j < f; j++) {
            chosen[depth] = j;
            combos(f, d, interactionOnly ? j + 1 : j, chosen, depth + 1, out);
        }
    }

    @Override
    public Tensor transform(Tensor x) {
        Matrix.checkFitted(powers, "PolynomialFeatures.transform");
        double[][] r = Matrix.rows(x, "PolynomialFeatures.transform");
        Matrix.checkWidth(r, powers[0].length, "PolynomialFeatures.transform");
        double[][] out = new double[r.length][powers.length];
        for (int i = 0; i < r.length; i++)
            for (int t = 0; t < powers.length; t++) {
                double v = 1;
                for (int j = 0; j < powers[t].length; j++) for (int k = 0; k < powers[t][j]; k++) v *= r[i][j];
                out[i][t] = v;
            }
        return Matrix.tensor(out, powers.length, x);
    }

    /** {@code powers[t][j]}: the exponent of feature j in output column t. */
    public int[][] powers() {
        Matrix.checkFitted(powers, "PolynomialFeatures.powers");
        int[][] c = new int[powers.length][];
        for (int i = 0; i < c.length; i++) c[i] = powers[i].clone();
        return c;
    }

    /** Writes the fitted state as JSON. */
    public void save(Path file) { StateFile.save(this, file); }

    /** Reads a state written by {@link #save}. */
    public static PolynomialFeatures load(Path file) { return StateFile.load(file, PolynomialFeatures.class); }
}
