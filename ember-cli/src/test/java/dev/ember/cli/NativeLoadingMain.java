package dev.ember.cli;

import dev.ember.backend.Backends;
import dev.ember.backend.PrivateNatives;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;

/**
 * The child process of {@link NativeLibraryLoadingTest}: starts the CUDA and OpenCL families as
 * Ember does, then prints one {@code key=value} line per fact the test checks: each family's reason,
 * where each native library was mapped from (from {@code /proc/self/maps}), and for libraries in
 * Ember's private directory that directory's permissions and owner and whether the file's SHA-256
 * equals the jar resource's.
 */
public final class NativeLoadingMain {
    private NativeLoadingMain() {}

    public static void main(String[] args) throws Exception {
        for (String kind : args) {
            Backends.Family f = Backends.family(kind.toLowerCase(java.util.Locale.ROOT));
            System.out.println(kind.toLowerCase() + ".reason=" + (f.available() ? "available" : f.reason()));
        }
        report("JCudaDriver", "libJCudaDriver-", jcuda.LibUtils.class, "/lib/");
        report("lwjgl", "liblwjgl.so", org.lwjgl.Version.class, "/linux/x64/org/lwjgl/");
        System.out.flush();
    }

    private static void report(String key, String fileStart, Class<?> anchor, String resourceDir) throws Exception {
        Path mapped = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            int slash = line.indexOf('/');
            if (slash < 0) continue;
            Path p = Path.of(line.substring(slash).replace(" (deleted)", ""));
            if (p.getFileName().toString().startsWith(fileStart)) mapped = p;
        }
        System.out.println(key + ".mapped=" + mapped);
        if (mapped == null || !Files.exists(mapped)) return;
        Path dir = mapped.getParent();
        System.out.println(key + ".dirPermissions=" + PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        System.out.println(key + ".dirOwner=" + Files.getOwner(dir).getName());
        System.out.println(key + ".processOwner=" + Files.getOwner(Path.of("/proc/self")).getName());
        byte[] jar, file;
        try (InputStream in = anchor.getResourceAsStream(resourceDir + mapped.getFileName())) {
            jar = PrivateNatives.digest(in);
        }
        try (InputStream in = Files.newInputStream(mapped)) {
            file = PrivateNatives.digest(in);
        }
        System.out.println(key + ".sha256=" + HexFormat.of().formatHex(file) + (java.util.Arrays.equals(jar, file) ? " matches" : " differs"));
    }
}
