package dev.ember.studio.runs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Ends a process and every process it started (a run's JVM and anything it spawned). */
public final class ProcessTree {
    private ProcessTree() {}

    /**
     * Asks the process {@code pid} and all its descendants to stop (SIGTERM), waits up to {@code grace}, then
     * kills what is left (SIGKILL). Descendants are collected first, so children re-parented when their parent
     * dies are still found.
     *
     * @return whether every process of the tree has ended
     */
    public static boolean kill(long pid, Duration grace) {
        Optional<ProcessHandle> root = ProcessHandle.of(pid);
        if (root.isEmpty()) return true;
        List<ProcessHandle> all = new ArrayList<>();
        root.get().descendants().forEach(all::add);
        all.add(root.get());
        for (ProcessHandle h : all.reversed()) h.destroy();
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle h : all) {
            long left = deadline - System.nanoTime();
            if (left > 0) waitFor(h, left);
        }
        for (ProcessHandle h : all) if (h.isAlive()) h.destroyForcibly();
        boolean ended = true;
        for (ProcessHandle h : all) ended &= waitFor(h, TimeUnit.SECONDS.toNanos(5));
        return ended;
    }

    private static boolean waitFor(ProcessHandle h, long nanos) {
        try {
            h.onExit().get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (Exception ex) {
            return !h.isAlive();
        }
    }

    /** Whether {@code pid} is alive and is the process that started at {@code startMillis} (not a reused id). */
    public static boolean isAlive(long pid, long startMillis) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) return false;
        return h.get().info().startInstant().map(t -> Math.abs(t.toEpochMilli() - startMillis) < 5000).orElse(true);
    }
}
