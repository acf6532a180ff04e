package dev.ember.backend.cpu;

/** Test hook: runs code with CPU storages past {@code above} elements off the heap, in chunks of {@code chunk} elements. */
public final class OffHeap {
    private OffHeap() {}

    public static void run(long above, int chunk, Runnable body) {
        long threshold = CpuBackend.segmentAbove;
        int chunkBefore = Indexing64.chunk;
        CpuBackend.segmentAbove = above;
        Indexing64.chunk = chunk;
        try {
            body.run();
        } finally {
            CpuBackend.segmentAbove = threshold;
            Indexing64.chunk = chunkBefore;
        }
    }
}
