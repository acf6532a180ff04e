package dev.ember.studio.web;

import dev.ember.serve.ServeConfig;
import dev.ember.studio.ApiError;
import dev.ember.studio.StudioConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;

/**
 * Checks every request before it reaches a route:
 * <ul>
 *   <li>on a loopback bind, the {@code Host} must be a loopback name, so a foreign site cannot reach the studio
 *       through a DNS name that it points at 127.0.0.1 (DNS rebinding);</li>
 *   <li>with a token, every API request must carry it ({@code X-Ember-Token} header, or {@code token} query
 *       parameter for event streams, which cannot set headers);</li>
 *   <li>a request that changes state (POST, PUT, PATCH, DELETE) must come from the studio's own page: an
 *       {@code Origin} other than the studio's is refused, and so is {@code Sec-Fetch-Site: cross-site}; its body
 *       must be JSON (or, for uploads, octet-stream), which a plain HTML form cannot send;</li>
 *   <li>a body larger than the limit is refused before it is read.</li>
 * </ul>
 */
final class Guard {
    /** The largest JSON body (arguments, chat messages). */
    static final long MAX_JSON = 1 << 20;
    private static final Set<HandlerType> CHANGING = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);

    private final StudioConfig config;
    private final byte[] token;

    Guard(StudioConfig config) {
        this.config = config;
        this.token = config.token() == null ? null : config.token().getBytes(StandardCharsets.UTF_8);
    }

    void check(Context ctx) {
        String host = ctx.header("Host");
        if (!ServeConfig.answersHost(config.host(), host))
            throw ApiError.forbidden("host: this studio answers only to localhost, 127.0.0.1 or [::1], not '" + host + "'");
        boolean api = ctx.path().startsWith("/api/");
        if (api && token != null) {
            String given = ctx.header("X-Ember-Token");
            if (given == null) given = ctx.queryParam("token");
            if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8)))
                throw new ApiError(401, "token: this studio needs its token (open the URL it printed, with ?token=...)");
        }
        if (CHANGING.contains(ctx.method())) {
            String origin = ctx.header("Origin");
            if (origin != null && !sameOrigin(origin, host))
                throw ApiError.forbidden("origin: requests that change state must come from the studio's own page, not " + origin);
            String site = ctx.header("Sec-Fetch-Site");
            if (origin == null && site != null && !site.equals("same-origin") && !site.equals("none"))
                throw ApiError.forbidden("origin: a " + site + " request may not change state");
            boolean upload = ctx.path().equals("/api/uploads");
            long length = ctx.req().getContentLengthLong();
            long limit = upload ? config.maxUploadBytes() : MAX_JSON;
            if (length > limit) throw new ApiError(413, "body: " + length + " bytes is more than the " + limit + " allowed");
            String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
            boolean json = type.startsWith("application/json");
            boolean hasBody = length > 0 || (length < 0 && ctx.header("Transfer-Encoding") != null);
            if (hasBody && !(json || (upload && type.startsWith("application/octet-stream"))))
                throw new ApiError(415, "body: expected application/json" + (upload ? " or application/octet-stream" : "") + ", got '" + type + "'");
        }
    }

    static void secureHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                + "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
    }

    private static boolean sameOrigin(String origin, String host) {
        if (host == null) return false;
        try {
            URI o = URI.create(origin);
            String authority = o.getRawAuthority();
            return "http".equals(o.getScheme()) && authority != null && authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException ex) {
            return false;
        }
    }

}
