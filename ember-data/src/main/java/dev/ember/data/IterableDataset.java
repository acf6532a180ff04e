package dev.ember.data;

/**
 * A stream-style dataset, as PyTorch's {@code IterableDataset}: examples are read in order
 * (from a file, a socket, a generator) and the total count may be unknown. Each call to
 * {@link #iterator()} starts a new pass.
 *
 * @param <T> the example type, usually {@link Example}
 */
public interface IterableDataset<T> extends Iterable<T> {
    /** The number of examples when known ahead of time, else {@code -1} (the default). */
    default int sizeHint() { return -1; }
}
