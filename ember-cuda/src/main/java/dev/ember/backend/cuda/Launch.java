package dev.ember.backend.cuda;

/**
 * One kernel launch, independent of the driver: the {@code extern "C"} kernel, its grid (or, for
 * grid-stride kernels, the work items the grid is sized from), the block width and the arguments.
 *
 * @param kernel  the entry point
 * @param work    work items of a grid-stride launch (the grid is sized by the device), or -1 with an explicit grid
 * @param grid    {x, y, z} blocks of an explicit grid, or null
 * @param threads threads per block
 * @param args    the arguments
 */
record Launch(String kernel, long work, int[] grid, int threads, KernelArgs args) {

    /** A 1-D grid-stride launch over {@code work} items with 256-thread blocks. */
    Launch(String kernel, long work, KernelArgs args) { this(kernel, work, null, CudaContext.THREADS, args); }

    /** A launch on an explicit grid of 256-thread blocks. */
    static Launch grid(String kernel, int gx, int gy, int gz, KernelArgs args) {
        return new Launch(kernel, -1, new int[]{gx, gy, gz}, CudaContext.THREADS, args);
    }
}
