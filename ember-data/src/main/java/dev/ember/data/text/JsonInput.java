package dev.ember.data.text;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import dev.ember.data.io.DataFormatException;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A JSON file read with Gson's strict streaming reader (no tree of the whole file, no lenient
 * syntax, no numbers read as strings or strings as numbers), for the small file formats of this
 * package. Every malformed input becomes a {@link DataFormatException} naming the file and the
 * JSON path; a file that cannot be read is an {@link UncheckedIOException}.
 */
final class JsonInput {
    /** Reads what {@link #in} holds and returns the result. */
    @FunctionalInterface
    interface Body<T> { T read(JsonInput json) throws IOException; }

    final Path file;
    final JsonReader in;

    private JsonInput(Path file, JsonReader in) {
        this.file = file;
        this.in = in;
        in.setStrictness(Strictness.STRICT);
    }

    /** Opens {@code file} as strict UTF-8 JSON, runs {@code body} and checks nothing follows the value it read. */
    static <T> T read(Path file, String reader, Body<T> body) {
        try (JsonReader r = new JsonReader(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
            JsonInput json = new JsonInput(file, r);
            T out = body.read(json);
            if (r.peek() != JsonToken.END_DOCUMENT) throw json.error("expected the end of the file after the JSON value");
            return out;
        } catch (MalformedJsonException | EOFException | IllegalStateException | NumberFormatException e) {
            // syntax errors, a cut file, nesting deeper than Gson's limit, Gson's own type checks
            throw new DataFormatException(file, "JSON", "not valid JSON for " + reader + ": " + e.getMessage(), e);
        } catch (CharacterCodingException e) {
            throw new DataFormatException(file, "text", "expected UTF-8 text, found an invalid byte sequence", e);
        } catch (IOException e) {
            throw new UncheckedIOException(reader + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Fails unless the next token is {@code token}. */
    void expect(JsonToken token, String what) throws IOException {
        JsonToken got = in.peek();
        if (got != token) throw error("expected " + what + ", found " + got);
    }

    /** The next value, which must be a JSON string. */
    String string(String what) throws IOException {
        expect(JsonToken.STRING, what);
        return in.nextString();
    }

    /** The next value, which must be an integer literal in {@code [min, max]}. */
    int integer(String what, int min, int max) throws IOException {
        expect(JsonToken.NUMBER, what);
        String literal = in.nextString();
        long v;
        try {
            v = Long.parseLong(literal);
        } catch (NumberFormatException e) {
            throw error("expected " + what + ", found " + literal);
        }
        if (v < min || v > max) throw error("expected " + what + " in [" + min + ", " + max + "], found " + v);
        return (int) v;
    }

    /** A format error at the reader's current JSON path. */
    DataFormatException error(String problem) {
        return new DataFormatException(file, "JSON " + in.getPath(), problem);
    }
}
