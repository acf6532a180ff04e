package dev.ember.data;

/**
 * A map-style dataset: a fixed number of examples, each read by index.
 *
 * @param <T> the example type, usually {@link Example}
 */
public interface Dataset<T> {
    /** Number of examples. */
    int size();

    /** Example {@code index}, {@code 0 <= index < size()}. */
    T get(int index);
}
