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
 * The kernels are written out by hand, stores included: the JIT keeps vector locals in
 * registers only while every use is inlined (a helper that takes vectors as arguments can
 * miss inlining and then boxes the accumulators, which cost a factor of 5).
 *
 * <p>Threads: for each depth block the calling thread's packed B panel is filled in
 * parallel, then the C tiles are split among threads by row blocks (or by B strips when
 * there are too few rows); each thread packs its own A block. Packed buffers are
 * per-thread and reused across calls, so a call allocates nothing once warm.
 */
final class SimdGemm {
    private SimdGemm() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final boolean WIDE = L >= 16;
    static final int MR = WIDE ? 4 : 6;
    static final int NR = WIDE ? 4 * L : 2 * L;
    /** Depth of a packed panel: a B strip (KC x NR floats) plus an A block stay in L2. */
    static final int KC = Integer.getInteger("ember.gemm.kc", 512);
    /** Rows of A per packed block (a multiple of MR); MC x KC floats stay in L2. */
    static final int MC = Integer.getInteger("ember.gemm.mc", 96) / MR * MR;
    /** Columns of B per packed panel (a multiple of NR), bounding the panel's size. */
    static final int NC = Integer.getInteger("ember.gemm.nc", 4096) / NR * NR;
    /**
     * Below this many multiply-adds (about 25 us on one core) one thread does the whole product: handing
     * work to the pool costs microseconds, and on a busy machine a descheduled helper can stall the join.
     */
    private static final long PARALLEL_MIN_WORK = 2_500_000L;

    /** Per-thread scratch: the packed A block, a packed B panel, and an edge tile. */
    private static final class Scratch {
        float[] a = new float[0], b = new float[0];
        final float[] tile = new float[MR * NR];

        float[] a(int n) { if (a.length < n) a = new float[n]; return a; }
        float[] b(int n) { if (b.length < n) b = new float[n]; return b; }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@code C[m x n] += A[m x k] * B[k x n]}, with C row-major at {@code c[co + i * ldc + j]} and A, B
     * addressed by element strides ({@code A[i][p] = a[ao + i * ars + p * acs]}). Uses the CPU pool when
     * {@code parallel} and the product is big enough.
     */
    static void gemm(int m, int n, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, int bcs,
                     float[] c, int co, int ldc, boolean parallel) {
        if (m == 0 || n == 0 || k == 0) return;
        if (n < NR / 2 && m > n) {
            // Few columns (e.g. a 10-class output layer): B strips would be mostly padding, so compute
            // C^T = B^T * A^T instead, where the short side becomes the (narrow) row tiles.
            run(n, m, k, b, bo, bcs, brs, a, ao, acs, ars, c, co, 1, ldc, parallel);
        } else {
            run(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, 1, parallel);
        }
    }

    /** {@link #gemm} with C addressed as {@code c[co + i * crs + j * ccs]}. */
    private static void run(int m, int n, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, int bcs,
                            float[] c, int co, int crs, int ccs, boolean parallel) {
        int threads = parallel && (long) m * n * k >= PARALLEL_MIN_WORK ? Parallel.threads() : 1;
        Scratch own = SCRATCH.get();
        int mTiles = (m + MR - 1) / MR;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc), strips = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float[] bp = own.b(strips * NR * kc);
                int bOff = bo + pc * brs + jc * bcs;
                int aOff = ao + pc * acs;
                int cOff = co + jc * ccs;
                if (threads == 1) {
                    packB(b, bOff, brs, bcs, kc, nc, 0, strips, bp);
                    block(m, nc, kc, a, aOff, ars, acs, bp, c, cOff, crs, ccs, 0, mTiles, 0, strips, own);
                    continue;
                }
                // Work is handed out in small chunks from a shared counter rather than one fixed range per
                // thread, so a thread the OS deschedules (a busy machine) does not hold the others up.
                int packChunk = Math.max(1, strips / (4 * threads));
                shared(threads, (strips + packChunk - 1) / packChunk, q -> packB(b, bOff, brs, bcs, kc, nc, q * packChunk,
                        Math.min(strips, (q + 1) * packChunk), bp));
                if (mTiles >= 4 * threads || mTiles >= strips) {
                    // Row blocks: each thread packs only its own rows of A and reads all of B.
                    int rows = Math.max(1, Math.min(MC / MR, mTiles / (4 * threads)));
                    shared(threads, (mTiles + rows - 1) / rows, q -> block(m, nc, kc, a, aOff, ars, acs, bp, c, cOff, crs, ccs,
                            q * rows, Math.min(mTiles, (q + 1) * rows), 0, strips, SCRATCH.get()));
                } else {
                    // Few rows (small batch): split the B strips; each thread packs all of A.
                    int cols = Math.max(1, strips / (4 * threads));
                    shared(threads, (strips + cols - 1) / cols, q -> block(m, nc, kc, a, aOff, ars, acs, bp, c, cOff, crs, ccs,
                            0, mTiles, q * cols, Math.min(strips, (q + 1) * cols), SCRATCH.get()));
                }
            }
        }
    }

    /** Runs {@code task(0 .. count-1)} on up to {@code threads} threads that take the next index until none is left. */
    private static void shared(int threads, int count, java.util.function.IntConsumer task) {
        if (count <= 1 || threads <= 1) {
            for (int q = 0; q < count; q++) task.accept(q);
            return;
        }
        var next = new java.util.concurrent.atomic.AtomicInteger();
        Parallel.forRange(Math.min(threads, count), 1, (w0, w1) -> {
            for (int q; (q = next.getAndIncrement()) < count; ) task.accept(q);
        });
    }

    /** C rows of tiles {@code [t0, t1)} x B strips {@code [s0, s1)} for one packed depth block. */
    private static void block(int m, int n, int kc, float[] a, int ao, int ars, int acs, float[] bp, float[] c, int co, int crs,
                              int ccs, int t0, int t1, int s0, int s1, Scratch scratch) {
        int blockTiles = MC / MR;
        float[] ap = scratch.a(blockTiles * MR * kc);
        float[] tile = scratch.tile;
        for (int tb = t0; tb < t1; tb += blockTiles) {
            int te = Math.min(t1, tb + blockTiles);
            packA(a, ao, ars, acs, kc, m, tb, te, ap);
            for (int s = s0; s < s1; s++) {
                int j0 = s * NR, nr = Math.min(NR, n - j0), bOff = s * NR * kc;
                for (int t = tb; t < te; t++) {
                    int i0 = t * MR, mr = Math.min(MR, m - i0), aOff = (t - tb) * MR * kc;
                    if (mr == MR && nr == NR && ccs == 1) {
                        kernel(kc, ap, aOff, bp, bOff, c, co + i0 * crs + j0, crs);
                    } else {
                        java.util.Arrays.fill(tile, 0f);
                        kernel(kc, ap, aOff, bp, bOff, tile, 0, NR);
                        for (int i = 0; i < mr; i++) {
                            int cr = co + (i0 + i) * crs + j0 * ccs, tr = i * NR;
                            for (int j = 0; j < nr; j++) c[cr + j * ccs] += tile[tr + j];
                        }
                    }
                }
            }
        }
    }

    /** B strips {@code [s0, s1)} (columns {@code s*NR ..}), each as {@code kc} rows of NR floats. */
    private static void packB(float[] b, int bo, int brs, int bcs, int kc, int n, int s0, int s1, float[] bp) {
        for (int s = s0; s < s1; s++) {
            int j0 = s * NR, nr = Math.min(NR, n - j0);
            int dst = s * NR * kc;
            if (bcs == 1 && nr == NR) {
                for (int p = 0; p < kc; p++) System.arraycopy(b, bo + p * brs + j0, bp, dst + p * NR, NR);
            } else if (brs == 1) {
                // Transposed B (columns contiguous): read down each column, write across packed rows.
                for (int j = 0; j < nr; j++) {
                    int src = bo + (j0 + j) * bcs;
                    for (int p = 0; p < kc; p++) bp[dst + p * NR + j] = b[src + p];
                }
                if (nr < NR) for (int p = 0; p < kc; p++) java.util.Arrays.fill(bp, dst + p * NR + nr, dst + (p + 1) * NR, 0f);
            } else {
                for (int p = 0; p < kc; p++) {
                    int row = bo + p * brs + j0 * bcs, d = dst + p * NR;
                    for (int j = 0; j < nr; j++) bp[d + j] = b[row + j * bcs];
                    for (int j = nr; j < NR; j++) bp[d + j] = 0f;
                }
            }
        }
    }

    /** A tiles {@code [t0, t1)} (rows {@code t*MR ..}), each as {@code kc} columns of MR floats, from {@code ap[0]}. */
    private static void packA(float[] a, int ao, int ars, int acs, int kc, int m, int t0, int t1, float[] ap) {
        for (int t = t0; t < t1; t++) {
            int i0 = t * MR, mr = Math.min(MR, m - i0);
            int dst = (t - t0) * MR * kc;
            if (mr == MR && ars == 1) {
                // Transposed A (columns contiguous): each packed column is a contiguous copy.
                for (int p = 0; p < kc; p++) System.arraycopy(a, ao + i0 + p * acs, ap, dst + p * MR, MR);
                continue;
            }
            for (int i = 0; i < mr; i++) {
                int src = ao + (i0 + i) * ars;
                for (int p = 0; p < kc; p++) ap[dst + p * MR + i] = a[src + p * acs];
            }
            if (mr < MR) for (int p = 0; p < kc; p++) for (int i = mr; i < MR; i++) ap[dst + p * MR + i] = 0f;
        }
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
        c00.add(FloatVector.fromArray(S, c, co + 0 * ldc + 0 * L)).intoArray(c, co + 0 * ldc + 0 * L);
        c01.add(FloatVector.fromArray(S, c, co + 0 * ldc + 1 * L)).intoArray(c, co + 0 * ldc + 1 * L);
        c02.add(FloatVector.fromArray(S, c, co + 0 * ldc + 2 * L)).intoArray(c, co + 0 * ldc + 2 * L);
        c03.add(FloatVector.fromArray(S, c, co + 0 * ldc + 3 * L)).intoArray(c, co + 0 * ldc + 3 * L);
        c10.add(FloatVector.fromArray(S, c, co + 1 * ldc + 0 * L)).intoArray(c, co + 1 * ldc + 0 * L);
        c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + 1 * L)).intoArray(c, co + 1 * ldc + 1 * L);
        c12.add(FloatVector.fromArray(S, c, co + 1 * ldc + 2 * L)).intoArray(c, co + 1 * ldc + 2 * L);
        c13.add(FloatVector.fromArray(S, c, co + 1 * ldc + 3 * L)).intoArray(c, co + 1 * ldc + 3 * L);
        c20.add(FloatVector.fromArray(S, c, co + 2 * ldc + 0 * L)).intoArray(c, co + 2 * ldc + 0 * L);
        c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + 1 * L)).intoArray(c, co + 2 * ldc + 1 * L);
        c22.add(FloatVector.fromArray(S, c, co + 2 * ldc + 2 * L)).intoArray(c, co + 2 * ldc + 2 * L);
        c23.add(FloatVector.fromArray(S, c, co + 2 * ldc + 3 * L)).intoArray(c, co + 2 * ldc + 3 * L);
        c30.add(FloatVector.fromArray(S, c, co + 3 * ldc + 0 * L)).intoArray(c, co + 3 * ldc + 0 * L);
        c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + 1 * L)).intoArray(c, co + 3 * ldc + 1 * L);
        c32.add(FloatVector.fromArray(S, c, co + 3 * ldc + 2 * L)).intoArray(c, co + 3 * ldc + 2 * L);
        c33.add(FloatVector.fromArray(S, c, co + 3 * ldc + 3 * L)).intoArray(c, co + 3 * ldc + 3 * L);
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
        c00.add(FloatVector.fromArray(S, c, co + 0 * ldc + 0 * L)).intoArray(c, co + 0 * ldc + 0 * L);
        c01.add(FloatVector.fromArray(S, c, co + 0 * ldc + 1 * L)).intoArray(c, co + 0 * ldc + 1 * L);
        c10.add(FloatVector.fromArray(S, c, co + 1 * ldc + 0 * L)).intoArray(c, co + 1 * ldc + 0 * L);
        c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + 1 * L)).intoArray(c, co + 1 * ldc + 1 * L);
        c20.add(FloatVector.fromArray(S, c, co + 2 * ldc + 0 * L)).intoArray(c, co + 2 * ldc + 0 * L);
        c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + 1 * L)).intoArray(c, co + 2 * ldc + 1 * L);
        c30.add(FloatVector.fromArray(S, c, co + 3 * ldc + 0 * L)).intoArray(c, co + 3 * ldc + 0 * L);
        c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + 1 * L)).intoArray(c, co + 3 * ldc + 1 * L);
        c40.add(FloatVector.fromArray(S, c, co + 4 * ldc + 0 * L)).intoArray(c, co + 4 * ldc + 0 * L);
        c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + 1 * L)).intoArray(c, co + 4 * ldc + 1 * L);
        c50.add(FloatVector.fromArray(S, c, co + 5 * ldc + 0 * L)).intoArray(c, co + 5 * ldc + 0 * L);
        c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + 1 * L)).intoArray(c, co + 5 * ldc + 1 * L);
    }

    private static void store2(float[] c, int o, FloatVector v0, FloatVector v1) {
        v0.add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        v1.add(FloatVector.fromArray(S, c, o + L)).intoArray(c, o + L);
    }
}
