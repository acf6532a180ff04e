package dev.ember.distributed;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The one thread that calls a communication library. Collectives are queued in call order (so
 * every rank issues them in the same order) and awaited with a timeout: a collective that a dead
 * or stalled peer never completes fails with {@link DistributedException} instead of hanging, and
 * breaks the group, since the thread may stay blocked inside the library for good.
 */
final class CommThread {
    private final ExecutorService executor;
    private final double timeoutSeconds;
    private final Supplier<String> where;
    private volatile String broken;

    /**
     * @param name           the thread's name
     * @param timeoutSeconds how long {@link Work#await()} waits
     * @param where          describes this rank for messages, e.g. {@code "rank 1 of 2"}
     */
    CommThread(String name, double timeoutSeconds, Supplier<String> where) {
        if (!(timeoutSeconds > 0)) throw new IllegalArgumentException("process group: timeout must be positive, got " + timeoutSeconds);
        this.timeoutSeconds = timeoutSeconds;
        this.where = where;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true); // a thread stuck in a collective must not keep the JVM alive
            return t;
        });
    }

    double timeoutSeconds() { return timeoutSeconds; }

    /** Why the group is unusable, or null. */
    String broken() { return broken; }

    /** Queues {@code body} (named {@code what} in messages) and returns its pending work. */
    Work submit(String what, Runnable body) { return submit(what, body, timeoutSeconds); }

    /** {@link #submit(String, Runnable)} with its own time limit. */
    Work submit(String what, Runnable body, double timeoutSeconds) {
        if (broken != null)
            throw new DistributedException(what + " on " + where.get() + ": the process group is broken (" + broken + ")");
        Future<?> f = executor.submit(body);
        return new Work() {
            private boolean awaited;

            @Override
            public void await() {
                if (awaited) return;
                try {
                    f.get((long) Math.ceil(timeoutSeconds * 1000), TimeUnit.MILLISECONDS);
                    awaited = true;
                } catch (TimeoutException e) {
                    String why = what + " did not finish within " + format(timeoutSeconds) + " s";
                    broken = why;
                    throw new DistributedException(what + " on " + where.get() + " did not finish within " + format(timeoutSeconds)
                            + " s: another rank has died or stopped before reaching it (mpirun names a rank that died); "
                            + "giving up instead of waiting for ever");
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    broken = what + " failed: " + c.getMessage();
                    throw new DistributedException(what + " on " + where.get() + " failed: " + c.getMessage(), c);
                } catch (CancellationException e) {
                    throw new DistributedException(what + " on " + where.get() + " was cancelled: the process group was closed");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DistributedException(what + " on " + where.get() + ": interrupted while waiting", e);
                }
            }

            @Override
            public boolean isDone() { return f.isDone(); }
        };
    }

    /** Runs {@code body} on the thread and waits for it. */
    void run(String what, Runnable body) { submit(what, body).await(); }

    /** Runs {@code body} on the thread and waits for it at most {@code timeoutSeconds}. */
    void run(String what, Runnable body, double timeoutSeconds) { submit(what, body, timeoutSeconds).await(); }

    /** Stops the thread once queued work has run (a thread blocked in the library is abandoned; it is a daemon). */
    void shutdown() { executor.shutdown(); }

    static String format(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }
}
