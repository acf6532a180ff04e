package dev.ember.backend.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk cache of compiled kernels: private, keyed by SHA-256, checked on every read. */
class KernelCacheTest {
    @TempDir
    Path tmp;

    @Test
    void storesAndReturnsEntriesInAPrivateDirectory() throws Exception {
        KernelCache cache = KernelCache.at(tmp.resolve("kernels"));
        assertTrue(cache.enabled(), cache.disabledBecause());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.directory())));
        String key = KernelCache.key("nvrtc", "13.0", "compute_90", "source text");
        assertTrue(cache.get(key).isEmpty());
        byte[] ptx = "// PTX\n.version 9.0\n".getBytes(StandardCharsets.UTF_8);
        cache.put(key, ptx);
        assertArrayEquals(ptx, cache.get(key).orElseThrow());
        assertArrayEquals(ptx, KernelCache.at(tmp.resolve("kernels")).get(key).orElseThrow(), "a later run reads it");
        try (var files = Files.list(cache.directory())) {
            for (Path f : files.toList()) assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
        }
    }

    @Test
    void keysDependOnEveryPartAndItsBoundaries() {
        assertNotEquals(KernelCache.key("a", "bc"), KernelCache.key("ab", "c"));
        assertNotEquals(KernelCache.key("src", "compute_75"), KernelCache.key("src", "compute_90"));
        assertEquals(64, KernelCache.key("x").length());
        assertThrows(IllegalArgumentException.class, () -> KernelCache.at(tmp.resolve("k")).get("../../etc/passwd"));
    }

    @Test
    void aDamagedEntryIsDeletedAndMissed() throws Exception {
        KernelCache cache = KernelCache.at(tmp.resolve("kernels"));
        String key = KernelCache.key("damaged");
        cache.put(key, "good PTX".getBytes(StandardCharsets.UTF_8));
        Path file = cache.directory().resolve(key);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 1; // one flipped bit in the payload
        Files.write(file, bytes);
        assertTrue(cache.get(key).isEmpty(), "the content no longer matches its hash");
        assertFalse(Files.exists(file), "the damaged entry is removed so it is compiled again");
        Files.writeString(file, "not an entry at all");
        assertTrue(cache.get(key).isEmpty());
    }

    @Test
    void aDirectoryOthersCanWriteIsNotUsed() throws Exception {
        Path open = Files.createDirectory(tmp.resolve("shared"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        KernelCache cache = KernelCache.at(open);
        assertFalse(cache.enabled());
        assertTrue(cache.disabledBecause().contains("rwxrwxrwx"), cache.disabledBecause());
        String key = KernelCache.key("x");
        cache.put(key, new byte[]{1});
        assertTrue(cache.get(key).isEmpty());
        try (var files = Files.list(open)) {
            assertEquals(0, files.count(), "nothing is written there");
        }
    }

    @Test
    void offDisablesIt() {
        String old = System.getProperty("ember.kernelCache");
        try {
            System.setProperty("ember.kernelCache", "off");
            assertFalse(KernelCache.standard().enabled());
        } finally {
            if (old == null) System.clearProperty("ember.kernelCache"); else System.setProperty("ember.kernelCache", old);
        }
    }
}
