package dev.ember.data.io;

import java.nio.file.Path;

/**
 * A data file that cannot be read as its format requires. The message names the file, the
 * position (line and column, or byte offset) and what was expected there.
 *
 * <p>Every reader of {@code dev.ember.data} (CSV, text, IDX, images, vocabularies, tokenizer
 * merges) reports malformed content with this one type. It is an {@link IllegalArgumentException},
 * like every other bad-input error of Ember's unchecked API. A file that cannot be read at all
 * is reported here too, at position "open", by the CSV, text and image readers, and as an
 * {@link java.io.UncheckedIOException} by the others.
 */
public final class DataFormatException extends IllegalArgumentException {
    private final transient Path file;
    private final String source;

    /** An error in {@code file} at {@code position} (e.g. "line 4, column 2"). */
    public DataFormatException(Path file, String position, String problem) {
        this(file, String.valueOf(file), position, problem, null);
    }

    /** An error in {@code file} at {@code position}, caused by {@code cause}. */
    public DataFormatException(Path file, String position, String problem, Throwable cause) {
        this(file, String.valueOf(file), position, problem, cause);
    }

    /**
     * An error in data that is not a file of its own (a class-path resource, a stream), named
     * {@code source} in the message; {@link #file()} is then null.
     */
    public DataFormatException(String source, String position, String problem, Throwable cause) {
        this(null, source, position, problem, cause);
    }

    private DataFormatException(Path file, String source, String position, String problem, Throwable cause) {
        super(source + ": " + position + ": " + problem, cause);
        this.file = file;
        this.source = source;
    }

    /** The file that could not be read, or null when the data came from elsewhere (see {@link #source()}). */
    public Path file() { return file; }

    /** The name of the data in the message: the file's path, or the stream's name. */
    public String source() { return source; }
}
