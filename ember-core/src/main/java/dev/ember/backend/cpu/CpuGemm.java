package dev.ember.backend.cpu;

import dev.ember.backend.Strided;

/**
 * Batched matrix multiply on the CPU: float32 through the packed SIMD GEMM
 * ({@link SimdGemm#gemmBatch}), other dtypes through plain loops. Many small products
 * (as in attention) run in parallel over the batch, each single-threaded.
 */
final class CpuGemm {
    private CpuGemm() {}

    static void matmul(Strided a, Strided b, Strided out) {
        int batch = a.shape32()[0], m = a.shape32()[1], k = a.shape32()[2], n = b.shape32()[2];
        Object A = CpuBackend.arr(a), B = CpuBackend.arr(b), C = CpuBackend.arr(out);
        int[] as = a.strides32(), bs = b.strides32(), os = out.strides32();
        if (C instanceof float[] c && Simd.AVAILABLE && os[2] == 1) {
            SimdGemm.gemmBatch(batch, m, n, k, (float[]) A, a.offset32(), as[0], as[1], as[2], (float[]) B, b.offset32(), bs[0], bs[1],
                    bs[2], c, out.offset32(), os[0], os[1], true);
            return;
        }
        long work = (long) m * n * k;
        boolean perBatch = batch >= Parallel.threads() && work < 96L * 96 * 96;
        Parallel.Range body = (b0, b1) -> {
            for (int i = b0; i < b1; i++) {
                int ao = a.offset32() + i * as[0], bo = b.offset32() + i * bs[0], co = out.offset32() + i * m * n;
                one(m, n, k, A, ao, as[1], as[2], B, bo, bs[1], bs[2], C, co, !perBatch);
            }
        };
        if (perBatch) Parallel.forRange(batch, Math.max(1, (int) (32768 / Math.max(1, work))), body);
        else body.run(0, batch);
    }

    /** {@code C[m x n] (row-major) = A * B} for one matrix; C's old contents are overwritten. */
    private static void one(int m, int n, int k, Object A, int ao, int ars, int acs, Object B, int bo, int brs, int bcs,
                            Object C, int co, boolean parallel) {
        if (C instanceof float[] c && Simd.AVAILABLE) {
            SimdGemm.gemm(m, n, k, (float[]) A, ao, ars, acs, (float[]) B, bo, brs, bcs, c, co, n, false, parallel);
            return;
        }
        // The loops below accumulate, and C may be a reused buffer.
        for (int i = 0; i < m * n; i++) Elements.setD(C, co + i, 0);
        if (C instanceof float[] c) {
            float[] a = (float[]) A, b = (float[]) B;
            rows(m, parallel, k * n, (i0, i1) -> {
                for (int i = i0; i < i1; i++)
                    for (int p = 0; p < k; p++) {
                        float av = a[ao + i * ars + p * acs];
                        if (av == 0f) continue;
                        int br = bo + p * brs, cr = co + i * n;
                        for (int j = 0; j < n; j++) c[cr + j] += av * b[br + j * bcs];
                    }
            });
        } else if (C instanceof double[] c) {
            double[] a = (double[]) A, b = (double[]) B;
            rows(m, parallel, k * n, (i0, i1) -> {
                for (int i = i0; i < i1; i++)
                    for (int p = 0; p < k; p++) {
                        double av = a[ao + i * ars + p * acs];
                        int br = bo + p * brs, cr = co + i * n;
                        for (int j = 0; j < n; j++) c[cr + j] += av * b[br + j * bcs];
                    }
            });
        } else {
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    long s = 0;
                    for (int p = 0; p < k; p++) s += Elements.getL(A, ao + i * ars + p * acs) * Elements.getL(B, bo + p * brs + j * bcs);
                    Elements.setL(C, co + i * n + j, s);
                }
        }
    }

    private static void rows(int m, boolean parallel, int workPerRow, Parallel.Range body) {
        if (parallel) Parallel.forRange(m, Math.max(1, 65536 / Math.max(1, workPerRow)), body);
        else body.run(0, m);
    }
}
