package dev.ember.data.features;

import dev.ember.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeSet;

/**
 * Numbers class labels {@code 0..classes-1} in sorted order, as scikit-learn's {@code LabelEncoder}.
 * {@code String[n] -> [n]} int64.
 */
public final class LabelEncoder {
    private String[] classes;

    /** An unfitted encoder. */
    public LabelEncoder() {}

    /** Learns the sorted distinct labels. */
    public LabelEncoder fit(String[] labels) {
        TreeSet<String> set = new TreeSet<>();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == null) throw new IllegalArgumentException("LabelEncoder.fit: missing label at index " + i);
            set.add(labels[i]);
        }
        if (set.isEmpty()) throw new IllegalArgumentException("LabelEncoder.fit: no labels");
        classes = set.toArray(new String[0]);
        return this;
    }

    /** The class index of each label, as int64 {@code [n]}; an unseen label is an error. */
    public Tensor transform(String[] labels) {
        Matrix.checkFitted(classes, "LabelEncoder.transform");
        long[] out = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            int c = labels[i] == null ? -1 : Arrays.binarySearch(classes, labels[i]);
            if (c < 0) throw new IllegalArgumentException("LabelEncoder.transform: unseen label '" + labels[i] + "' at index " + i + "; known: " + Arrays.toString(classes));
            out[i] = c;
        }
        return Tensor.of(out, labels.length);
    }

    /** {@code fit(labels)} then {@code transform(labels)}. */
    public Tensor fitTransform(String[] labels) { return fit(labels).transform(labels); }

    /** The labels of class indices {@code [n]}. */
    public String[] inverseTransform(Tensor indices) {
        Matrix.checkFitted(classes, "LabelEncoder.inverseTransform");
        long[] idx = indices.toLongArray();
        String[] out = new String[idx.length];
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= classes.length) throw new IllegalArgumentException("LabelEncoder.inverseTransform: index " + idx[i] + " at " + i + " is not in [0, " + classes.length + ")");
            out[i] = classes[(int) idx[i]];
        }
        return out;
    }

    /** The sorted classes; index = encoded value. */
    public String[] classes() { Matrix.checkFitted(classes, "LabelEncoder.classes"); return classes.clone(); }

    /** Writes the fitted state as JSON. */
    public void save(Path file) { StateFile.save(this, file); }

    /** Reads a state written by {@link #save}. */
    public static LabelEncoder load(Path file) { return StateFile.load(file, LabelEncoder.class); }
}
