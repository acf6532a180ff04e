package dev.ember.testing;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated by the current thread while a piece of code runs (HotSpot's per-thread
 * allocation counter), for tests that prove a reader allocates only what its input backs.
 * It counts every allocation, garbage included, so bounds are generous; it is not a timing.
 */
public final class Allocation {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocation() {}

    /** Code that may throw; the exception is part of what is measured, not an error. */
    @FunctionalInterface
    public interface Action { void run() throws Throwable; }

    /**
     * Runs {@code action} and returns the bytes this thread allocated meanwhile. An exception it
     * throws is swallowed (the bad input's error is expected); a failed assertion inside it is
     * rethrown, and an {@link OutOfMemoryError} counts as {@link Long#MAX_VALUE} bytes.
     */
    public static long bytesAllocatedBy(Action action) {
        long id = Thread.currentThread().threadId();
        long before = THREADS.getThreadAllocatedBytes(id);
        try {
            action.run();
        } catch (OutOfMemoryError oom) {
            return Long.MAX_VALUE;
        } catch (AssertionError failed) {
            throw failed;
        } catch (Throwable expected) {
            // the reader's own error for the bad input: what is measured is the memory spent reaching it
        }
        return THREADS.getThreadAllocatedBytes(id) - before;
    }
}
