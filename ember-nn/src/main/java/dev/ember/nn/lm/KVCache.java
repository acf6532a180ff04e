package dev.ember.nn.lm;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;

/**
 * The keys and values of the positions a {@link GPT} has already seen, per layer, so that each generation step
 * computes only the new positions: buffers {@code [batch, heads, capacity, headDim]} written in place, of which
 * the first {@link #length()} positions are filled. For inference (no gradients flow through it).
 */
public final class KVCache {
    private final Tensor[] keys, values;
    private final int batch, capacity;
    private int length;

    /** A cache for {@code batch} sequences of at most {@code capacity} positions of {@code config}'s model. */
    public KVCache(GPTConfig config, int batch, int capacity, DType dtype, Device device) {
        if (batch <= 0 || capacity <= 0)
            throw new IllegalArgumentException("KVCache: batch and capacity must be positive, got " + batch + " and " + capacity);
        this.batch = batch;
        this.capacity = capacity;
        keys = new Tensor[config.layers()];
        values = new Tensor[config.layers()];
        for (int l = 0; l < config.layers(); l++) {
            keys[l] = Tensor.zeros(dtype, batch, config.heads(), capacity, config.headDim()).to(device);
            values[l] = Tensor.zeros(dtype, batch, config.heads(), capacity, config.headDim()).to(device);
        }
    }

    /** Positions filled so far. */
    public int length() { return length; }

    /** Positions this cache can hold. */
    public int capacity() { return capacity; }

    /** Sequences in the batch. */
    public int batch() { return batch; }

    /** The dtype of the stored keys and values (the model's: a BFLOAT16 model keeps a BFLOAT16 cache, half the bytes). */
    public DType dtype() { return keys.length == 0 ? null : keys[0].dtype(); }

    /**
     * Writes layer {@code layer}'s keys and values of {@code t} new positions ({@code [batch, heads, t, headDim]}) after
     * the filled ones and returns all of them, filled and new ({@code [batch, heads, length + t, headDim]} views).
     */
    Tensor[] append(int layer, Tensor k, Tensor v) {
        int t = (int) k.size(2);
        if (length + t > capacity)
            throw new IllegalStateException("KVCache: " + (length + t) + " positions exceed the capacity " + capacity);
        try (var ignored = Ember.noGrad()) {
            keys[layer].narrow(2, length, t).copyFrom(k);
            values[layer].narrow(2, length, t).copyFrom(v);
        }
        return new Tensor[]{keys[layer].narrow(2, 0, length + t), values[layer].narrow(2, 0, length + t)};
    }

    /** Marks {@code t} more positions as filled (after every layer appended them). */
    void advance(int t) { length += t; }

    /** Forgets every position (the buffers are reused). */
    public void clear() { length = 0; }

    /** Frees the buffers now (on GPUs). */
    public void close() {
        for (Tensor t : keys) t.close();
        for (Tensor t : values) t.close();
    }
}
