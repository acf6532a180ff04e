package dev.ember.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native libraries load only from where Ember put them, and a broken driver is reported as the loader
 * saw it. Each case starts a child JVM ({@link NativeLoadingMain}) with its own {@code java.io.tmpdir}
 * and loader path, since a library loads once per process.
 */
class NativeLibraryLoadingTest {

    private static final Path CC = Path.of("/usr/bin/cc");

    /**
     * The regression: a library planted at JCuda's old fixed path in the temporary directory was
     * loaded on every start. The planted library writes a marker file when it is loaded; a stand-in
     * {@code libcuda.so.1} (whose {@code cuInit} reports no device) lets the real JCuda library load.
     */
    @Test
    void jcudaAndLwjglLoadFromAPrivateVerifiedDirectoryNotFromAPlantedFile(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(CC), "no C compiler to build the planted library");
        Path planted = tmp.resolve(jcuda.LibUtils.createLibraryFileName(
                jcuda.LibUtils.createPlatformLibraryName("JCudaDriver-" + jcuda.JCudaVersion.get())));
        Path marker = tmp.resolve("planted-library-was-loaded");
        compile(tmp, "planted.c", """
                #include <stdio.h>
                #include <stdlib.h>
                __attribute__((constructor)) static void planted(void) {
                    FILE* f = fopen(getenv("EMBER_PLANTED_MARKER"), "w");
                    if (f) { fputs("loaded\\n", f); fclose(f); }
                }
                """, planted, List.of());
        Path driver = Files.createDirectory(tmp.resolve("driver"));
        compile(tmp, "stub.c", "int cuInit(unsigned flags) { return 100; /* CUDA_ERROR_NO_DEVICE */ }\n",
                driver.resolve("libcuda.so.1"), List.of("-Wl,-soname,libcuda.so.1"));

        Map<String, String> env = new HashMap<>(Map.of("LD_LIBRARY_PATH", driver.toString(), "EMBER_PLANTED_MARKER", marker.toString()));
        env.put("EMBER_DISABLE_CUDA", null);
        env.put("EMBER_DISABLE_OPENCL", null);
        Properties out = facts(ChildJvm.run(List.of("-Djava.io.tmpdir=" + tmp), env, 3,
                NativeLoadingMain.class.getName(), "CUDA", "OPENCL"));

        assertFalse(Files.exists(marker), "the planted library was loaded");
        assertEquals("no CUDA device (the driver reports none)", out.getProperty("cuda.reason"), "JCuda's real library ran cuInit");
        for (String lib : List.of("JCudaDriver", "lwjgl")) {
            Path mapped = Path.of(out.getProperty(lib + ".mapped"));
            assertNotEquals(tmp, mapped.getParent(), lib + " was loaded from the shared temporary directory");
            assertTrue(mapped.getParent().getFileName().toString().startsWith("ember-natives-"), lib + " from " + mapped);
            assertEquals("rwx------", out.getProperty(lib + ".dirPermissions"), lib + ": the directory is the user's alone");
            assertEquals(out.getProperty(lib + ".processOwner"), out.getProperty(lib + ".dirOwner"), lib);
            assertTrue(out.getProperty(lib + ".sha256").endsWith(" matches"), lib + ": the file is the jar's: " + out);
            assertFalse(Files.exists(mapped.getParent()), "the private directory is deleted at exit");
        }
    }

    /** The regression: a libcuda.so.1 that is present but not a library was reported as "not found". */
    @Test
    void aBrokenDriverLibraryIsReportedInTheLoadersWords(@TempDir Path tmp) throws Exception {
        Path driver = Files.createDirectory(tmp.resolve("driver"));
        Files.writeString(driver.resolve("libcuda.so.1"), "This is not a shared library, although it has the driver's name.\n");
        Map<String, String> env = new HashMap<>(Map.of("LD_LIBRARY_PATH", driver.toString()));
        env.put("EMBER_DISABLE_CUDA", null);
        Properties out = facts(ChildJvm.run(List.of("-Djava.io.tmpdir=" + tmp), env, 3, NativeLoadingMain.class.getName(), "CUDA"));
        assertEquals("the NVIDIA driver library could not be loaded: " + driver.resolve("libcuda.so.1") + ": invalid ELF header",
                out.getProperty("cuda.reason"));
    }

    private static Properties facts(ChildJvm.Result r) throws Exception {
        assertEquals(0, r.exitCode(), r.output());
        Properties p = new Properties();
        for (String line : r.output().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("WARNING")) p.setProperty(line.substring(0, eq), line.substring(eq + 1));
        }
        return p;
    }

    private static void compile(Path dir, String name, String source, Path out, List<String> flags) throws Exception {
        Path src = Files.writeString(dir.resolve(name), source);
        var cmd = new java.util.ArrayList<>(List.of(CC.toString(), "-shared", "-fPIC", "-o", out.toString(), src.toString()));
        cmd.addAll(flags);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + "\n" + log);
    }
}
