package dev.ember.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where the native libraries that Ember's bindings ship inside their jars (JCuda's, LWJGL's) are
 * unpacked before they are loaded: one directory per process, created fresh by
 * {@link Files#createTempDirectory} with owner-only permissions (700) and deleted at exit.
 *
 * <p>The bindings' own defaults unpack to predictable names in the shared temporary directory
 * ({@code /tmp/libJCudaDriver-12.0.0-linux-x86_64.so}, {@code /tmp/lwjgl<user>/...}) and reuse a file
 * already there, so anyone who can write to {@code /tmp} first could plant a library that every
 * later start would load. Nobody else can create or replace a file in this directory, and
 * {@link #extract} also compares the SHA-256 of what it wrote with the jar's resource before anyone
 * loads it.
 */
public final class PrivateNatives {
    private PrivateNatives() {}

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static Path directory;

    /** The process's private directory, created on first use. */
    public static synchronized Path directory() {
        if (directory != null) return directory;
        try {
            Path dir;
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                dir = Files.createTempDirectory("ember-natives-", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                Set<PosixFilePermission> actual = Files.getPosixFilePermissions(dir);
                if (!actual.equals(OWNER_ONLY))
                    throw new IOException(dir + " has permissions " + PosixFilePermissions.toString(actual) + ", not rwx------");
            } else {
                dir = Files.createTempDirectory("ember-natives-"); // a per-user temporary directory (Windows)
            }
            Path created = dir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(created), "ember-natives-cleanup"));
            directory = dir;
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("ember: cannot create a private directory for native libraries", e);
        }
    }

    /**
     * Writes the class-path resource {@code resource} (looked up from {@code anchor}, so from the jar that
     * holds it) to {@code fileName} in the {@link #directory()}, and checks that the file's SHA-256 equals
     * the resource's. Returns the file, or null when there is no such resource.
     */
    public static synchronized Path extract(Class<?> anchor, String resource, String fileName) {
        Path file = directory().resolve(fileName);
        try {
            byte[] expected;
            try (InputStream in = anchor.getResourceAsStream(resource)) {
                if (in == null) return null;
                var digesting = new DigestInputStream(in, sha256());
                if (Files.exists(file)) { // unpacked earlier in this process: only check it
                    digesting.transferTo(java.io.OutputStream.nullOutputStream());
                } else {
                    try (var out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        digesting.transferTo(out);
                    }
                }
                expected = digesting.getMessageDigest().digest();
            }
            byte[] actual;
            try (InputStream written = Files.newInputStream(file)) {
                actual = digest(written);
            }
            if (!MessageDigest.isEqual(expected, actual))
                throw new IOException(file + " does not match " + resource + " (SHA-256 " + HexFormat.of().formatHex(actual)
                        + ", expected " + HexFormat.of().formatHex(expected) + ")");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("ember: cannot unpack " + resource, e);
        }
    }

    /** The SHA-256 of everything {@code in} holds. */
    public static byte[] digest(InputStream in) throws IOException {
        var digesting = new DigestInputStream(in, sha256());
        digesting.transferTo(java.io.OutputStream.nullOutputStream());
        return digesting.getMessageDigest().digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort at exit: the directory is private, so a leftover harms no one
        }
    }
}
