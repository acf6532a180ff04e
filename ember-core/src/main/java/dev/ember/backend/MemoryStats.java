package dev.ember.backend;

/**
 * A device allocator's counters, in bytes: memory held by live tensors,
 * memory reserved from the device (live plus cached), and the peak of allocated.
 */
public record MemoryStats(long allocated, long reserved, long peak) {
    public static final MemoryStats NONE = new MemoryStats(0, 0, 0);

    @Override
    public String toString() {
        return String.format("allocated %.1f MiB, reserved %.1f MiB, peak %.1f MiB",
                allocated / 1048576.0, reserved / 1048576.0, peak / 1048576.0);
    }
}
