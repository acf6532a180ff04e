package dev.ember.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a request body's fields with OpenAI's types: a number must be a JSON number, a flag a JSON boolean; a field
 * that is absent or {@code null} takes its default. A wrong type is a 400 naming the field.
 */
final class RequestFields {
    private final JsonObject body;

    private RequestFields(JsonObject body) { this.body = body; }

    /** Parses {@code text} as one strict JSON object (no trailing text, no comments, no unquoted names). */
    static RequestFields parse(String text) {
        if (text == null || text.isBlank())
            throw OpenAiError.invalid(null, "the request body is empty; it must be a JSON object");
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) throw new JsonParseException("text after the JSON object");
            if (!e.isJsonObject()) throw OpenAiError.invalid(null, "the request body must be a JSON object, got " + kind(e));
            return new RequestFields(e.getAsJsonObject());
        } catch (JsonParseException | IOException | IllegalStateException ex) {
            throw OpenAiError.invalid(null, "could not parse the JSON body of the request: " + ex.getMessage());
        }
    }

    /** The raw value, or null when absent or JSON null. */
    JsonElement get(String name) {
        JsonElement e = body.get(name);
        return e == null || e.isJsonNull() ? null : e;
    }

    boolean has(String name) { return get(name) != null; }

    String string(String name, String fallback) {
        JsonElement e = get(name);
        if (e == null) return fallback;
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString())
            throw OpenAiError.invalid(name, name + " must be a string, got " + kind(e));
        return e.getAsString();
    }

    boolean flag(String name, boolean fallback) {
        JsonElement e = get(name);
        if (e == null) return fallback;
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean())
            throw OpenAiError.invalid(name, name + " must be true or false, got " + kind(e));
        return e.getAsBoolean();
    }

    double number(String name, double fallback) {
        JsonElement e = get(name);
        if (e == null) return fallback;
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber())
            throw OpenAiError.invalid(name, name + " must be a number, got " + kind(e));
        double v = e.getAsDouble();
        if (!Double.isFinite(v)) throw OpenAiError.invalid(name, name + " must be a finite number");
        return v;
    }

    /** A whole number in {@code [min, max]}, or null when absent. */
    Long integer(String name, long min, long max) {
        JsonElement e = get(name);
        if (e == null) return null;
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber())
            throw OpenAiError.invalid(name, name + " must be an integer, got " + kind(e));
        BigDecimal v;
        try {
            v = e.getAsBigDecimal();
        } catch (NumberFormatException ex) {
            throw OpenAiError.invalid(name, name + " must be an integer, got " + e);
        }
        if (v.stripTrailingZeros().scale() > 0) throw OpenAiError.invalid(name, name + " must be an integer, got " + e);
        if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0)
            throw OpenAiError.invalid(name, name + " must be between " + min + " and " + max + ", got " + e);
        return v.longValueExact();
    }

    /** A string or a list of strings (OpenAI's {@code stop}). */
    List<String> strings(String name) {
        JsonElement e = get(name);
        List<String> out = new ArrayList<>();
        if (e == null) return out;
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            out.add(e.getAsString());
            return out;
        }
        if (!e.isJsonArray()) throw OpenAiError.invalid(name, name + " must be a string or a list of strings, got " + kind(e));
        for (JsonElement x : e.getAsJsonArray()) {
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString())
                throw OpenAiError.invalid(name, name + " must be a string or a list of strings; it holds " + kind(x));
            out.add(x.getAsString());
        }
        return out;
    }

    JsonArray array(String name) {
        JsonElement e = get(name);
        if (e == null) return null;
        if (!e.isJsonArray()) throw OpenAiError.invalid(name, name + " must be a list, got " + kind(e));
        return e.getAsJsonArray();
    }

    JsonObject object(String name) {
        JsonElement e = get(name);
        if (e == null) return null;
        if (!e.isJsonObject()) throw OpenAiError.invalid(name, name + " must be an object, got " + kind(e));
        return e.getAsJsonObject();
    }

    /** A JSON type's name for messages ({@code a string}, {@code a number}, ...). */
    static String kind(JsonElement e) {
        if (e == null || e.isJsonNull()) return "null";
        if (e.isJsonObject()) return "an object";
        if (e.isJsonArray()) return "a list";
        var p = e.getAsJsonPrimitive();
        return p.isBoolean() ? "a boolean (" + p + ")" : p.isNumber() ? "a number (" + p + ")" : "a string";
    }
}
