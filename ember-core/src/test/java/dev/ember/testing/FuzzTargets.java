package dev.ember.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What every file-reader fuzz target does with an input: write it to a file (readers take
 * paths), run the reader, accept only the exceptions the reader documents for bad input, and
 * fail if reading allocated more than the input can justify or ran longer than
 * {@link #HANG_SECONDS}. Anything else that escapes (an undocumented exception, an
 * {@link Error}) is a finding: Jazzer reports it and saves the input.
 *
 * <p>A hang cannot be interrupted, so a watchdog thread prints the reader's stack, saves the
 * input as {@code hang-<sha1>} in the directory named by the system property
 * {@code ember.fuzz.findings} (else the working directory) and halts the JVM, which fails the
 * build. (JUnit's timeouts would also limit the whole fuzzing run, not one input.)
 */
public final class FuzzTargets {
    /** Seconds one input may take; inputs are a few kilobytes, so this is a hang, even on a busy machine. */
    public static final int HANG_SECONDS = 30;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static Path dir;
    private static volatile Thread running;
    private static volatile long startedNanos;
    private static volatile byte[] input;

    private FuzzTargets() {}

    /** {@code data} in a file named {@code name} in a scratch directory (the same file each call: no per-input files pile up). */
    public static synchronized Path file(String name, byte[] data) {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("ember-fuzz");
                dir.toFile().deleteOnExit();
                startWatchdog();
            }
            Path p = dir.resolve(name);
            Files.write(p, data);
            p.toFile().deleteOnExit();
            input = data;
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code reader}; returns its result, or null when it threw one of {@code documented}.
     * Fails when it allocated more than {@code budget} bytes (garbage included): a reader must not
     * allocate what its input cannot back.
     */
    public static <T> T read(Callable<T> reader, long budget, List<Class<? extends Exception>> documented) throws Exception {
        long id = Thread.currentThread().threadId();
        long before = THREADS.getThreadAllocatedBytes(id);
        T out = null;
        startedNanos = System.nanoTime();
        running = Thread.currentThread();
        try {
            out = reader.call();
        } catch (Exception e) {
            if (documented.stream().noneMatch(c -> c.isInstance(e))) throw e;
        } finally {
            running = null;
        }
        long allocated = THREADS.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated <= budget, "reading allocated " + allocated + " bytes, more than the budget of " + budget);
        return out;
    }

    private static void startWatchdog() {
        Thread watchdog = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                Thread t = running;
                if (t != null && System.nanoTime() - startedNanos > HANG_SECONDS * 1_000_000_000L && t == running) hang(t);
            }
        }, "fuzz-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static void hang(Thread t) {
        StringBuilder stack = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) stack.append("\n\tat ").append(e);
        String where = "(not saved)";
        try {
            byte[] data = input;
            String name = "hang-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
            Path out = Path.of(System.getProperty("ember.fuzz.findings", ".")).resolve(name);
            Files.createDirectories(out.getParent());
            Files.write(out, data);
            where = out.toAbsolutePath().toString();
        } catch (Exception e) {
            where += ": " + e;
        }
        System.err.println("FUZZ FINDING: a reader ran longer than " + HANG_SECONDS + " s on one input, saved as " + where + stack);
        System.err.flush();
        Runtime.getRuntime().halt(70);
    }
}
