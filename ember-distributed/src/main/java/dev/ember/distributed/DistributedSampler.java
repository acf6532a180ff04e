package dev.ember.distributed;

import dev.ember.Generator;
import dev.ember.data.Sampler;

/**
 * Gives each rank its own shard of a dataset, as {@code torch.utils.data.DistributedSampler}:
 * every epoch the indices {@code 0..n-1} are shuffled with a generator seeded by {@code seed +
 * epoch} (the same order on every rank), then rank {@code r} of {@code R} takes positions
 * {@code r, r + R, r + 2R, ...}. So the shards are disjoint and, with a per-rank batch of
 * {@code B}, step {@code k}'s batches of all ranks together are exactly positions {@code [kRB,
 * (k+1)RB)} of the epoch's order: the batch a single process with batch {@code RB} would see.
 *
 * <p>When {@code n} is not a multiple of {@code R}, either the order is padded with its own first
 * indices so each rank gets {@code ceil(n / R)} (the default, as PyTorch; a few examples count
 * twice), or with {@code dropLast} cut to {@code floor(n / R)} each, or (for evaluation, where
 * shards need not be equal) left uneven with {@link #unpadded}, so every example counts once.
 */
public final class DistributedSampler implements Sampler {
    private final int datasetSize;
    private final int rank;
    private final int worldSize;
    private final boolean shuffle;
    private final long seed;
    private final Mode mode;

    /** What happens to the {@code n mod R} examples left over. */
    private enum Mode { PAD, DROP_LAST, UNEVEN }

    private DistributedSampler(int datasetSize, int rank, int worldSize, boolean shuffle, long seed, Mode mode) {
        if (datasetSize < 0) throw new IllegalArgumentException("DistributedSampler: dataset size must be >= 0, got " + datasetSize);
        if (worldSize <= 0) throw new IllegalArgumentException("DistributedSampler: world size must be positive, got " + worldSize);
        if (rank < 0 || rank >= worldSize)
            throw new IllegalArgumentException("DistributedSampler: rank " + rank + " is not in [0, " + worldSize + ")");
        this.datasetSize = datasetSize;
        this.rank = rank;
        this.worldSize = worldSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.mode = mode;
    }

    /** Shuffled shards, padded to equal size, for this rank of {@code group}. */
    public DistributedSampler(int datasetSize, ProcessGroup group, long seed) {
        this(datasetSize, group.rank(), group.worldSize(), true, seed, Mode.PAD);
    }

    /**
     * Shards for rank {@code rank} of {@code worldSize}; with {@code dropLast} the tail that does
     * not divide evenly is dropped, otherwise the order is padded.
     */
    public DistributedSampler(int datasetSize, int rank, int worldSize, boolean shuffle, long seed, boolean dropLast) {
        this(datasetSize, rank, worldSize, shuffle, seed, dropLast ? Mode.DROP_LAST : Mode.PAD);
    }

    /**
     * Unshuffled, interleaved shards that together hold every example exactly once (the first {@code n mod R}
     * ranks get one more), for evaluation: gather the ranks' outputs and every metric is exact.
     */
    public static DistributedSampler unpadded(int datasetSize, int rank, int worldSize) {
        return new DistributedSampler(datasetSize, rank, worldSize, false, 0, Mode.UNEVEN);
    }

    /** {@link #unpadded(int, int, int)} for this rank of {@code group}. */
    public static DistributedSampler unpadded(int datasetSize, ProcessGroup group) {
        return unpadded(datasetSize, group.rank(), group.worldSize());
    }

    /** The rank whose shard this is. */
    public int rank() { return rank; }

    /** The number of ranks. */
    public int worldSize() { return worldSize; }

    /** Whether shards hold every example exactly once (no padding, nothing dropped). */
    public boolean isExact() { return mode == Mode.UNEVEN || datasetSize % worldSize == 0; }

    /** The number of positions of the epoch's order that the ranks share out. */
    private int totalSize() {
        return switch (mode) {
            case PAD -> ceilDiv(datasetSize, worldSize) * worldSize;
            case DROP_LAST -> datasetSize / worldSize * worldSize;
            case UNEVEN -> datasetSize;
        };
    }

    @Override
    public int size() {
        int total = totalSize();
        return total / worldSize + (rank < total % worldSize ? 1 : 0);
    }

    @Override
    public int[] indices(int epoch) {
        int n = datasetSize;
        int[] order;
        if (shuffle) {
            order = new Generator(seed + epoch).permutation(n);
        } else {
            order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
        }
        int[] mine = new int[size()];
        for (int k = 0, pos = rank; k < mine.length; k++, pos += worldSize)
            mine[k] = order[pos % Math.max(n, 1)]; // positions past n wrap around: the padding
        return mine;
    }

    private static int ceilDiv(int a, int b) { return (a + b - 1) / b; }

    @Override
    public String toString() {
        return "DistributedSampler(rank " + rank + " of " + worldSize + ", " + size() + " of " + datasetSize + " indices, "
                + (shuffle ? "shuffled, seed " + seed : "in order") + ", " + mode.name().toLowerCase().replace('_', ' ') + ")";
    }
}
