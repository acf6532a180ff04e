package dev.ember.backend.cpu;

import dev.ember.DType;
import dev.ember.backend.CachingAllocator;
import dev.ember.backend.MemoryStats;
import java.lang.reflect.Array;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CPU's caching allocator: storage arrays come back here when their tensor is released (by
 * {@code close()}, a {@code TensorScope} or the autograd engine) and serve the next request of the
 * same size class, so a training loop that allocates the same shapes every step stops asking the
 * JVM for memory after its first step. That saves more than the allocation: the JVM zeroes every
 * new array, and a reused one is still in the caches, which is why an allocating {@code add} of
 * 1M floats otherwise runs at a third of NumPy's speed. Outputs that a kernel overwrites in full
 * are not zeroed at all ({@code Backend.allocateUninitialized}).
 *
 * <p><b>Size classes.</b> Requests round up to 64 bytes up to 4 KiB, then to eighths of a power of
 * two (at most 12.5% over the request), so a slightly smaller last batch reuses a full batch's
 * arrays. A class keeps its arrays in a stack: the most recently released (the warmest) is reused
 * first. A request of at least {@link #REUSE_LARGER_FROM} bytes whose class has none takes the smallest cached array
 * of at most twice its size, so the last, smaller batch of an evaluation reuses a full batch's arrays instead of
 * adding a second set to the heap (without it the demo CNN's evaluation held three sets: the full batches', the
 * validation's last and the test's last). Smaller requests keep to their class: they are gradients and optimizer
 * state as often as activations, and a long-lived tensor in a larger array holds the difference for its life.
 *
 * <p><b>One lock rather than per-thread caches.</b> Tensors are created and released on the
 * caller's thread (kernel worker threads never allocate storages), so the lock is uncontended, a
 * few tens of nanoseconds against kernels that take microseconds; per-thread caches would strand
 * memory in threads that stop allocating (data-loader workers) and make the limit per thread.
 *
 * <p><b>Only released arrays are reused.</b> A tensor dropped without release leaves its array to the
 * garbage collector, which frees it in the same collection that finds the tensor dead; keeping such
 * arrays for reuse (or even tracking them with a Cleaner) would make each outlive that collection. The
 * statistics cannot see that, so they count dropped storage as allocated: exact for code that releases
 * (scopes, the Trainer, backward), an upper bound otherwise.
 *
 * <p><b>Limit.</b> Cached arrays are live heap objects, so the cache holds at most
 * {@code -Dember.cpu.cacheLimit} bytes ({@code 256m}, {@code 1g}, {@code 0} for no cache; default a quarter of the
 * maximum heap): an array released beyond it is left to the garbage collector. If the JVM cannot allocate
 * a new array, the cache is emptied and the allocation retried once. {@code Ember.emptyCache(cpu)}
 * empties it on request. Returning that memory to the operating system is then the collector's
 * job (G1 uncommits heap it no longer needs after a collection).
 */
final class CpuAllocator {
    static final CpuAllocator INSTANCE = new CpuAllocator(defaultLimit());

    private static final int SMALL_BYTES = 4096, SMALL_STEP = 64;
    /** The smallest request (bytes) that a larger cached array may serve: activation-sized. */
    static final long REUSE_LARGER_FROM = 256 << 10;
    /**
     * {@code -Dember.cpu.poisonUninitialized=true} fills every uninitialised array with NaN (integers: 0x5A bytes),
     * new ones too, so a test run finds an op that reads an output it did not write.
     */
    private static final boolean POISON = Boolean.getBoolean("ember.cpu.poisonUninitialized");

    private final long limit;
    private final Map<Long, ArrayDeque<Object>> free = new HashMap<>();
    /** Per dtype (by ordinal), the classes that hold arrays now: where a miss looks for a larger one. */
    @SuppressWarnings("unchecked")
    private final TreeMap<Integer, ArrayDeque<Object>>[] holding = new TreeMap[DType.values().length];
    private long allocated, cached, peak, hits, misses;

    CpuAllocator(long limit) {
        if (limit < 0) throw new IllegalArgumentException("ember.cpu.cacheLimit must be >= 0, got " + limit);
        this.limit = limit;
    }

    private static long defaultLimit() {
        long configured = CachingAllocator.limitFromProperty("ember.cpu.cacheLimit", true);
        return configured != Long.MAX_VALUE ? configured : Runtime.getRuntime().maxMemory() / 4;
    }

    /** The number of elements of the array that serves a request of {@code n} elements of {@code elementBytes} each. */
    static int sizeClass(int n, int elementBytes) {
        long bytes = (long) n * elementBytes;
        long cls;
        if (bytes <= SMALL_BYTES) {
            cls = (bytes + SMALL_STEP - 1) / SMALL_STEP * SMALL_STEP;
        } else {
            long step = Long.highestOneBit(bytes - 1) >> 3;
            cls = (bytes + step - 1) / step * step;
        }
        long elements = cls / elementBytes;
        return elements > Integer.MAX_VALUE - 16 ? n : (int) Math.max(elements, n);
    }

    /**
     * An array of {@code dtype} with at least {@code n} elements: a cached one when its class has one, else a new
     * one. With {@code zero} its first {@code n} elements are zero; otherwise they hold whatever they held.
     */
    Object take(DType dtype, int n, boolean zero) {
        if (n == 0) return CpuStorage.newArray(dtype, 0);
        int cls = sizeClass(n, dtype.byteSize());
        long bytes = (long) cls * dtype.byteSize();
        Object a;
        synchronized (this) {
            a = pop(dtype, cls);
            if (a == null && bytes >= REUSE_LARGER_FROM) a = popLarger(dtype, cls);
            if (a != null) {
                bytes = (long) Array.getLength(a) * dtype.byteSize();
                cached -= bytes;
                hits++;
            } else {
                misses++;
            }
            allocated += bytes;
            peak = Math.max(peak, allocated);
        }
        if (a == null) a = newArray(dtype, cls);
        else if (zero) fill(a, n);
        if (POISON && !zero) poison(a, n);
        return a;
    }

    /** Counts an off-heap storage ({@link SegmentStorage}) of {@code bytes} as allocated (negative: freed), so the statistics cover it. */
    synchronized void countOffHeap(long bytes) {
        allocated += bytes;
        peak = Math.max(peak, allocated);
    }

    /** Takes back an array that {@link #take} handed out; beyond the limit it is left to the garbage collector. */
    void give(DType dtype, Object array) {
        int cls = Array.getLength(array);
        if (cls == 0) return;
        long bytes = (long) cls * dtype.byteSize();
        synchronized (this) {
            allocated -= bytes;
            if (cached + bytes > limit) return;
            ArrayDeque<Object> stack = free.computeIfAbsent(key(dtype, cls), k -> new ArrayDeque<>());
            if (stack.isEmpty()) holding(dtype).put(cls, stack);
            stack.push(array);
            cached += bytes;
        }
    }

    /** The warmest cached array of exactly class {@code cls}, or null. */
    private Object pop(DType dtype, int cls) {
        ArrayDeque<Object> stack = free.get(key(dtype, cls));
        Object a = stack == null ? null : stack.pollFirst();
        if (a != null && stack.isEmpty()) holding(dtype).remove(cls);
        return a;
    }

    /** The warmest array of the smallest cached class above {@code cls} and at most twice it, or null. */
    private Object popLarger(DType dtype, int cls) {
        var larger = holding(dtype).higherEntry(cls);
        return larger == null || larger.getKey() > 2L * cls ? null : pop(dtype, larger.getKey());
    }

    private TreeMap<Integer, ArrayDeque<Object>> holding(DType dtype) {
        TreeMap<Integer, ArrayDeque<Object>> m = holding[dtype.ordinal()];
        return m != null ? m : (holding[dtype.ordinal()] = new TreeMap<>());
    }

    /** Drops every cached array (they become garbage). */
    synchronized void emptyCache() {
        free.clear();
        java.util.Arrays.fill(holding, null);
        cached = 0;
    }

    /** Bytes in live storages, bytes held (live plus cached), and the peak of live bytes. */
    synchronized MemoryStats stats() { return new MemoryStats(allocated, allocated + cached, peak); }

    /** Restarts the peak from what is allocated now. */
    synchronized void resetPeak() { peak = allocated; }

    /** Requests served from the cache and by a new array, since start. */
    synchronized long[] hitsAndMisses() { return new long[]{hits, misses}; }

    /** The cache limit in bytes. */
    long limit() { return limit; }

    private Object newArray(DType dtype, int cls) {
        try {
            return CpuStorage.newArray(dtype, cls);
        } catch (OutOfMemoryError e) {
            emptyCache(); // the cached arrays are the heap we can give back; then try once more
            return CpuStorage.newArray(dtype, cls);
        }
    }

    private static void poison(Object a, int n) {
        switch (a) {
            case float[] f -> java.util.Arrays.fill(f, 0, n, Float.NaN);
            case double[] d -> java.util.Arrays.fill(d, 0, n, Double.NaN);
            case int[] i -> java.util.Arrays.fill(i, 0, n, 0x5A5A5A5A);
            case long[] l -> java.util.Arrays.fill(l, 0, n, 0x5A5A5A5A5A5A5A5AL);
            case byte[] b -> java.util.Arrays.fill(b, 0, n, (byte) 0x5A);
            case short[] s -> java.util.Arrays.fill(s, 0, n, (short) 0x5A5A);
            default -> throw new IllegalStateException("CpuAllocator: unexpected array " + a.getClass());
        }
    }

    /**
     * The cache's key for arrays of {@code cls} elements of {@code dtype}. Class sizes are multiples of 16 elements or
     * more, and {@code Long.hashCode} keeps those low zero bits, so plain keys fell into a few {@code HashMap} bins
     * (turned into trees, which JFR found on the hot path of a GPT's token-by-token generation). Multiplying by an odd
     * constant is a bijection that spreads them.
     */
    private static long key(DType dtype, int cls) { return (((long) dtype.ordinal() << 32) | cls) * 0x9E3779B97F4A7C15L; }

    private static void fill(Object a, int n) {
        switch (a) {
            case float[] f -> java.util.Arrays.fill(f, 0, n, 0f);
            case double[] d -> java.util.Arrays.fill(d, 0, n, 0d);
            case int[] i -> java.util.Arrays.fill(i, 0, n, 0);
            case long[] l -> java.util.Arrays.fill(l, 0, n, 0L);
            case byte[] b -> java.util.Arrays.fill(b, 0, n, (byte) 0);
            case short[] s -> java.util.Arrays.fill(s, 0, n, (short) 0);
            default -> throw new IllegalStateException("CpuAllocator: unexpected array " + a.getClass());
        }
    }
}
