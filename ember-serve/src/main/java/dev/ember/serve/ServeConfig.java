package dev.ember.serve;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * How the server is reached.
 *
 * @param host      address to bind; anything but a loopback address needs {@code apiKey}
 * @param port      port to bind (0: any free port)
 * @param apiKey    the key every request must carry as {@code Authorization: Bearer KEY}; null: none (loopback only)
 * @param modelName the model's id in {@code /v1/models} and the {@code model} that requests must name
 * @param maxQueued requests that may wait while one generates; one more is refused with 429
 */
public record ServeConfig(String host, int port, String apiKey, String modelName, int maxQueued) {
    /** The default address: {@code 127.0.0.1}. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The default port: 8000, as vLLM's and llama.cpp's OpenAI servers. */
    public static final int DEFAULT_PORT = 8000;
    /** Requests that may wait by default. */
    public static final int DEFAULT_MAX_QUEUED = 16;

    /** Checks the settings; a non-loopback bind without an API key is refused. */
    public ServeConfig {
        Objects.requireNonNull(host, "serve: host is null");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("serve: --port must be 0..65535, got " + port);
        if (apiKey != null && apiKey.isBlank()) apiKey = null;
        if (apiKey != null && apiKey.length() < 8) throw new IllegalArgumentException("serve: --api-key must have at least 8 characters");
        if (apiKey != null && !apiKey.matches("[\\x21-\\x7e]+"))
            throw new IllegalArgumentException("serve: --api-key must be printable ASCII without spaces");
        if (!isLoopback(host) && apiKey == null)
            throw new IllegalArgumentException("serve: binding to " + host + " (not a loopback address) needs --api-key KEY, "
                    + "so that only clients that know it can use the model");
        if (modelName == null || !modelName.matches("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}"))
            throw new IllegalArgumentException("serve: the model name must be 1-128 letters, digits or . _ : / -, got '" + modelName + "'");
        if (maxQueued < 0 || maxQueued > 10_000) throw new IllegalArgumentException("serve: --max-queued must be 0..10000, got " + maxQueued);
    }

    /** Loopback, port 8000, no key, 16 waiting requests. */
    public static ServeConfig local(String modelName) {
        return new ServeConfig(DEFAULT_HOST, DEFAULT_PORT, null, modelName, DEFAULT_MAX_QUEUED);
    }

    /** The same settings on another port. */
    public ServeConfig withPort(int p) { return new ServeConfig(host, p, apiKey, modelName, maxQueued); }

    /**
     * Whether a server bound to {@code boundHost} answers a request whose {@code Host} header is {@code hostHeader}: one
     * bound to loopback answers only a header that names loopback (no DNS rebinding from a web page); one bound elsewhere
     * answers any (its API key or token guards it). Shared by this server and Ember Studio.
     */
    public static boolean answersHost(String boundHost, String hostHeader) {
        return !isLoopback(boundHost) || (hostHeader != null && isLoopback(hostName(hostHeader)));
    }

    /** The host name of a {@code Host} header value ({@code 127.0.0.1:8000 -> 127.0.0.1}, {@code [::1]:80 -> ::1}). */
    static String hostName(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(1, end);
        }
        int colon = host.lastIndexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    /** Whether {@code host} names a loopback address (127.0.0.0/8, ::1, localhost); a name other than localhost never does. */
    public static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) return true;
        if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) return false; // a name would need DNS; only literal addresses count
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException ex) {
            return false;
        }
    }
}
