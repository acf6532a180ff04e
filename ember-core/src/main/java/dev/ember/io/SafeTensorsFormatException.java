package dev.ember.io;

import java.nio.file.Path;

/**
 * A safetensors file whose header or layout breaks the format: the header length, the JSON
 * header (its syntax, a missing or mistyped field, a duplicate name, {@code __metadata__} that
 * is not a map of strings), a dtype, a shape, or {@code data_offsets} that do not tile the data
 * section exactly. The message names the file and, where one is to blame, the tensor.
 *
 * <p>It is an {@link IllegalArgumentException}, as every other bad-input error of Ember's
 * unchecked API; a file that cannot be read at all (missing, no permission) is an
 * {@link java.io.UncheckedIOException} instead.
 */
public final class SafeTensorsFormatException extends IllegalArgumentException {
    private final transient Path file;
    private final String tensor;

    /** A format error in {@code file}; {@code tensor} is the entry at fault, or null for the file as a whole. */
    public SafeTensorsFormatException(Path file, String tensor, String problem) {
        super("safetensors: " + file + (tensor == null ? "" : ": tensor '" + tensor + "'") + ": " + problem);
        this.file = file;
        this.tensor = tensor;
    }

    /** The same, with the exception that revealed the problem (a JSON syntax error). */
    public SafeTensorsFormatException(Path file, String tensor, String problem, Throwable cause) {
        this(file, tensor, problem);
        initCause(cause);
    }

    /** The file that is malformed. */
    public Path file() { return file; }

    /** The header entry at fault, or null when the problem is not one tensor's. */
    public String tensor() { return tensor; }
}
