package dev.ember.backend.cpu;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.management.ObjectName;

/**
 * Asks HotSpot to compile the CPU backend's vector kernels with C2 in the foreground: a thread that makes a kernel
 * hot enough for C2 waits for C2's code instead of running on in C1's while the compile is queued and runs.
 *
 * <p>Why: C1 does not intrinsify the Vector API, so every vector operation in C1-compiled (or interpreted) code
 * allocates its vector and a lane array on the heap. A kernel that becomes hot during a large product ran in C1
 * for the 0.2-0.3 s that C2's queue took to reach it, and on two threads that is a gigabyte of garbage per kernel
 * (JFR, demo CNN on Zen 3: 927 MB in {@code GemmKernels.k2x4r} within one second, 4.71 GB in the whole first
 * epoch). That garbage is what makes G1 grow the heap, and so the process's peak RSS: with the directive the demo's
 * peak RSS fell from 860 to 750 MB (medians, Zen 3). The cost is the warm-up's: a waiting thread makes no progress,
 * where in C1 it made a little, so the first epoch ran about 5% fewer samples/s; once compiled, nothing changes.
 *
 * <p>How: a compiler directive ({@code BackgroundCompilation: false} for C2, matching the classes that hold vector code),
 * added through the DiagnosticCommand MBean ({@code Compiler.directives_add}, what {@code jcmd} runs). It touches
 * no other code, changes no JVM flag, and needs no diagnostic unlock. Installing it takes about 0.3 s (the
 * platform MBean server's start), so a daemon thread does it. {@code -Dember.jit.foreground=false} leaves it out;
 * a JVM without the MBean (not HotSpot, or no {@code jdk.management}) runs as before, logged at DEBUG.
 */
final class KernelCompilation {
    private KernelCompilation() {}

    /**
     * The classes whose methods hold Vector API code (their nested classes too): the directive matches these only.
     * The package's other methods (dispatch, lambdas, the scalar paths) run well enough in C1, and making a thread wait
     * for each of their C2 compiles cost 9% of the first epoch's samples/s. A test keeps the list complete.
     */
    static final List<String> VECTOR_CLASSES = List.of("ConvGemm", "ConvWeightGrad", "CpuNorm", "DirectConv", "GemmKernels", "GemmPacking",
            "HalfGemv", "HalfVectors", "SimdKernels", "SimdMath", "Winograd");
    private static final String PACKAGE = "dev/ember/backend/cpu/";
    private static final String DIRECTIVE = "[ { match: ["
            + VECTOR_CLASSES.stream().map(c -> "\"" + PACKAGE + c + "*.*\"").collect(Collectors.joining(", "))
            + "], c2: { BackgroundCompilation: false } } ]";
    private static final System.Logger LOG = System.getLogger("dev.ember");
    private static Thread installer;

    /** Starts installing the directive once per JVM, unless {@code ember.jit.foreground} is {@code false}. */
    static synchronized void requestForeground() {
        if (installer != null || "false".equalsIgnoreCase(System.getProperty("ember.jit.foreground"))) return;
        installer = Thread.ofPlatform().daemon().name("ember-jit-directive").start(KernelCompilation::install);
    }

    /** Waits for the installer started by {@link #requestForeground()}, for tests; false if none was started. */
    static boolean awaitInstalled() throws InterruptedException {
        Thread t;
        synchronized (KernelCompilation.class) { t = installer; }
        if (t == null) return false;
        t.join();
        return true;
    }

    private static void install() {
        Path file = null;
        try {
            // The MBean reads directives from a file only; createTempFile makes it readable by this user alone.
            file = Files.createTempFile("ember-jit-directive", ".json");
            Files.writeString(file, DIRECTIVE);
            Object out = dcmd("compilerDirectivesAdd", file.toString());
            LOG.log(System.Logger.Level.DEBUG, () -> "ember: C2 compiles the vector kernels in the foreground: " + String.valueOf(out).strip());
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "ember: kernels compile in the background (no compiler directive: " + e + ")");
        } finally {
            if (file != null) {
                try { Files.deleteIfExists(file); } catch (Exception ignored) { /* a temp file left behind is harmless */ }
            }
        }
    }

    /** Runs a HotSpot diagnostic command (its MBean operation name, e.g. {@code compilerDirectivesPrint}) and returns its output. */
    static Object dcmd(String operation, String... args) throws Exception {
        return ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                operation, new Object[] {args}, new String[] {String[].class.getName()});
    }
}
