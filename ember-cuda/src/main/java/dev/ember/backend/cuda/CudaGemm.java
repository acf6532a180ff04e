package dev.ember.backend.cuda;

import dev.ember.backend.Strided;

/** One way of computing the batched product {@code [b, m, k] @ [b, k, n] -> [b, m, n]} on the device. */
interface CudaGemm {

    /** Which path this is. */
    GemmPath path();

    /** {@code out = a @ b}; float32 or float64, {@code out} contiguous. */
    void matmul(Strided a, Strided b, Strided out);
}
