package dev.ember.testing;

import dev.ember.Device;
import dev.ember.Ember;

/**
 * Makes a device's allocator statistics steady for a test that measures them: storages that became
 * unreachable without being released are handed back by Cleaners at a time of the collector's
 * choosing, which would move the counters in the middle of a measurement.
 */
public final class AllocatorStats {
    private AllocatorStats() {}

    /**
     * Collects garbage and waits until the allocated bytes of {@code device} stop changing (50 ms without
     * change, at most 2 s), so that no earlier garbage is left to be handed back during the test.
     * Returns the allocated bytes then.
     */
    public static long settle(Device device) {
        System.gc();
        long deadline = System.nanoTime() + 2_000_000_000L;
        long last = Ember.memoryStats(device).allocated();
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = Ember.memoryStats(device).allocated();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > 50_000_000L) {
                break;
            }
        }
        return last;
    }
}
