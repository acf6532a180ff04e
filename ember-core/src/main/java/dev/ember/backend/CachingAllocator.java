package dev.ember.backend;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching allocator for device memory, shared by the GPU backends. Freed blocks are
 * kept in per-size-class free lists and reused, so a training loop that allocates the
 * same shapes every step stops calling the driver after the first step. Sizes round up
 * to 512 bytes below 1 MiB and to 2 MiB above. On out-of-memory the cache is emptied and
 * the allocation retried once; a second failure reports the statistics.
 *
 * @param <B> the device's buffer handle type
 */
public final class CachingAllocator<B> {

    /** The device calls the allocator needs. */
    public interface Device<B> {
        /** Allocates {@code bytes}; throws (anything) when the device is out of memory. */
        B malloc(long bytes) throws Exception;

        void free(B block);
    }

    private final Device<B> device;
    private final String name;
    private final Map<Long, ArrayDeque<B>> free = new HashMap<>();
    private long allocated, reserved, peak;

    public CachingAllocator(String name, Device<B> device) {
        this.name = name;
        this.device = device;
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
        ArrayDeque<B> list = free.get(size);
        B block = list == null ? null : list.poll();
        if (block == null) {
            try {
                block = device.malloc(size);
            } catch (Exception first) {
                emptyCache();
                try {
                    block = device.malloc(size);
                } catch (Exception second) {
                    throw new IllegalStateException(name + ": out of device memory allocating " + size + " bytes ("
                            + stats() + "): " + second.getMessage(), second);
                }
            }
            reserved += size;
        }
        allocated += size;
        peak = Math.max(peak, allocated);
        return block;
    }

    /** Returns a block of {@code bytes} (as requested) to the cache. */
    public synchronized void release(B block, long bytes) {
        long size = roundUp(bytes);
        allocated -= size;
        free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(block);
    }

    /** Frees every cached block to the device. */
    public synchronized void emptyCache() {
        for (var e : free.entrySet()) {
            for (B b : e.getValue()) {
                device.free(b);
                reserved -= e.getKey();
            }
        }
        free.clear();
    }

    public synchronized MemoryStats stats() { return new MemoryStats(allocated, reserved, peak); }
}
