package dev.ember.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What every file-reader fuzz target does with an input: write it to a file (readers take
 * paths), run the reader, accept only the exceptions the reader documents for bad input, and
 * fail if reading allocated more than the input can justify. Anything else that escapes (an
 * undocumented exception, an {@link Error}) is a finding: Jazzer reports it and saves the input.
 */
public final class FuzzTargets {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static Path dir;

    private FuzzTargets() {}

    /** {@code data} in a file named {@code name} in a scratch directory (the same file each call: no per-input files pile up). */
    public static synchronized Path file(String name, byte[] data) {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("ember-fuzz");
                dir.toFile().deleteOnExit();
            }
            Path p = dir.resolve(name);
            Files.write(p, data);
            p.toFile().deleteOnExit();
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
        try {
            out = reader.call();
        } catch (Exception e) {
            if (documented.stream().noneMatch(c -> c.isInstance(e))) throw e;
        }
        long allocated = THREADS.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated <= budget, "reading allocated " + allocated + " bytes, more than the budget of " + budget);
        return out;
    }
}
