package dev.ember.data;

import java.util.Arrays;

/**
 * The examples of a dataset at some indices, in that order, as {@code torch.utils.data.Subset}.
 * Use {@link #of} for examples of type {@link Example}: it keeps whole-batch loading when the
 * base dataset is a {@link BatchedDataset}.
 *
 * @param <T> the example type
 */
public class Subset<T> implements Dataset<T> {
    private final Dataset<T> base;
    private final int[] indices;

    /** The examples {@code base.get(indices[i])}; every index must be in range. */
    public Subset(Dataset<T> base, int[] indices) {
        int n = base.size();
        for (int i : indices)
            if (i < 0 || i >= n) throw new IndexOutOfBoundsException("Subset: index " + i + " out of range for a dataset of size " + n);
        this.base = base;
        this.indices = indices.clone();
    }

    /** A subset of examples; batched when {@code base} is. */
    public static Dataset<Example> of(Dataset<Example> base, int[] indices) {
        return base instanceof BatchedDataset bd ? new Batched(bd, indices) : new Subset<>(base, indices);
    }

    /** The base dataset's indices, in subset order (a copy). */
    public int[] indices() { return indices.clone(); }

    /** The dataset this subset reads from. */
    public Dataset<T> base() { return base; }

    @Override
    public int size() { return indices.length; }

    @Override
    public T get(int index) {
        if (index < 0 || index >= indices.length) throw new IndexOutOfBoundsException("Subset: index " + index + " out of range for size " + indices.length);
        return base.get(indices[index]);
    }

    @Override
    public String toString() { return "Subset(" + indices.length + " of " + base.size() + ")"; }

    /** A subset of a {@link BatchedDataset}: batches are assembled by the base in one call. */
    private static final class Batched extends Subset<Example> implements BatchedDataset {
        private final BatchedDataset batchedBase;
        private final int[] map;

        Batched(BatchedDataset base, int[] indices) {
            super(base, indices);
            this.batchedBase = base;
            this.map = indices.clone();
        }

        @Override
        public Batch getBatch(int[] indices) {
            int[] mapped = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                if (indices[i] < 0 || indices[i] >= map.length)
                    throw new IndexOutOfBoundsException("Subset: index " + indices[i] + " out of range for size " + map.length + " in " + Arrays.toString(indices));
                mapped[i] = map[indices[i]];
            }
            return batchedBase.getBatch(mapped);
        }
    }
}
