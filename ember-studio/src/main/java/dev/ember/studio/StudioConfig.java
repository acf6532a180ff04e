package dev.ember.studio;

import dev.ember.serve.ServeConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How a studio is served and where it may read and write.
 *
 * @param host           address to bind; anything but a loopback address needs {@code token}
 * @param port           port to bind (0: any free port)
 * @param token          secret every API request must carry (header {@code X-Ember-Token} or query {@code token}); null: none
 * @param dataRoots      the only directories that dataset paths may point into
 * @param runsDir        where runs are written (each run a directory); checkpoints to resume from must lie here too
 * @param maxUploadBytes the largest file the page may upload into the first data root
 */
public record StudioConfig(String host, int port, String token, List<Path> dataRoots, Path runsDir, long maxUploadBytes) {
    /** The default address and port: {@code 127.0.0.1:7860}. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The default port. */
    public static final int DEFAULT_PORT = 7860;
    /** The default upload limit: 64 MiB. */
    public static final long DEFAULT_MAX_UPLOAD = 64L << 20;

    /** Checks the settings; a non-loopback bind without a token is refused. */
    public StudioConfig {
        Objects.requireNonNull(host, "studio: host is null");
        Objects.requireNonNull(runsDir, "studio: runsDir is null");
        dataRoots = List.copyOf(dataRoots);
        if (port < 0 || port > 65535) throw new IllegalArgumentException("studio: --port must be 0..65535, got " + port);
        if (maxUploadBytes <= 0) throw new IllegalArgumentException("studio: the upload limit must be positive, got " + maxUploadBytes);
        if (token != null && token.isBlank()) token = null;
        if (token != null && token.length() < 8)
            throw new IllegalArgumentException("studio: --token must have at least 8 characters");
        if (!ServeConfig.isLoopback(host) && token == null)
            throw new IllegalArgumentException("studio: binding to " + host + " (not a loopback address) needs --token SECRET, "
                    + "so that only people who know it can start processes and read files here");
    }

    /** The defaults: loopback, port 7860, no token, data roots {@code ~/.ember/datasets} and {@code /usr/share/datasets}, runs in {@code runs/}. */
    public static StudioConfig defaults() {
        return new StudioConfig(DEFAULT_HOST, DEFAULT_PORT, null, defaultDataRoots(), Path.of("runs"), DEFAULT_MAX_UPLOAD);
    }

    /** {@code ~/.ember/datasets} and Debian's {@code /usr/share/datasets}. */
    public static List<Path> defaultDataRoots() {
        return List.of(Path.of(System.getProperty("user.home"), ".ember", "datasets"), Path.of("/usr/share/datasets"));
    }

}
