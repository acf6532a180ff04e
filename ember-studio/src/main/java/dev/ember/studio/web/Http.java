package dev.ember.studio.web;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.studio.ApiError;
import dev.ember.studio.Json;
import io.javalin.http.Context;

/** Reading JSON requests and writing JSON answers. */
final class Http {
    private Http() {}

    static void json(Context ctx, Object value) {
        ctx.contentType("application/json; charset=utf-8").result(value instanceof JsonElement e ? Json.GSON.toJson(Json.finite(e)) : Json.write(value));
    }

    static JsonObject body(Context ctx, String what) {
        String text = ctx.body();
        if (text.isBlank()) return new JsonObject();
        return Json.parseObject(text, what);
    }

    static String string(JsonObject o, String key, String fallback) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) return fallback;
        if (!e.isJsonPrimitive()) throw ApiError.badRequest(key + ": expected a string");
        return e.getAsString();
    }

    static int integer(JsonObject o, String key, int fallback) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) return fallback;
        try {
            return Integer.parseInt(e.getAsString().strip());
        } catch (RuntimeException ex) {
            throw ApiError.badRequest(key + ": expected a whole number, got " + e);
        }
    }

    static double real(JsonObject o, String key, double fallback) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) return fallback;
        try {
            return Double.parseDouble(e.getAsString().strip());
        } catch (RuntimeException ex) {
            throw ApiError.badRequest(key + ": expected a number, got " + e);
        }
    }
}
