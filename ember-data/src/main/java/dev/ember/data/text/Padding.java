package dev.ember.data.text;

import dev.ember.Tensor;
import java.util.List;

/**
 * Pads and truncates variable-length id sequences into a rectangular batch with an attention
 * mask, as Hugging Face tokenizers' {@code padding} / {@code truncation}.
 */
public final class Padding {
    /** Which end of a sequence padding goes to, or truncation cuts from. */
    public enum Side {
        /** The start of the sequence. */
        LEFT,
        /** The end of the sequence. */
        RIGHT
    }

    private Padding() {}

    /** Right-padding with {@code padId} to the longest sequence, no truncation. */
    public static PaddedBatch pad(List<int[]> sequences, int padId) { return pad(sequences, -1, padId, Side.RIGHT, Side.RIGHT); }

    /**
     * Pads to {@code maxLength} (or, if {@code maxLength < 0}, to the longest sequence), cutting
     * longer sequences at {@code truncate} and padding shorter ones at {@code padSide}.
     * {@code batch} sequences -> ids and mask {@code [batch, length]}.
     */
    public static PaddedBatch pad(List<int[]> sequences, int maxLength, int padId, Side padSide, Side truncate) {
        if (sequences.isEmpty()) throw new IllegalArgumentException("Padding.pad: no sequences");
        if (maxLength == 0) throw new IllegalArgumentException("Padding.pad: maxLength must be positive, or negative for the longest");
        int longest = 0;
        for (int[] s : sequences) longest = Math.max(longest, s.length);
        int length = maxLength < 0 ? longest : maxLength;
        int b = sequences.size();
        long[] ids = new long[b * length], mask = new long[b * length];
        int[] lengths = new int[b];
        for (int i = 0; i < b; i++) {
            int[] s = sequences.get(i);
            int keep = Math.min(s.length, length);
            int from = truncate == Side.LEFT ? s.length - keep : 0;
            int at = padSide == Side.LEFT ? length - keep : 0;
            java.util.Arrays.fill(ids, i * length, (i + 1) * length, padId);
            for (int t = 0; t < keep; t++) {
                ids[i * length + at + t] = s[from + t];
                mask[i * length + at + t] = 1;
            }
            lengths[i] = keep;
        }
        return new PaddedBatch(Tensor.of(ids, b, length), Tensor.of(mask, b, length), lengths);
    }
}
