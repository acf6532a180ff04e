package dev.ember.backend.gpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Keeps the JVM's signal handlers in place beside GPU drivers and compilers built on LLVM (PoCL among them; NVRTC's
 * NVVM is LLVM too), for the runtimes to call after anything that may compile.
 *
 * <p>The first time such a driver writes a file while compiling, LLVM installs its own handlers for SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE and a dozen other signals ({@code RemoveFileOnSignal} registers them once per process, with
 * {@code SA_RESETHAND}). The JVM takes SIGSEGV in normal operation (safepoint polls, implicit null checks), so the
 * next such fault runs LLVM's handler, which resets the signal to its default action before it puts the JVM's handler
 * back; a second thread faulting in that moment (a safepoint arms every thread's poll at once) kills the process
 * with no error report. Seen here: PoCL 3.1 (LLVM 15), about one run in eight of a program whose kernels PoCL had not
 * cached, exit status 139 and a core whose faulting thread was in compiled Java code while another sat in
 * {@code sigaction} restoring handlers.
 *
 * <p>{@link #record} keeps the JVM's handlers before the driver is loaded; {@link #restore} puts them back after each
 * compile. LLVM registers only once (it would again only after its own handler ran, which it no longer can), so the
 * risk is confined to the first compile. With {@code libjsig} preloaded ({@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so},
 * the JVM's own remedy) the JVM keeps its handlers throughout and there is nothing to restore. Linux only; elsewhere
 * both calls do nothing.
 */
public final class JvmSignalHandlers {
    private JvmSignalHandlers() {}

    /** The signals LLVM's Unix {@code RegisterHandlers} takes over (its interrupt and kill lists), Linux numbering. */
    private static final int[] SIGNALS = {1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 15, 24, 25, 31};
    /** SIGSEGV's place in {@link #SIGNALS}: the one the JVM takes in normal operation, so the one checked. */
    private static final int SEGV = java.util.Arrays.binarySearch(SIGNALS, 11);
    /** Bytes of glibc's {@code struct sigaction} on 64-bit Linux (152), rounded up. */
    private static final long SIGACTION_BYTES = 256;
    /**
     * Offset of {@code sa_flags} in it (after the handler and the 128-byte mask, of which the kernel keeps the first 8
     * bytes and glibc's copy leaves the rest undefined), {@code SA_SIGINFO}, and {@code SA_RESTORER} (glibc adds it).
     */
    private static final long FLAGS_OFFSET = 136;
    private static final int SA_SIGINFO = 4, SA_RESTORER = 0x04000000;

    private static final MethodHandle SIGACTION = sigaction();
    private static MemorySegment[] recorded;

    private static MethodHandle sigaction() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) return null;
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find("sigaction")
                .map(a -> linker.downcallHandle(a, FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS)))
                .orElse(null);
    }

    /** Records the current handlers (the JVM's) once, before any OpenCL driver is loaded. */
    public static synchronized void record() {
        if (SIGACTION == null || recorded != null) return;
        MemorySegment[] r = new MemorySegment[SIGNALS.length];
        for (int i = 0; i < SIGNALS.length; i++) {
            r[i] = Arena.global().allocate(SIGACTION_BYTES);
            if (call(SIGNALS[i], MemorySegment.NULL, r[i]) != 0) return; // cannot read them: leave everything alone
        }
        recorded = r;
    }

    /**
     * Puts back every recorded handler that a library replaced since {@link #record}: one whose handler now differs
     * and takes no {@code siginfo} (LLVM's plain handlers). Handlers installed through the JVM ({@code sun.misc.Signal}
     * and the like) take it, so an application's own changes stay.
     *
     * @return the number of signals whose handler was put back
     */
    public static synchronized int restore() {
        if (recorded == null) return 0;
        int restored = 0;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment now = a.allocate(SIGACTION_BYTES);
            for (int i = 0; i < SIGNALS.length; i++) {
                if (call(SIGNALS[i], MemorySegment.NULL, now) != 0) continue;
                if (same(now, recorded[i]) || (now.get(JAVA_INT, FLAGS_OFFSET) & SA_SIGINFO) != 0) continue;
                if (call(SIGNALS[i], recorded[i], MemorySegment.NULL) == 0) restored++;
            }
        }
        return restored;
    }

    /** Whether {@link #record} kept the handlers (Linux with a readable {@code sigaction}). */
    public static synchronized boolean recording() { return recorded != null; }

    /** Whether SIGSEGV's handler is the one {@link #record} saw (true where nothing was recorded). */
    public static synchronized boolean intact() {
        if (recorded == null) return true;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment now = a.allocate(SIGACTION_BYTES);
            return call(SIGNALS[SEGV], MemorySegment.NULL, now) != 0 || same(now, recorded[SEGV]);
        }
    }

    /** The same handler, signal mask and flags (what the kernel keeps of a {@code struct sigaction}). */
    private static boolean same(MemorySegment a, MemorySegment b) {
        return a.get(JAVA_LONG, 0) == b.get(JAVA_LONG, 0) && a.get(JAVA_LONG, 8) == b.get(JAVA_LONG, 8)
                && ((a.get(JAVA_INT, FLAGS_OFFSET) ^ b.get(JAVA_INT, FLAGS_OFFSET)) & ~SA_RESTORER) == 0;
    }

    /** Puts the JVM's handlers back when SIGSEGV's is no longer the recorded one: one system call when nothing changed. */
    public static void keep() {
        if (!intact()) restore();
    }

    private static int call(int signal, MemorySegment act, MemorySegment old) {
        try {
            return (int) SIGACTION.invokeExact(signal, act, old);
        } catch (Throwable t) {
            return -1;
        }
    }
}
