package dev.ember.backend.gpu;

/**
 * One kernel launch, independent of any driver: the program and entry point, the work of a grid-stride
 * kernel (the runtime's device sizes the grid) or an explicit grid, threads per block, and the arguments.
 *
 * @param family  the program that holds the kernel
 * @param kernel  the entry point
 * @param work    work items of a grid-stride launch, or -1 with an explicit grid
 * @param grid    {x, y, z} blocks of an explicit grid, or null
 * @param threads threads per block
 * @param args    the arguments
 */
record Launch(KernelSource.Family family, String kernel, long work, int[] grid, int threads, KernelArgs args) {

    /** A 1-D grid-stride launch over {@code work} items. */
    static Launch stride(KernelSource.Family family, String kernel, long work, int threads, KernelArgs args) {
        return new Launch(family, kernel, work, null, threads, args);
    }

    /** A launch on an explicit grid. */
    static Launch grid(KernelSource.Family family, String kernel, int gx, int gy, int gz, int threads, KernelArgs args) {
        return new Launch(family, kernel, -1, new int[]{gx, gy, gz}, threads, args);
    }

    /** The grid: explicit, or enough blocks for the work, at most 32 per compute unit (each thread then loops). */
    int[] gridFor(int computeUnits) {
        if (grid != null) return grid;
        long blocks = Math.max(1, Math.min((work + threads - 1) / threads, (long) computeUnits * 32));
        return new int[]{(int) blocks, 1, 1};
    }
}
