package dev.ember.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The CPU backend's one shared thread pool. Work is split into at most
 * {@link #threads()} contiguous ranges; the caller runs the first range itself.
 * Calls from inside a pool thread run sequentially, so nested parallel loops
 * never oversubscribe or deadlock.
 */
public final class Parallel {
    private Parallel() {}

    /** A loop body over the half-open range {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private static volatile int threads = defaultThreads();
    private static volatile ForkJoinPool pool = newPool(threads);

    private static int defaultThreads() {
        String env = System.getenv("EMBER_NUM_THREADS");
        if (env != null && !env.isBlank()) return Math.max(1, Integer.parseInt(env.trim()));
        return Runtime.getRuntime().availableProcessors();
    }

    private static ForkJoinPool newPool(int n) {
        return new ForkJoinPool(Math.max(1, n - 1), p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("ember-cpu-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** Number of threads CPU kernels use. */
    public static int threads() { return threads; }

    /** Sets the number of threads CPU kernels use (as {@code torch.set_num_threads}). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("setNumThreads: need at least 1 thread, got " + n);
        if (n == threads) return;
        ForkJoinPool old = pool;
        pool = newPool(n);
        threads = n;
        old.shutdown();
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into ranges of at least {@code grain} items
     * (whole multiples of {@code align} where possible), in parallel when that gives more than one range.
     */
    public static void forRange(int n, int grain, int align, Range body) {
        int t = threads;
        int parts = (int) Math.min(t, n / (long) Math.max(1, grain));
        if (parts <= 1 || Thread.currentThread() instanceof ForkJoinWorkerThread) {
            if (n > 0) body.run(0, n);
            return;
        }
        int a = Math.max(1, align);
        int chunk = ((n + parts - 1) / parts + a - 1) / a * a;
        ForkJoinPool p = pool;
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[parts];
        int launched = 0;
        for (int i = 1; i < parts; i++) {
            int from = i * chunk, to = Math.min(n, from + chunk);
            if (from >= to) break;
            tasks[launched++] = p.submit(() -> body.run(from, to));
        }
        Throwable failure = null;
        try {
            body.run(0, Math.min(n, chunk));
        } catch (Throwable e) {
            failure = e;
        }
        for (int i = 0; i < launched; i++) {
            try {
                tasks[i].join();
            } catch (Throwable e) {
                if (failure == null) failure = e;
            }
        }
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new RuntimeException(failure);
    }

    /** {@link #forRange(int, int, int, Range)} with no alignment. */
    public static void forRange(int n, int grain, Range body) {
        forRange(n, grain, 1, body);
    }
}
