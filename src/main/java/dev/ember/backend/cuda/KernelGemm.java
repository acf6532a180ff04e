package dev.ember.backend.cuda;

import dev.ember.backend.Strided;

/** Ember's own tiled GEMM kernel ({@code kernels/cuda/gemm.cu}): any strides, any dtype but BOOL. */
final class KernelGemm implements CudaGemm {
    private static final int TILE = 64, MAX_GRID_Z = 65535;
    private final CudaBackend backend;

    KernelGemm(CudaBackend backend) { this.backend = backend; }

    @Override
    public GemmPath path() { return GemmPath.KERNEL; }

    @Override
    public void matmul(Strided a, Strided b, Strided out) {
        int batch = a.shape()[0], m = a.shape()[1], k = a.shape()[2], n = b.shape()[2];
        int[] as = a.strides(), bs = b.strides();
        // gridDim.z is at most 65535: launch large batches in slices.
        for (int b0 = 0; b0 < batch; b0 += MAX_GRID_Z) {
            int nb = Math.min(MAX_GRID_Z, batch - b0);
            var args = new KernelArgs().i(m).i(n).i(k)
                    .struct(new int[]{a.offset() + b0 * as[0], as[0], as[1], as[2]}).buf(a.storage())
                    .struct(new int[]{b.offset() + b0 * bs[0], bs[0], bs[1], bs[2]}).buf(b.storage())
                    .i(out.offset() + b0 * m * n).buf(out.storage());
            backend.context().launch("gemm_" + KernelPlans.suffix(out.dtype()), (n + TILE - 1) / TILE, (m + TILE - 1) / TILE,
                    nb, 256, args);
        }
    }
}
