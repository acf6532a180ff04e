package dev.ember.serve;

import com.google.gson.JsonObject;

/**
 * An error answered as OpenAI answers one: HTTP {@code status} and
 * {@code {"error": {"message", "type", "param", "code"}}}, so that OpenAI clients raise their usual exceptions.
 */
public final class OpenAiError extends RuntimeException {
    private final int status;
    private final String type, param, code;

    /** An error with OpenAI's fields; {@code param} and {@code code} may be null. */
    public OpenAiError(int status, String type, String message, String param, String code) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400 {@code invalid_request_error}: a malformed or out-of-range request, naming the parameter. */
    public static OpenAiError invalid(String param, String message) {
        return new OpenAiError(400, "invalid_request_error", message, param, null);
    }

    /** 400 {@code invalid_request_error} for a parameter this server does not support. */
    public static OpenAiError unsupported(String param, String message) {
        return new OpenAiError(400, "invalid_request_error", message, param, "unsupported_parameter");
    }

    /** The HTTP status. */
    public int status() { return status; }

    /** OpenAI's error type ({@code invalid_request_error}, {@code authentication_error}, ...). */
    public String type() { return type; }

    /** The request parameter at fault, or null. */
    public String param() { return param; }

    /** A machine-readable code ({@code model_not_found}, {@code context_length_exceeded}, ...), or null. */
    public String code() { return code; }

    /** The answer's body. */
    public JsonObject toJson() {
        JsonObject e = new JsonObject();
        e.addProperty("message", getMessage());
        e.addProperty("type", type);
        e.addProperty("param", param);
        e.addProperty("code", code);
        JsonObject o = new JsonObject();
        o.add("error", e);
        return o;
    }
}
