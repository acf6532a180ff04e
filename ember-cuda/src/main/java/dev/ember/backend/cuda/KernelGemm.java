package dev.ember.backend.cuda;

import dev.ember.backend.Strided;

/** Ember's own tiled GEMM kernel ({@code kernels/cuda/gemm.cu}): any strides, any dtype but BOOL. */
final class KernelGemm implements CudaGemm {
    private final CudaBackend backend;

    KernelGemm(CudaBackend backend) { this.backend = backend; }

    @Override
    public GemmPath path() { return GemmPath.KERNEL; }

    @Override
    public void matmul(Strided a, Strided b, Strided out) {
        for (Launch l : KernelPlans.gemm(a, b, out)) backend.context().launch(l);
    }
}
