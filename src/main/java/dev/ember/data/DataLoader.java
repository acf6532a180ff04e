package dev.ember.data;

import dev.ember.Generator;
import dev.ember.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Iterates a dataset in batches, as {@code torch.utils.data.DataLoader}: batch size,
 * seeded shuffling (a new order each epoch, reproducible from the seed), and drop-last.
 * Examples are stacked along a new first dim; a {@link BatchedDataset} assembles batches itself.
 */
public final class DataLoader implements Iterable<Batch> {
    private final Dataset<Example> dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final Generator generator;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.generator = new Generator(b.seed);
    }

    public static Builder builder(Dataset<Example> dataset) { return new Builder(dataset); }

    public Dataset<Example> dataset() { return dataset; }

    public int batchSize() { return batchSize; }

    /** Number of batches per epoch. */
    public int size() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The shuffle generator's state, so a resumed run continues the same order. */
    public Generator generator() { return generator; }

    @Override
    public Iterator<Batch> iterator() {
        int n = dataset.size();
        int[] order;
        if (shuffle) {
            order = generator.permutation(n);
        } else {
            order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
        }
        int batches = size();
        return new Iterator<>() {
            int next = 0;

            @Override
            public boolean hasNext() { return next < batches; }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                int from = next * batchSize, to = Math.min(n, from + batchSize);
                next++;
                return load(java.util.Arrays.copyOfRange(order, from, to));
            }
        };
    }

    private Batch load(int[] indices) {
        if (dataset instanceof BatchedDataset bd) return bd.getBatch(indices);
        List<Tensor> xs = new ArrayList<>(indices.length), ys = new ArrayList<>(indices.length);
        for (int i : indices) {
            Example e = dataset.get(i);
            xs.add(e.input());
            ys.add(e.target());
        }
        return new Batch(Tensor.stack(xs, 0), Tensor.stack(ys, 0));
    }

    /** Options of a {@link DataLoader}. */
    public static final class Builder {
        private final Dataset<Example> dataset;
        private int batchSize = 1;
        private boolean shuffle;
        private boolean dropLast;
        private long seed = 0;

        private Builder(Dataset<Example> dataset) { this.dataset = dataset; }

        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) throw new IllegalArgumentException("DataLoader: batchSize must be positive, got " + batchSize);
            this.batchSize = batchSize;
            return this;
        }

        public Builder shuffle(boolean shuffle) { this.shuffle = shuffle; return this; }

        public Builder dropLast(boolean dropLast) { this.dropLast = dropLast; return this; }

        public Builder seed(long seed) { this.seed = seed; return this; }

        public DataLoader build() { return new DataLoader(this); }
    }
}
