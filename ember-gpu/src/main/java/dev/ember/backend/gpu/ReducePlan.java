package dev.ember.backend.gpu;

/**
 * How a last-axis reduction is launched: 32 threads per row for short rows, a block per row for long
 * ones, and, when a few very long rows would leave most of the device idle, each row split into
 * {@code chunks} pieces of {@code chunk} elements whose partials a second pass reduces. The kernels
 * ({@code kernels/reduce.c}) use the same threads-per-row rule.
 *
 * @param chunks pieces per row (1: one pass)
 * @param chunk  elements per piece ({@code chunks * chunk >= r})
 */
record ReducePlan(int chunks, long chunk) {

    /** Rows at least this long are split when there are too few rows to fill the device. */
    static final int SPLIT_THRESHOLD = 1 << 16;

    /** The plan for {@code outer} rows of {@code r} elements on a device with {@code units} compute units. */
    public static ReducePlan of(long outer, long r, int units) {
        if (r < SPLIT_THRESHOLD || outer >= 2L * units) return new ReducePlan(1, r);
        long wanted = Math.max(1, (long) units * 4 / Math.max(1, outer)); // about four blocks per unit
        long chunk = Math.max(4096, (r + wanted - 1) / wanted);
        return new ReducePlan((int) ((r + chunk - 1) / chunk), chunk); // at most `wanted` chunks
    }

    /** Threads cooperating on one row (the kernels' rule): 32, or the whole block beyond 256 elements. */
    public static int threadsPerRow(long rowLength, int blockThreads) { return rowLength > 256 ? blockThreads : 32; }

    /** Blocks to launch for {@code rows} rows (grid-stride beyond 32 blocks per compute unit). */
    public static int blocks(long rows, int threadsPerRow, int blockThreads, int units) {
        long rowsPerBlock = blockThreads / threadsPerRow;
        return (int) Math.max(1, Math.min((rows + rowsPerBlock - 1) / rowsPerBlock, (long) units * 32));
    }
}
