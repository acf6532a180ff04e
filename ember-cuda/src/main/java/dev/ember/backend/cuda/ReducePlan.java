package dev.ember.backend.cuda;

/**
 * How a last-axis reduction is launched: a warp per row for short rows, a block per row for long
 * ones, and, when a few very long rows would leave most multiprocessors idle, each row split into
 * {@code chunks} pieces of {@code chunk} elements reduced in a second pass.
 *
 * @param chunks pieces per row (1: one pass)
 * @param chunk  elements per piece ({@code chunks * chunk >= r})
 */
public record ReducePlan(int chunks, int chunk) {

    /** Rows at least this long are split when there are too few rows to fill the device. */
    static final int SPLIT_THRESHOLD = 1 << 16;

    /** The plan for {@code outer} rows of {@code r} elements on a device with {@code sms} multiprocessors. */
    public static ReducePlan of(int outer, int r, int sms) {
        if (r < SPLIT_THRESHOLD || outer >= 2 * sms) return new ReducePlan(1, r);
        long wanted = Math.max(1, (long) sms * 4 / Math.max(1, outer)); // about four blocks per multiprocessor
        int chunk = (int) Math.max(4096, (r + wanted - 1) / wanted);
        int chunks = (r + chunk - 1) / chunk;
        return new ReducePlan(chunks, chunk);
    }

    /** Threads cooperating on one row (the kernels use the same rule): a warp, or the whole 256-thread block. */
    public static int threadsPerRow(int rowLength) { return rowLength > 32 * 8 ? CudaContext.THREADS : 32; }

    /** Blocks to launch for {@code rows} rows (grid-stride beyond 32 blocks per multiprocessor). */
    public static int blocks(long rows, int threadsPerRow, int sms) {
        long rowsPerBlock = CudaContext.THREADS / threadsPerRow;
        return (int) Math.max(1, Math.min((rows + rowsPerBlock - 1) / rowsPerBlock, (long) sms * 32));
    }
}
