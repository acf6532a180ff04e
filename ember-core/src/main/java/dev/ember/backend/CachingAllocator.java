package dev.ember.backend;

import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A caching allocator for device memory, shared by the GPU backends. Freed blocks are
 * kept in per-size-class free lists and reused, so a training loop that allocates the
 * same shapes every step stops calling the driver after the first step. Sizes round up
 * to 512 bytes below 1 MiB and to 2 MiB above.
 *
 * <p><b>Out of memory.</b> Tensors dropped without {@code close()} hold device memory that the
 * Java heap does not see: the heap stays small, no collection runs, and their {@link Cleaner}s
 * never fire. So when the device (or the configured limit) refuses a block, the allocator first
 * frees its cache and retries; then, a bounded number of times, it asks for a collection
 * ({@link System#gc()}), waits for the Cleaners to hand back the blocks of unreachable storages,
 * frees the cache again and retries. Only then does it throw, with the statistics (requested,
 * allocated, reserved, peak, limit).
 *
 * <p><b>Limit.</b> A backend may cap the memory it reserves from the device (for tests, or to share
 * a GPU): {@link #limitFromProperty} reads {@code ember.opencl.memoryLimit} /
 * {@code ember.cuda.memoryLimit}, in bytes with an optional {@code k}, {@code m} or {@code g} suffix.
 * Reaching the limit is handled like the device's own out-of-memory.
 *
 * @param <B> the device's buffer handle type
 */
public final class CachingAllocator<B> {

    /** The device calls the allocator needs. */
    public interface Device<B> {
        /** Allocates {@code bytes}; throws (anything) when the device is out of memory. */
        B malloc(long bytes) throws Exception;

        void free(B block);

        /** Waits for queued work before blocks are freed to the driver, where freeing does not wait itself. */
        default void synchronize() {}
    }

    /** One safety net for every GPU storage: returns the blocks of storages that were never closed. */
    private static final Cleaner CLEANER = Cleaner.create();
    /** Collections requested before giving up on an allocation. */
    private static final int RECLAIM_ROUNDS = 3;
    /** The longest wait for Cleaners after one collection, and the quiet spell that ends it early. */
    private static final long ROUND_MILLIS = 250, QUIET_MILLIS = 25;

    private final Device<B> device;
    private final String name;
    private final long limit;
    private final Map<Long, ArrayDeque<B>> free = new HashMap<>();
    private long allocated, reserved, peak;
    /** Blocks handed back so far; a reclaiming allocation watches it to see the Cleaners at work. */
    private long releases;

    /** An allocator with no limit beyond the device's memory. */
    public CachingAllocator(String name, Device<B> device) { this(name, device, Long.MAX_VALUE); }

    /** An allocator that reserves at most {@code limit} bytes from the device. */
    public CachingAllocator(String name, Device<B> device, long limit) {
        if (limit <= 0) throw new IllegalArgumentException(name + ": memory limit must be positive, got " + limit);
        this.name = name;
        this.device = device;
        this.limit = limit;
    }

    /**
     * The limit set by system property {@code property} ({@code 64m}, {@code 2g}, {@code 1048576}), or
     * {@link Long#MAX_VALUE} when it is not set.
     */
    public static long limitFromProperty(String property) { return limitFromProperty(property, false); }

    /** As {@link #limitFromProperty(String)}; with {@code zeroAllowed}, {@code 0} is a limit too (a cache that keeps nothing). */
    public static long limitFromProperty(String property, boolean zeroAllowed) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) return Long.MAX_VALUE;
        if (zeroAllowed && v.trim().equals("0")) return 0;
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib")) s = s.substring(0, s.length() - 2);
        else if (s.endsWith("b")) s = s.substring(0, s.length() - 1);
        long unit = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        if (unit > 1) s = s.substring(0, s.length() - 1);
        try {
            long n = Long.parseLong(s.trim());
            if (n <= 0) throw new NumberFormatException();
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("-D" + property + "=" + v + ": expected a " + (zeroAllowed ? "" : "positive ") + "size in bytes with an optional "
                    + "k, m or g suffix, such as 512m");
        }
    }

    /** The size class a request of {@code bytes} is served from. */
    public static long roundUp(long bytes) {
        long b = Math.max(bytes, 1);
        if (b < (1 << 20)) return (b + 511) / 512 * 512;
        long twoMiB = 2L << 20;
        return (b + twoMiB - 1) / twoMiB * twoMiB;
    }

    /** A block of at least {@code bytes}; its size class is {@link #roundUp(long)}. */
    public synchronized B allocate(long bytes) {
        long size = roundUp(bytes);
        B block = cached(size);
        if (block == null) block = mallocReclaiming(size, bytes);
        allocated += size;
        peak = Math.max(peak, allocated);
        return block;
    }

    /**
     * Registers {@code owner}'s block with the safety net: when {@code owner} becomes unreachable
     * without having run the returned action, the block is released then. Running the action (at
     * most once takes effect) releases it now; the action must not refer to {@code owner}.
     */
    public Cleaner.Cleanable track(Object owner, B block, long bytes) {
        return CLEANER.register(owner, new Release<>(this, block, bytes));
    }

    /** Returns a block of {@code bytes} (as requested) to the cache. */
    public synchronized void release(B block, long bytes) {
        long size = roundUp(bytes);
        allocated -= size;
        free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(block);
        releases++;
        notifyAll(); // a reclaiming allocation may be waiting for exactly this
    }

    /** Frees every cached block to the device. */
    public synchronized void emptyCache() {
        if (free.isEmpty()) return;
        device.synchronize();
        for (var e : free.entrySet()) {
            for (B b : e.getValue()) {
                device.free(b);
                reserved -= e.getKey();
            }
        }
        free.clear();
    }

    public synchronized MemoryStats stats() { return new MemoryStats(allocated, reserved, peak); }

    /** Restarts the peak from what is allocated now. */
    public synchronized void resetPeak() { peak = allocated; }

    /** The limit in bytes ({@link Long#MAX_VALUE} when none). */
    public long limit() { return limit; }

    private B cached(long size) {
        ArrayDeque<B> list = free.get(size);
        return list == null ? null : list.poll();
    }

    /** A block from the device (or a reclaimed one), freeing cached and unreachable blocks when it refuses; holds the lock. */
    private B mallocReclaiming(long size, long requested) {
        Exception refused;
        try {
            return malloc(size);
        } catch (Exception e) {
            refused = e;
        }
        emptyCache();
        for (int round = 0; ; round++) {
            try {
                return malloc(size);
            } catch (Exception e) {
                refused = e;
            }
            if (round == RECLAIM_ROUNDS) break;
            B block = collectUnreachable(size);
            if (block != null) return block;
            emptyCache();
        }
        throw new IllegalStateException(name + ": out of device memory: requested " + mib(requested) + " (size class " + mib(size)
                + "); allocated " + mib(allocated) + ", reserved " + mib(reserved) + ", peak " + mib(peak)
                + (limit == Long.MAX_VALUE ? "" : ", limit " + mib(limit))
                + ", after freeing the cache and collecting unreachable tensors (" + refused.getMessage()
                + "). Close tensors you no longer need (try-with-resources) or use smaller batches.", refused);
    }

    private B malloc(long size) throws Exception {
        if (size > limit - reserved)
            throw new OutOfMemoryLimit(mib(size) + " more would pass the limit of " + mib(limit));
        B block = device.malloc(size);
        reserved += size;
        return block;
    }

    /**
     * Runs a collection and waits (releasing the lock) while Cleaners hand back blocks: until one of
     * {@code size} is cached (returned, taken from the cache), or the releases stop, or the round's time is up.
     */
    private B collectUnreachable(long size) {
        System.gc();
        long deadline = System.nanoTime() + ROUND_MILLIS * 1_000_000;
        long seen = releases;
        boolean anyReleased = false;
        while (true) {
            B block = cached(size);
            if (block != null) return block;
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) return null;
            try {
                wait(Math.min(left, QUIET_MILLIS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            if (releases == seen) {
                if (anyReleased) return null; // the Cleaners have gone quiet
            } else {
                anyReleased = true;
                seen = releases;
            }
        }
    }

    private static String mib(long bytes) { return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0); }

    /** The configured limit, reached. */
    private static final class OutOfMemoryLimit extends Exception {
        OutOfMemoryLimit(String message) { super(message, null, false, false); }
    }

    /** Returns a block to its allocator; holds no reference to the storage, so the storage can become unreachable. */
    private record Release<B>(CachingAllocator<B> allocator, B block, long bytes) implements Runnable {
        @Override
        public void run() { allocator.release(block, bytes); }
    }
}
