package dev.ember.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU backend's one team of worker threads. A parallel loop is cut into parts that the
 * caller and the workers claim from a shared counter, so a descheduled thread never holds the
 * others up. Idle workers spin for a moment before parking: most kernels take tens to hundreds of
 * microseconds, and waking a parked thread costs about as much, which would erase the gain.
 * Calls from inside a worker, or while another thread's loop is running, run sequentially, so
 * nested parallel loops never oversubscribe or deadlock.
 */
public final class Parallel {
    private Parallel() {}

    /** A loop body over the half-open range {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /** How long an idle worker spins before parking. */
    private static final long SPIN_NANOS = 50_000;

    private static volatile int threads = defaultThreads();
    private static volatile Team team = new Team(threads);

    private static int defaultThreads() {
        String env = System.getenv("EMBER_NUM_THREADS");
        if (env != null && !env.isBlank()) return Math.max(1, Integer.parseInt(env.trim()));
        return Runtime.getRuntime().availableProcessors();
    }

    /** Number of threads CPU kernels use. */
    public static int threads() { return threads; }

    /** Sets the number of threads CPU kernels use (as {@code torch.set_num_threads}). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("setNumThreads: need at least 1 thread, got " + n);
        if (n == threads) return;
        Team old = team;
        team = new Team(n);
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
        Team tm = team;
        if (parts <= 1 || Thread.currentThread() instanceof Worker || !tm.busy.compareAndSet(false, true)) {
            if (n > 0) body.run(0, n);
            return;
        }
        try {
            int a = Math.max(1, align);
            int chunk = ((n + parts - 1) / parts + a - 1) / a * a;
            Job job = new Job(body, n, chunk, (n + chunk - 1) / chunk);
            tm.publish(job);
            job.work();
            job.awaitDone();
            Throwable failure = job.failure;
            if (failure instanceof RuntimeException r) throw r;
            if (failure instanceof Error e) throw e;
            if (failure != null) throw new RuntimeException(failure);
        } finally {
            tm.job = null;
            tm.busy.set(false);
        }
    }

    /**
     * One step of a wait for another thread of the team: spin for the first 10,000 steps (the parts last microseconds),
     * then yield, so that on a machine with fewer free cores than threads the one being waited for gets to run.
     */
    static void backOff(int spins) {
        if (spins < 10_000) Thread.onSpinWait();
        else Thread.yield();
    }

    /** {@link #forRange(int, int, int, Range)} with no alignment. */
    public static void forRange(int n, int grain, Range body) {
        forRange(n, grain, 1, body);
    }

    /** One parallel loop: its parts are claimed by index until none is left. */
    private static final class Job {
        final Range body;
        final int n, chunk, parts;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(Range body, int n, int chunk, int parts) {
            this.body = body;
            this.n = n;
            this.chunk = chunk;
            this.parts = parts;
        }

        void work() {
            for (int p; (p = next.getAndIncrement()) < parts; ) {
                int from = p * chunk, to = Math.min(n, from + chunk);
                try {
                    if (from < to) body.run(from, to);
                } catch (Throwable e) {
                    if (failure == null) failure = e;
                } finally {
                    done.incrementAndGet();
                }
            }
        }

        void awaitDone() {
            for (int spins = 0; done.get() < parts; spins++) backOff(spins);
        }
    }

    /** The worker threads and the slot through which the running loop is handed to them. */
    private static final class Team {
        final AtomicBoolean busy = new AtomicBoolean();
        final Worker[] workers;
        volatile Job job;
        volatile long epoch;
        volatile boolean shutdown;

        Team(int threads) {
            workers = new Worker[Math.max(0, threads - 1)];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, "ember-cpu-" + i);
                workers[i].start();
            }
        }

        /** Hands {@code j} to the workers (only the thread holding {@link #busy} calls this). */
        void publish(Job j) {
            job = j;
            epoch = epoch + 1; // single writer: the busy flag's holder
            for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
        }

        void shutdown() {
            shutdown = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    private static final class Worker extends Thread {
        private final Team team;
        volatile boolean parked;

        Worker(Team team, String name) {
            super(name);
            this.team = team;
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0;
            while (!team.shutdown) {
                long e = team.epoch;
                if (e != seen) {
                    seen = e;
                    Job j = team.job;
                    if (j != null) j.work();
                    continue;
                }
                long until = System.nanoTime() + SPIN_NANOS;
                while (team.epoch == seen && !team.shutdown && System.nanoTime() < until) Thread.onSpinWait();
                if (team.epoch == seen && !team.shutdown) {
                    // Publish "parked" before re-checking, so a publisher either sees it or we see its epoch.
                    parked = true;
                    if (team.epoch == seen && !team.shutdown) LockSupport.park(this);
                    parked = false;
                }
            }
        }
    }
}
