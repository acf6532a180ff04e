package dev.ember.backend.cpu;

import dev.ember.DType;
import dev.ember.backend.HalfConversions;
import jdk.incubator.vector.FloatVector;

/**
 * Products of a few rows with a 16-bit matrix, {@code C[m x n] = A[m x k] * B[k x n]} for small {@code m}
 * (a token through a weight, as generation does): converting all of B to a float32 copy first, as the general
 * path does, would cost more than the product. Here each thread takes a band of columns and streams B's
 * 16-bit rows once, widening them in registers, with a 4-row by 2-vector block of C in registers; sums are
 * float32 (B's rows in order, fused multiply-adds), rounded to 16 bits once by the caller. Vector API only.
 */
final class HalfGemv {
    private HalfGemv() {}

    /** Up to this many rows of A, the product reads B in 16 bits; beyond, converting B once is cheaper. */
    static final int MAX_ROWS = 8;

    /**
     * {@code c[co + i*n + j] = sum_p a[ao + i*ars + p*acs] * B(p, j)} with {@code B(p, j) = b[bo + p*brs + j]}
     * ({@code dtype} bits); C contiguous float32, overwritten.
     */
    static void gemm(int m, int n, int k, float[] a, int ao, int ars, int acs, DType dtype, short[] b, int bo, int brs,
                     float[] c, int co) {
        int l = HalfVectors.lanes(), w = 2 * l;
        int blocks = (n + w - 1) / w;
        Parallel.forRange(blocks, Math.max(1, (1 << 15) / Math.max(1, k * w)), (b0, b1) -> {
            for (int i0 = 0; i0 < m; i0 += 4) {
                int rows = Math.min(4, m - i0);
                for (int blk = b0; blk < b1; blk++) {
                    int j = blk * w;
                    if (j + w <= n) block(rows, k, a, ao + i0 * ars, ars, acs, dtype, b, bo + j, brs, c, co + i0 * n + j, n);
                    else tail(rows, k, a, ao + i0 * ars, ars, acs, dtype, b, bo, brs, j, n, c, co + i0 * n);
                }
            }
        });
    }

    /** Columns {@code [j, j + 2 lanes)} of up to 4 rows. */
    private static void block(int rows, int k, float[] a, int ao, int ars, int acs, DType dtype, short[] b, int bo, int brs,
                              float[] c, int co, int n) {
        int l = HalfVectors.lanes();
        FloatVector z = FloatVector.zero(SimdKernels.S);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        boolean bf = dtype == DType.BFLOAT16;
        for (int p = 0; p < k; p++) {
            int row = bo + p * brs;
            FloatVector v0 = bf ? HalfVectors.bfloat16s(b, row) : HalfVectors.float16s(b, row);
            FloatVector v1 = bf ? HalfVectors.bfloat16s(b, row + l) : HalfVectors.float16s(b, row + l);
            int ap = ao + p * acs;
            FloatVector a0 = FloatVector.broadcast(SimdKernels.S, a[ap]);
            c00 = v0.fma(a0, c00);
            c01 = v1.fma(a0, c01);
            if (rows > 1) {
                FloatVector a1 = FloatVector.broadcast(SimdKernels.S, a[ap + ars]);
                c10 = v0.fma(a1, c10);
                c11 = v1.fma(a1, c11);
            }
            if (rows > 2) {
                FloatVector a2 = FloatVector.broadcast(SimdKernels.S, a[ap + 2 * ars]);
                c20 = v0.fma(a2, c20);
                c21 = v1.fma(a2, c21);
            }
            if (rows > 3) {
                FloatVector a3 = FloatVector.broadcast(SimdKernels.S, a[ap + 3 * ars]);
                c30 = v0.fma(a3, c30);
                c31 = v1.fma(a3, c31);
            }
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + l);
        if (rows > 1) { c10.intoArray(c, co + n); c11.intoArray(c, co + n + l); }
        if (rows > 2) { c20.intoArray(c, co + 2 * n); c21.intoArray(c, co + 2 * n + l); }
        if (rows > 3) { c30.intoArray(c, co + 3 * n); c31.intoArray(c, co + 3 * n + l); }
    }

    /** The last, narrower columns {@code [j, n)}: scalar, in the same order (fused multiply-adds over p). */
    private static void tail(int rows, int k, float[] a, int ao, int ars, int acs, DType dtype, short[] b, int bo, int brs, int j,
                             int n, float[] c, int co) {
        for (int i = 0; i < rows; i++)
            for (int jj = j; jj < n; jj++) {
                float s = 0;
                for (int p = 0; p < k; p++) s = Math.fma(a[ao + i * ars + p * acs], HalfConversions.toFloat(dtype, b[bo + p * brs + jj]), s);
                c[co + i * n + jj] = s;
            }
    }
}
