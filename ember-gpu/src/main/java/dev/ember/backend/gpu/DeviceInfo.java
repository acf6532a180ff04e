package dev.ember.backend.gpu;

/**
 * What the shared backend needs to know about a device.
 *
 * @param description     the backend's name, e.g. {@code "NVIDIA H100 (sm_90, NVRTC 12.8, GEMM: cuBLAS 12 via JCublas2)"}
 * @param gpu             true for a GPU (not a CPU or accelerator that OpenCL also lists); {@code Device.best()} picks GPUs
 * @param totalMemory     global memory in bytes
 * @param fp64            whether the device computes in double precision (FLOAT64 tensors)
 * @param computeUnits    multiprocessors or compute units; sizes grid-stride grids
 * @param maxThreads      the most threads a block may have
 */
public record DeviceInfo(String description, boolean gpu, long totalMemory, boolean fp64, int computeUnits, int maxThreads) {

    /** Threads per block of Ember's launches: 256, or the device's maximum where it is smaller (a power of two). */
    public int blockThreads() { return Integer.highestOneBit(Math.max(32, Math.min(256, maxThreads))); }

    /** Threads per side of a GEMM block: 16 where a block may have 256 threads, else 8. */
    public int gemmTile() { return maxThreads >= 256 ? 16 : 8; }
}
