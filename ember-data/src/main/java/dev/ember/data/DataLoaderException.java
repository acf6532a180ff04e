package dev.ember.data;

/** Thrown in the consuming thread when loading a batch failed; {@link #getCause()} is the original error. */
public final class DataLoaderException extends RuntimeException {
    /** A failure to load batch {@code batchIndex}. */
    public DataLoaderException(String message, Throwable cause) { super(message, cause); }
}
