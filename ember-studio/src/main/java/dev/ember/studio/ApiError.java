package dev.ember.studio;

/** An error answered to the page as {@code {"error": message}} with an HTTP status. */
public final class ApiError extends RuntimeException {
    private final int status;

    /** An error with this HTTP status and a message that says what was wrong. */
    public ApiError(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status. */
    public int status() { return status; }

    /** 400: the request is malformed or a value is out of range. */
    public static ApiError badRequest(String message) { return new ApiError(400, message); }

    /** 404: no such run, file or checkpoint. */
    public static ApiError notFound(String message) { return new ApiError(404, message); }

    /** 403: the request may not do this (a path outside the roots, a foreign origin, a wrong token). */
    public static ApiError forbidden(String message) { return new ApiError(403, message); }

    /** 409: the request conflicts with a run's state (delete a running run, ...). */
    public static ApiError conflict(String message) { return new ApiError(409, message); }
}
