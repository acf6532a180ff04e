package dev.ember.data.vision;

import dev.ember.Generator;
import dev.ember.data.Dataset;
import dev.ember.data.EpochAware;
import dev.ember.data.Example;

/**
 * A dataset whose inputs pass through a transform (augmentation) when read. Each example's
 * randomness comes from its own generator, seeded from (seed, epoch, index): the augmentation of
 * an example is reproducible, differs between epochs, and does not depend on which loader
 * worker reads it. {@link dev.ember.data.DataLoader} advances the epoch.
 */
public final class TransformedDataset implements Dataset<Example>, EpochAware {
    private final Dataset<Example> base;
    private final Transform transform;
    private final long seed;
    private volatile int epoch;

    /** {@code base} with {@code transform} applied to every input; randomness seeded by {@code seed}. */
    public TransformedDataset(Dataset<Example> base, Transform transform, long seed) {
        this.base = base;
        this.transform = transform;
        this.seed = seed;
    }

    @Override
    public void setEpoch(int epoch) { this.epoch = epoch; }

    @Override
    public int size() { return base.size(); }

    @Override
    public Example get(int index) {
        Example e = base.get(index);
        return new Example(transform.apply(e.input(), generatorFor(index)), e.target());
    }

    /** The generator example {@code index} uses in the current epoch. */
    Generator generatorFor(int index) { return new Generator(mix(mix(seed ^ 0x6A09E667F3BCC909L, epoch), index)); }

    private static long mix(long a, long b) {
        long z = a + 0x9E3779B97F4A7C15L * (b + 1); // SplitMix64 finaliser
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
