package dev.ember.backend.gpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * Compiled kernels kept on disk between runs, in a private per-user directory: created with owner-only
 * permissions (700), and refused (the cache is then off, with one log line) when it exists with any other
 * permissions or another owner, since a planted file there would be loaded as code. An entry is named by the
 * SHA-256 of what it was compiled from (source, compiler version, device architecture, options) and holds
 * the SHA-256 of its content, checked on every read; a corrupt or truncated entry is deleted and compiled
 * again. Writes go to a temporary file that is renamed, so a reader never sees half an entry.
 *
 * <p>The directory is {@code -Dember.kernelCache=DIR}, else {@code EMBER_KERNEL_CACHE}, else
 * {@code $XDG_CACHE_HOME/ember/kernels}, else {@code ~/.cache/ember/kernels}; the value {@code off} disables it.
 */
public final class KernelCache {
    private static final System.Logger LOG = System.getLogger("dev.ember");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final byte[] MAGIC = "ember-kernel-cache 1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HASH_HEX = 64;

    private final Path dir;
    private final String disabledBecause;

    private KernelCache(Path dir, String disabledBecause) {
        this.dir = dir;
        this.disabledBecause = disabledBecause;
    }

    /** The cache at the configured location (see the class comment). */
    public static KernelCache standard() {
        String configured = System.getProperty("ember.kernelCache", System.getenv("EMBER_KERNEL_CACHE"));
        if (configured != null && configured.trim().equalsIgnoreCase("off")) return new KernelCache(null, "disabled by configuration");
        Path dir;
        if (configured != null && !configured.isBlank()) {
            dir = Path.of(configured.trim());
        } else {
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
            dir = base.resolve("ember").resolve("kernels");
        }
        return at(dir);
    }

    /** The cache in {@code dir}, created private if absent; off, with the reason, if the directory is not private. */
    public static KernelCache at(Path dir) {
        try {
            boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent() == null ? dir : dir.getParent());
                if (posix) Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                else Files.createDirectory(dir);
            }
            if (posix) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
                if (!perms.equals(OWNER_ONLY))
                    return off(dir, "it has permissions " + PosixFilePermissions.toString(perms) + ", not rwx------");
                String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
                if (!owner.equals(System.getProperty("user.name")))
                    return off(dir, "it belongs to " + owner + ", not to " + System.getProperty("user.name"));
            }
            return new KernelCache(dir, null);
        } catch (IOException | UnsupportedOperationException e) {
            return off(dir, "it cannot be created: " + e.getMessage());
        }
    }

    private static KernelCache off(Path dir, String why) {
        String reason = "kernel cache " + dir + " is not used: " + why;
        LOG.log(System.Logger.Level.WARNING, "ember: " + reason + "; kernels are compiled on every start");
        return new KernelCache(dir, reason);
    }

    /** True when entries are read and written. */
    public boolean enabled() { return disabledBecause == null; }

    /** Why the cache is off; empty when it is on. */
    public String disabledBecause() { return disabledBecause == null ? "" : disabledBecause; }

    /** The directory (whether or not it is used). */
    public Path directory() { return dir; }

    /** The key of an entry: the SHA-256 of {@code parts}, each length-prefixed so no two lists collide. */
    public static String key(String... parts) {
        MessageDigest md = sha256();
        for (String p : parts) {
            byte[] b = p.getBytes(StandardCharsets.UTF_8);
            md.update((b.length + ":").getBytes(StandardCharsets.US_ASCII));
            md.update(b);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The entry {@code key} if present and intact; a damaged entry is deleted. */
    public Optional<byte[]> get(String key) {
        if (!enabled()) return Optional.empty();
        Path file = dir.resolve(checkedKey(key));
        byte[] all;
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            return Optional.empty();
        }
        int head = MAGIC.length + HASH_HEX + 1;
        if (all.length >= head && Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            String stored = new String(all, MAGIC.length, HASH_HEX, StandardCharsets.US_ASCII);
            byte[] payload = Arrays.copyOfRange(all, head, all.length);
            if (stored.equals(HexFormat.of().formatHex(sha256().digest(payload)))) return Optional.of(payload);
        }
        LOG.log(System.Logger.Level.WARNING, "ember: kernel cache entry " + file + " is damaged; deleting it and compiling again");
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // compiled again either way
        }
        return Optional.empty();
    }

    /** Stores {@code value} under {@code key}; a failure to write is logged, never thrown (the cache is an optimisation). */
    public void put(String key, byte[] value) {
        if (!enabled()) return;
        Path file = dir.resolve(checkedKey(key));
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, key.substring(0, 16) + "-", ".tmp"); // owner-only, in the private directory
            byte[] head = (new String(MAGIC, StandardCharsets.US_ASCII) + HexFormat.of().formatHex(sha256().digest(value)) + "\n")
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] all = Arrays.copyOf(head, head.length + value.length);
            System.arraycopy(value, 0, all, head.length, value.length);
            Files.write(tmp, all);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "ember: cannot write kernel cache entry " + file + ": " + e.getMessage());
            try {
                if (tmp != null) Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }

    private static String checkedKey(String key) {
        if (!key.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("kernel cache: a key is a SHA-256 in hex, got '" + key + "'");
        return key;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
