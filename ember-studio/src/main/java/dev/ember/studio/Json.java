package dev.ember.studio;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * JSON for the studio: strict output (a non-finite number becomes {@code null}, which a browser's
 * {@code JSON.parse} accepts), lenient input for run logs (older logs write {@code NaN}), and files
 * written to a temporary name and renamed, so a reader never sees half a file.
 */
public final class Json {
    /** The studio's gson: nulls kept, pretty for files. */
    public static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
    private static final Gson PRETTY = new GsonBuilder().serializeNulls().disableHtmlEscaping().setPrettyPrinting().create();

    private static final java.util.Set<String> NON_FINITE = java.util.Set.of("NaN", "Infinity", "-Infinity");

    private Json() {}

    /** Parses one JSON value, accepting {@code NaN} and {@code Infinity}, and returns it with those replaced by null. */
    public static JsonElement parseLenient(String text) {
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.LENIENT);
        return finite(com.google.gson.JsonParser.parseReader(reader));
    }

    /** Parses a JSON object sent by the page. */
    public static JsonObject parseObject(String text, String what) {
        try {
            JsonElement e = com.google.gson.JsonParser.parseString(text);
            if (!e.isJsonObject()) throw ApiError.badRequest(what + ": expected a JSON object");
            return e.getAsJsonObject();
        } catch (JsonParseException ex) {
            throw ApiError.badRequest(what + ": malformed JSON: " + ex.getMessage());
        }
    }

    /** A copy of {@code e} in which every NaN or infinite number is null. */
    public static JsonElement finite(JsonElement e) {
        if (e == null || e.isJsonNull()) return JsonNull.INSTANCE;
        if (e.isJsonPrimitive()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            // a lenient reader returns the bare words NaN and Infinity of older run logs as strings
            if (p.isString() && NON_FINITE.contains(p.getAsString())) return JsonNull.INSTANCE;
            if (p.isNumber()) {
                double d = p.getAsDouble();
                if (!Double.isFinite(d)) return JsonNull.INSTANCE;
            }
            return p;
        }
        if (e.isJsonArray()) {
            JsonArray out = new JsonArray();
            for (JsonElement x : e.getAsJsonArray()) out.add(finite(x));
            return out;
        }
        JsonObject out = new JsonObject();
        for (Map.Entry<String, JsonElement> kv : e.getAsJsonObject().entrySet()) out.add(kv.getKey(), finite(kv.getValue()));
        return out;
    }

    /** {@code value} as strict JSON (non-finite numbers as null). */
    public static String write(Object value) {
        return GSON.toJson(finite(GSON.toJsonTree(value)));
    }

    /** A number, or null when it is not finite. */
    public static JsonElement number(double v) { return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE; }

    /** Reads a JSON object from a file (lenient). */
    public static JsonObject readObject(Path file) {
        try {
            return parseLenient(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException ex) {
            throw new UncheckedIOException("studio: cannot read " + file + ": " + ex.getMessage(), ex);
        } catch (RuntimeException ex) {
            throw new IllegalStateException("studio: " + file + " is not a JSON object: " + ex.getMessage(), ex);
        }
    }

    /** Writes {@code value} as pretty JSON to {@code file} through a temporary file and a rename. */
    public static void writeFile(Path file, Object value) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            Files.writeString(tmp, PRETTY.toJson(finite(GSON.toJsonTree(value))) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException ex) {
            throw new UncheckedIOException("studio: cannot write " + file + ": " + ex.getMessage(), ex);
        }
    }
}
