package dev.ember.data.io;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * Measures what {@link CsvReader} spends on one file: wall time, bytes allocated, and the heap
 * still held by the returned table after a full GC. Not a test (no assertions on time): run it
 * by hand with a heap cap to find the smallest that suffices, e.g.
 * {@code java -Xmx300m -cp target/classes:target/test-classes:<gson.jar> dev.ember.data.io.CsvMemoryProbe big.csv}.
 */
public final class CsvMemoryProbe {
    private CsvMemoryProbe() {}

    /** Reads {@code args[0]} {@code args[1]} times (default 1) and prints one line per read. */
    public static void main(String[] args) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        for (int r = 0; r < rounds; r++) {
            System.gc();
            long base = used();
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            long t0 = System.nanoTime();
            CsvTable table = CsvReader.defaults().read(Path.of(args[0]));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
            System.gc();
            long retained = used() - base;
            System.out.printf("rows %d, %d ms, allocated %d MB, retained %d MB, max heap %d MB%n", table.rowCount(), ms,
                    allocated >> 20, retained >> 20, Runtime.getRuntime().maxMemory() >> 20);
        }
    }

    private static long used() { return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory(); }
}
