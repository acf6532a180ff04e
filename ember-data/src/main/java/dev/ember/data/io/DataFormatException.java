package dev.ember.data.io;

import java.nio.file.Path;

/**
 * A data file that cannot be read as its format requires. The message names the file, the
 * position (line and column, or byte offset) and what was expected there.
 */
public final class DataFormatException extends RuntimeException {
    private final Path file;

    /** An error in {@code file} at {@code position} (e.g. "line 4, column 2"). */
    public DataFormatException(Path file, String position, String problem) {
        super(file + ": " + position + ": " + problem);
        this.file = file;
    }

    /** An error in {@code file} at {@code position}, caused by {@code cause}. */
    public DataFormatException(Path file, String position, String problem, Throwable cause) {
        super(file + ": " + position + ": " + problem, cause);
        this.file = file;
    }

    /** The file that could not be read. */
    public Path file() { return file; }
}
