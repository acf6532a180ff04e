package dev.ember.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 GEMM, {@code C += A * B}, in the BLIS/GotoBLAS structure: B is packed into
 * {@code KC x NR} strips and A into {@code MR x KC} strips (zero-padded at the edges,
 * transposes absorbed by the packing), and a register-blocked micro-kernel computes one
 * {@code MR x NR} tile of C from a pair of strips with all accumulators in registers.
 *
 * <p>Micro-kernel shape: with 16-lane vectors (AVX-512) 4 rows x 4 vectors (16 accumulators
 * of the 32 registers); with 8 lanes (AVX2, 16 registers) 6 rows x 2 vectors (12 accumulators).
 * The kernels are written out by hand: the JIT keeps locals in registers, arrays it does not.
 */
final class SimdGemm {
    private SimdGemm() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final boolean WIDE = L >= 16;
    static final int MR = WIDE ? 4 : 6;
    static final int NR = WIDE ? 4 * L : 2 * L;
    /** Depth of a packed panel: a B strip (KC x NR floats, 128 KiB at NR = 64) stays in L2. */
    static final int KC = 512;
    /** Rows of A per block, so an A block (MC x KC, 256 KiB) and a B strip share L2. */
    static final int MC = 128 / MR * MR; // whole A strips per block

    /**
     * {@code C[m x n] += A[m x k] * B[k x n]}, with C row-major at {@code c[co + i * ldc + j]} and A, B
     * addressed by element strides. Parallel over column strips of B when {@code parallel}.
     */
    static void gemm(int m, int n, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, int bcs,
                     float[] c, int co, int ldc, boolean parallel) {
        if (m == 0 || n == 0 || k == 0) return;
        int nStrips = (n + NR - 1) / NR;
        int mStrips = (m + MR - 1) / MR;
        float[] bp = new float[nStrips * NR * Math.min(k, KC)];
        float[] ap = new float[mStrips * MR * Math.min(k, KC)];
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            int pcf = pc;
            // Pack B and A panels for this depth, in parallel, then compute tiles split by B strips.
            Parallel.Range packB = (s0, s1) -> { for (int s = s0; s < s1; s++) packB(b, bo + pcf * brs, brs, bcs, kc, n, s, bp); };
            Parallel.Range packA = (s0, s1) -> { for (int s = s0; s < s1; s++) packA(a, ao + pcf * acs, ars, acs, kc, m, s, ap); };
            Parallel.Range tiles = (s0, s1) -> computeStrips(m, n, kc, ap, bp, c, co, ldc, s0, s1);
            boolean par = parallel && (long) m * n * kc > 64L * 64 * 64;
            if (par) {
                Parallel.forRange(nStrips, 1, packB);
                Parallel.forRange(mStrips, 4, packA);
                Parallel.forRange(nStrips, 1, tiles);
            } else {
                packB.run(0, nStrips);
                packA.run(0, mStrips);
                tiles.run(0, nStrips);
            }
        }
    }

    private static void computeStrips(int m, int n, int kc, float[] ap, float[] bp, float[] c, int co, int ldc,
                                      int s0, int s1) {
        float[] tile = new float[MR * NR];
        for (int ic = 0; ic < m; ic += MC) {
            int mc = Math.min(MC, m - ic);
            for (int s = s0; s < s1; s++) {
                int j0 = s * NR, nr = Math.min(NR, n - j0);
                for (int i0 = ic; i0 < ic + mc; i0 += MR) {
                    int mr = Math.min(MR, m - i0);
                    int aOff = (i0 / MR) * MR * kc, bOff = s * NR * kc;
                    if (mr == MR && nr == NR) {
                        kernel(kc, ap, aOff, bp, bOff, c, co + i0 * ldc + j0, ldc);
                    } else {
                        java.util.Arrays.fill(tile, 0f);
                        kernel(kc, ap, aOff, bp, bOff, tile, 0, NR);
                        for (int i = 0; i < mr; i++)
                            for (int j = 0; j < nr; j++) c[co + (i0 + i) * ldc + j0 + j] += tile[i * NR + j];
                    }
                }
            }
        }
    }

    /** Strip {@code s} of B (columns {@code s*NR ..}) as {@code kc} rows of NR floats. */
    private static void packB(float[] b, int bo, int brs, int bcs, int kc, int n, int s, float[] bp) {
        int j0 = s * NR, nr = Math.min(NR, n - j0);
        int dst = s * NR * kc;
        if (bcs == 1 && nr == NR) {
            for (int p = 0; p < kc; p++) System.arraycopy(b, bo + p * brs + j0, bp, dst + p * NR, NR);
            return;
        }
        for (int p = 0; p < kc; p++) {
            int row = bo + p * brs + j0 * bcs, d = dst + p * NR;
            for (int j = 0; j < nr; j++) bp[d + j] = b[row + j * bcs];
            for (int j = nr; j < NR; j++) bp[d + j] = 0f;
        }
    }

    /** Strip {@code s} of A (rows {@code s*MR ..}) as {@code kc} columns of MR floats. */
    private static void packA(float[] a, int ao, int ars, int acs, int kc, int m, int s, float[] ap) {
        int i0 = s * MR, mr = Math.min(MR, m - i0);
        int dst = s * MR * kc;
        for (int i = 0; i < mr; i++) {
            int src = ao + (i0 + i) * ars;
            for (int p = 0; p < kc; p++) ap[dst + p * MR + i] = a[src + p * acs];
        }
        if (mr < MR) for (int p = 0; p < kc; p++) for (int i = mr; i < MR; i++) ap[dst + p * MR + i] = 0f;
    }

    private static void kernel(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc) {
        if (WIDE) kernel4x4(kc, ap, aOff, bp, bOff, c, cOff, ldc);
        else kernel6x2(kc, ap, aOff, bp, bOff, c, cOff, ldc);
    }

    private static void kernel4x4(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        var c00 = FloatVector.zero(S); var c01 = FloatVector.zero(S); var c02 = FloatVector.zero(S); var c03 = FloatVector.zero(S);
        var c10 = FloatVector.zero(S); var c11 = FloatVector.zero(S); var c12 = FloatVector.zero(S); var c13 = FloatVector.zero(S);
        var c20 = FloatVector.zero(S); var c21 = FloatVector.zero(S); var c22 = FloatVector.zero(S); var c23 = FloatVector.zero(S);
        var c30 = FloatVector.zero(S); var c31 = FloatVector.zero(S); var c32 = FloatVector.zero(S); var c33 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int b = bo + p * (4 * L), a = ao + p * 4;
            var b0 = FloatVector.fromArray(S, bp, b);
            var b1 = FloatVector.fromArray(S, bp, b + L);
            var b2 = FloatVector.fromArray(S, bp, b + 2 * L);
            var b3 = FloatVector.fromArray(S, bp, b + 3 * L);
            var a0 = FloatVector.broadcast(S, ap[a]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02); c03 = a0.fma(b3, c03);
            var a1 = FloatVector.broadcast(S, ap[a + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12); c13 = a1.fma(b3, c13);
            var a2 = FloatVector.broadcast(S, ap[a + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22); c23 = a2.fma(b3, c23);
            var a3 = FloatVector.broadcast(S, ap[a + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32); c33 = a3.fma(b3, c33);
        }
        store(c, co, c00, c01, c02, c03);
        store(c, co + ldc, c10, c11, c12, c13);
        store(c, co + 2 * ldc, c20, c21, c22, c23);
        store(c, co + 3 * ldc, c30, c31, c32, c33);
    }

    private static void store(float[] c, int o, FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3) {
        v0.add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        v1.add(FloatVector.fromArray(S, c, o + L)).intoArray(c, o + L);
        v2.add(FloatVector.fromArray(S, c, o + 2 * L)).intoArray(c, o + 2 * L);
        v3.add(FloatVector.fromArray(S, c, o + 3 * L)).intoArray(c, o + 3 * L);
    }

    private static void kernel6x2(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        var c00 = FloatVector.zero(S); var c01 = FloatVector.zero(S);
        var c10 = FloatVector.zero(S); var c11 = FloatVector.zero(S);
        var c20 = FloatVector.zero(S); var c21 = FloatVector.zero(S);
        var c30 = FloatVector.zero(S); var c31 = FloatVector.zero(S);
        var c40 = FloatVector.zero(S); var c41 = FloatVector.zero(S);
        var c50 = FloatVector.zero(S); var c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int b = bo + p * (2 * L), a = ao + p * 6;
            var b0 = FloatVector.fromArray(S, bp, b);
            var b1 = FloatVector.fromArray(S, bp, b + L);
            var a0 = FloatVector.broadcast(S, ap[a]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            var a1 = FloatVector.broadcast(S, ap[a + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            var a2 = FloatVector.broadcast(S, ap[a + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            var a3 = FloatVector.broadcast(S, ap[a + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            var a4 = FloatVector.broadcast(S, ap[a + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            var a5 = FloatVector.broadcast(S, ap[a + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        }
        store2(c, co, c00, c01);
        store2(c, co + ldc, c10, c11);
        store2(c, co + 2 * ldc, c20, c21);
        store2(c, co + 3 * ldc, c30, c31);
        store2(c, co + 4 * ldc, c40, c41);
        store2(c, co + 5 * ldc, c50, c51);
    }

    private static void store2(float[] c, int o, FloatVector v0, FloatVector v1) {
        v0.add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        v1.add(FloatVector.fromArray(S, c, o + L)).intoArray(c, o + L);
    }
}
