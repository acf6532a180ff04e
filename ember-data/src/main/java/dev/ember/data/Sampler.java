package dev.ember.data;

/**
 * Chooses which examples a {@link DataLoader} visits in an epoch, and in what order, as
 * {@code torch.utils.data.Sampler}. Given to {@link DataLoader.Builder#sampler}; the loader then
 * batches {@link #indices(int)} in order (a sampler replaces {@code shuffle}). The distributed
 * sampler ({@code dev.ember.distributed.DistributedSampler}) gives each rank its own shard.
 */
public interface Sampler {
    /** The dataset indices to visit in epoch {@code epoch} (counted from 0), in order. */
    int[] indices(int epoch);

    /** How many indices {@link #indices(int)} returns (the same every epoch). */
    int size();
}
