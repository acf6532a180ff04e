package dev.ember.data.features;

import dev.ember.DType;
import dev.ember.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeSet;

/**
 * One-hot encodes categorical columns, as scikit-learn's {@code OneHotEncoder}: each column's
 * categories are its sorted distinct training values; a row {@code [f]} of strings becomes the
 * concatenated indicator blocks {@code [sum of category counts]}. {@code String[n][f] -> [n, width]} float32.
 */
public final class OneHotEncoder {
    private final UnknownCategory unknown;
    private String[][] categories;

    /** An encoder that throws on unknown categories. */
    public OneHotEncoder() { this(UnknownCategory.ERROR); }

    /** An encoder with the given unknown-category policy. */
    public OneHotEncoder(UnknownCategory unknown) { this.unknown = unknown; }

    /** Learns each column's categories from {@code x[n][f]} (no nulls). */
    public OneHotEncoder fit(String[][] x) {
        if (x.length == 0) throw new IllegalArgumentException("OneHotEncoder.fit: no rows");
        int f = x[0].length;
        categories = new String[f][];
        for (int j = 0; j < f; j++) {
            TreeSet<String> set = new TreeSet<>();
            for (int i = 0; i < x.length; i++) {
                if (x[i].length != f) throw new IllegalArgumentException("OneHotEncoder.fit: row " + i + " has " + x[i].length + " columns, expected " + f);
                if (x[i][j] == null) throw new IllegalArgumentException("OneHotEncoder.fit: missing value at row " + i + ", column " + j + "; impute it first");
                set.add(x[i][j]);
            }
            categories[j] = set.toArray(new String[0]);
        }
        return this;
    }

    /** The indicator matrix {@code [n, width]}. */
    public Tensor transform(String[][] x) {
        Matrix.checkFitted(categories, "OneHotEncoder.transform");
        int width = width();
        float[] out = new float[x.length * width];
        for (int i = 0; i < x.length; i++) {
            if (x[i].length != categories.length)
                throw new IllegalArgumentException("OneHotEncoder.transform: row " + i + " has " + x[i].length + " columns, fitted on " + categories.length);
            int offset = 0;
            for (int j = 0; j < categories.length; j++) {
                int c = x[i][j] == null ? -1 : Arrays.binarySearch(categories[j], x[i][j]);
                if (c < 0 && unknown == UnknownCategory.ERROR)
                    throw new IllegalArgumentException("OneHotEncoder.transform: unknown category '" + x[i][j] + "' at row " + i + ", column " + j
                            + "; known: " + Arrays.toString(categories[j]) + " (use UnknownCategory.IGNORE to encode it as zeros)");
                if (c >= 0) out[i * width + offset + c] = 1;
                offset += categories[j].length;
            }
        }
        return Tensor.of(out, x.length, width);
    }

    /** {@code fit(x)} then {@code transform(x)}. */
    public Tensor fitTransform(String[][] x) { return fit(x).transform(x); }

    /** The category of each block's hot entry; {@code null} where a block is all zeros (an ignored unknown). */
    public String[][] inverseTransform(Tensor encoded) {
        Matrix.checkFitted(categories, "OneHotEncoder.inverseTransform");
        double[][] r = Matrix.rows(encoded, "OneHotEncoder.inverseTransform");
        Matrix.checkWidth(r, width(), "OneHotEncoder.inverseTransform");
        String[][] out = new String[r.length][categories.length];
        for (int i = 0; i < r.length; i++) {
            int offset = 0;
            for (int j = 0; j < categories.length; j++) {
                int best = -1;
                for (int c = 0; c < categories[j].length; c++)
                    if (r[i][offset + c] > 0 && (best < 0 || r[i][offset + c] > r[i][offset + best])) best = c;
                out[i][j] = best < 0 ? null : categories[j][best];
                offset += categories[j].length;
            }
        }
        return out;
    }

    /** The width of an encoded row: the total number of categories. */
    public int width() {
        Matrix.checkFitted(categories, "OneHotEncoder.width");
        int w = 0;
        for (String[] c : categories) w += c.length;
        return w;
    }

    /** Each column's sorted categories. */
    public String[][] categories() {
        Matrix.checkFitted(categories, "OneHotEncoder.categories");
        String[][] c = new String[categories.length][];
        for (int j = 0; j < c.length; j++) c[j] = categories[j].clone();
        return c;
    }

    /** Writes the fitted state as JSON. */
    public void save(Path file) { StateFile.save(this, file); }

    /** Reads a state written by {@link #save}. */
    public static OneHotEncoder load(Path file) { return StateFile.load(file, OneHotEncoder.class); }
}
