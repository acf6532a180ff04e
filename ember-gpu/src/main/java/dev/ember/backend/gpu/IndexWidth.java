package dev.ember.backend.gpu;

/**
 * The integer type kernels index with ({@code idx_t}): 32 bits where every element index of a launch
 * fits, 64 bits where a tensor needs it. Chosen per launch; each width is its own rendering of the
 * kernels, compiled on first use.
 */
public enum IndexWidth {
    I32, I64;

    /** The width for a launch whose largest element index (or count) is {@code extent}. */
    public static IndexWidth forExtent(long extent) { return extent <= Integer.MAX_VALUE ? I32 : I64; }

    /** Bytes per index. */
    public int bytes() { return this == I32 ? 4 : 8; }
}
