package dev.ember.backend.cpu;

import java.lang.invoke.VarHandle;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM micro-kernels: each computes one tile of {@code MR} rows x {@code nv} vectors of C from a packed A
 * tile ({@code kc} columns of MR floats) and a packed B strip ({@code kc} rows of {@code nv * L} floats), with all
 * accumulators in registers, then adds C's old values ({@code old} at {@code oo}, rows {@code ldo} apart: C itself, or
 * {@link #NEG_ZERO} to overwrite C) and, in the packed-A kernels, a per-row bias (a convolution's bias: the same sums
 * plus the bias as filling C with it and accumulating, without the fill and the loads of C). C is read only after the
 * depth loop: loaded before it, a C tile that missed the caches held up every accumulator's first FMA (about 15% slower
 * on a 1024^3 product in two depth blocks, measured on Zen 5).
 *
 * <p>Shapes, chosen per vector width from the JIT's assembly (read with the hsdis plugin in
 * {@code benchmarks/tools/hsdis}) and timed on cache-resident panels (docs/bench.md, "GEMM on both widths"):
 * <ul>
 *   <li>16 lanes (AVX-512, 32 registers): 4 rows x 4 vectors, 16 accumulators. Edge strips narrower than 4
 *       vectors use 4 x 3, 4 x 2 and 4 x 1 kernels.
 *   <li>8 lanes (AVX2, 16 registers): 6 rows x 2 vectors ({@link #k6x2}), 12 accumulators fed by six broadcasts and
 *       two B loads, with A packed six rows per depth step and B in 16-column strips (the shape of OpenBLAS's
 *       Haswell kernel, turned). C2's scheduler would issue all six broadcasts of a step before their FMAs and the
 *       register allocator then spill accumulators; a {@code VarHandle.loadLoadFence()} after each row (no
 *       instruction on x86) keeps each broadcast next to its two FMAs, and the kernel in 16 registers. It replaced 2
 *       rows x 6 vectors, whose six 32-byte B loads per 12 FMAs held it to 50-55 GFLOP/s on a Zen 3 core where this
 *       shape runs at 61-71 (docs/bench.md, "A six-row kernel at 8 lanes"). Strips are always two vectors wide: the
 *       last strip of a product computes its padding columns.
 * </ul>
 * The 16-lane edge kernel with fewer than 8 accumulators (4 x 1) splits them between even and odd depth steps, so that
 * enough FMAs are in flight to cover their latency (4-5 cycles on two pipes). The kernels are written out by
 * hand: the JIT keeps vector locals in registers only while every use is inlined (a helper taking vectors as
 * arguments can miss inlining and then boxes the accumulators, a factor of 5 slower). Each is larger than the
 * JIT's inlining limit, so it is compiled on its own and its register allocation does not depend on the caller.
 */
final class GemmKernels {
    private GemmKernels() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** 16-lane vectors (AVX-512) or wider; else the 16-register shapes. */
    static final boolean WIDE = L >= 16;
    /** Rows of a tile. */
    static final int MR = WIDE ? 4 : 6;
    /** Vectors across the main kernel's strip. */
    static final int NV = WIDE ? 4 : 2;
    /** Columns of a full B strip. */
    static final int NR = NV * L;

    /**
     * What the kernels add where C has no old values or a row has no bias. Adding -0.0f changes no float, bit for bit
     * (+0.0f + -0.0f is +0.0f), so every kernel's epilogue adds both unconditionally: an {@code if (add)} or
     * {@code if (bias != null)} there let C2 compile a kernel having seen one case and trap on the first call of the
     * other, deoptimising it back to C1 code that boxes every vector until C2 compiles it again (in the demo CNN's
     * first epoch on a Zen 3 core, {@code k2x6} trapped twice, 4.8 and 5.9 s into the run, and its C1 code allocated
     * 930 MB of the run's 4.7 GB; {@code -Xlog:deoptimization=debug}, JFR). The price is the loads and adds of a
     * tile that has no old values or bias: about 2% of a kernel call at a depth of 64 and 10% at 9, nothing measurable
     * at 256 and over (Zen 3, one thread; docs/bench.md, "Kernels that C2 deoptimised").
     */
    static final float[] NEG_ZERO = new float[Math.max(NR, 4 * L)];
    static { java.util.Arrays.fill(NEG_ZERO, -0.0f); }

    /** C's old values for a kernel's epilogue: C itself when adding to it, else {@link #NEG_ZERO}. */
    static float[] old(boolean add, float[] c) {
        return add ? c : NEG_ZERO;
    }

    /** Packed width (columns) of a B strip holding {@code nr} columns: the narrowest kernel that covers them. */
    static int stripWidth(int nr) {
        if (!WIDE) return NR;
        return Math.min(NV, (nr + L - 1) / L) * L;
    }

    /**
     * Packed width of a B strip holding {@code nr} columns (at most {@link #IN_PLACE_MAX}) for the kernels that read A
     * in place ({@link #rowsInPlace}, {@link #rowsAt}): at 8 lanes two or four vectors.
     */
    static int inPlaceWidth(int nr) {
        if (WIDE) return stripWidth(nr);
        return nr <= 2 * L ? 2 * L : 4 * L;
    }

    /** Widest strip the in-place kernels take. */
    static final int IN_PLACE_MAX = WIDE ? NR : 4 * L;

    /**
     * Whether a row-major A may be read in place by {@link #rowsInPlace} instead of packed, for a product {@code n}
     * columns wide: when each packed A float would serve only one or two strips, and the in-place kernels cover the
     * strips exactly (whole vectors). With 16 lanes, up to two strips. With 8, never here: the packed 6-row kernel is
     * faster than the in-place 4-row one, and the packed tiles (6 rows) and the in-place row groups (4) would not meet
     * at a common boundary; attention's four-vector {@code P @ V} goes through SimdGemm's few-column path instead.
     */
    static boolean inPlace(int n) {
        return WIDE && n % L == 0 && n <= 2 * NR;
    }

    /** Rows that {@link #rowsInPlace} computes at once for a strip {@code w} columns wide. */
    static int inPlaceRows(int w) {
        if (!WIDE) return w > 2 * L ? 2 : 4;
        return w > L ? 4 : 8;
    }

    /**
     * {@link #inPlaceRows}{@code (w)} rows of C from A read in place ({@code A[i][p] = a[ao + i * ars + p]}) times a B
     * strip {@code w} columns wide. With 16 lanes a one-vector strip takes 8 rows, so that 8 accumulators hide the FMA
     * latency where a 4-row tile would have 4; a two-vector strip takes 4 rows (8 accumulators): an 8-row kernel of 2
     * vectors ran 10% slower than two 4-row calls on the same rows (its eight row offsets do not fit the general
     * registers beside the loop's other values, so C2 keeps some in vector registers and on the stack). With 8 lanes,
     * 4 rows of 2 vectors or 2 of 4 (8 accumulators each).
     */
    static void rowsInPlace(int w, int kc, float[] a, int ao, int ars, float[] bp, int bo, float[] c, int co, int ldc,
                            boolean add) {
        float[] old = old(add, c);
        int oo = add ? co : 0, ldo = add ? ldc : 0;
        if (!WIDE) {
            if (w == 4 * L) k2x4r(kc, a, ao, ao + ars, bp, bo, c, co, ldc, old, oo, ldo);
            else k4x2r(kc, a, ao, ao + ars, ao + 2 * ars, ao + 3 * ars, bp, bo, c, co, ldc, old, oo, ldo);
            return;
        }
        switch (w / L) {
            case 4 -> k4x4r(kc, a, ao, ao + ars, ao + 2 * ars, ao + 3 * ars, bp, bo, c, co, ldc, old, oo, ldo);
            case 3 -> k4x3r(kc, a, ao, ao + ars, ao + 2 * ars, ao + 3 * ars, bp, bo, c, co, ldc, old, oo, ldo);
            case 2 -> k4x2r(kc, a, ao, ao + ars, ao + 2 * ars, ao + 3 * ars, bp, bo, c, co, ldc, old, oo, ldo);
            default -> k8x1r(kc, a, ao, ao + ars, ao + 2 * ars, ao + 3 * ars, ao + 4 * ars, ao + 5 * ars, ao + 6 * ars,
                    ao + 7 * ars, bp, bo, c, co, ldc, old, oo, ldo);
        }
    }

    /** Rows that {@link #rowBlockInPlace} takes through its largest kernels at once for a strip {@code w} wide. */
    static int blockRows(int w) {
        return WIDE && (w == 2 * L || w == 4 * L) ? 12 : inPlaceRows(w);
    }

    /**
     * {@code count} rows of C (a multiple of {@link #inPlaceRows}{@code (w)}) from A read in place, as {@link
     * #rowsInPlace} called row group after row group. With 16 lanes a strip of two or four vectors goes twelve rows
     * at a time through two 6-row kernels ({@link #k6x2r}, {@link #k6x4r}) and the rest four rows at a time. One Zen
     * 5 core, the jar before and after alternated in one JVM, GFLOP/s: 300x128 @ 128x32 172-182 -> 191-198, 1024x256
     * @ 256x32 172-180 -> 190-200, attention's batched {@code P @ V} (64 x [128,128] @ [128,32]) 154-182 -> 162-193
     * and {@code Q @ K^T} (64 x [128,32] @ [32,128]) 164-168 -> 165-176, 300x128 @ 128x64 160-183 -> 173-188. Each
     * element of C is the same chain of FMAs whichever kernel computes it, so the result does not depend on the
     * grouping.
     */
    static void rowBlockInPlace(int w, int count, int kc, float[] a, int ao, int ars, float[] bp, int bo, float[] c,
                                int co, int ldc, boolean add) {
        int i = 0;
        if (blockRows(w) == 12) {
            float[] old = old(add, c);
            int ldo = add ? ldc : 0;
            for (; i + 12 <= count; i += 12) {
                for (int h = i; h < i + 12; h += 6) {
                    int ch = co + h * ldc, oo = add ? ch : 0;
                    if (w == 2 * L) k6x2r(kc, a, ao + h * ars, ars, bp, bo, c, ch, ldc, old, oo, ldo);
                    else k6x4r(kc, a, ao + h * ars, ars, bp, bo, c, ch, ldc, old, oo, ldo);
                }
            }
        }
        for (int rows = inPlaceRows(w); i < count; i += rows)
            rowsInPlace(w, kc, a, ao + i * ars, ars, bp, bo, c, co + i * ldc, ldc, add);
    }

    /**
     * As {@link #rowsInPlace}, with each row of A at its own place: {@code A[i][p] = a[rows[ri + i] + shift + p]} (the
     * convolution's weight gradient reads the rows of its column matrix from shifted image planes).
     */
    static void rowsAt(int w, int kc, float[] a, int[] rows, int ri, int shift, float[] bp, int bo, float[] c, int co,
                       int ldc, boolean add) {
        float[] old = old(add, c);
        int oo = add ? co : 0, ldo = add ? ldc : 0;
        if (!WIDE) {
            int r0 = rows[ri] + shift, r1 = rows[ri + 1] + shift;
            if (w == 4 * L) k2x4r(kc, a, r0, r1, bp, bo, c, co, ldc, old, oo, ldo);
            else k4x2r(kc, a, r0, r1, rows[ri + 2] + shift, rows[ri + 3] + shift, bp, bo, c, co, ldc, old, oo, ldo);
            return;
        }
        int r0 = rows[ri] + shift, r1 = rows[ri + 1] + shift, r2 = rows[ri + 2] + shift, r3 = rows[ri + 3] + shift;
        switch (w / L) {
            case 4 -> k4x4r(kc, a, r0, r1, r2, r3, bp, bo, c, co, ldc, old, oo, ldo);
            case 3 -> k4x3r(kc, a, r0, r1, r2, r3, bp, bo, c, co, ldc, old, oo, ldo);
            case 2 -> k4x2r(kc, a, r0, r1, r2, r3, bp, bo, c, co, ldc, old, oo, ldo);
            default -> k8x1r(kc, a, r0, r1, r2, r3, rows[ri + 4] + shift, rows[ri + 5] + shift, rows[ri + 6] + shift,
                    rows[ri + 7] + shift, bp, bo, c, co, ldc, old, oo, ldo);
        }
    }

    /**
     * One tile: {@code C[MR x w] (+)= A_tile * B_strip}, with the strip {@code w} columns wide (a {@link #stripWidth}),
     * C at {@code c[co + i * ldc + j]}.
     */
    static void tile(int w, int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add,
                     float[] bias, int bi) {
        float[] rb = add || bias == null ? NEG_ZERO : bias;
        int oo = add ? co : 0, ldo = add ? ldc : 0, ri = rb == bias ? bi : 0;
        // the 16-lane choice in its own method keeps this one small enough to be inlined into its caller (C2's limit
        // is 325 bytes); 8 lanes have one packed kernel
        if (WIDE) tile16(w, kc, ap, ao, bp, bo, c, co, ldc, old(add, c), oo, ldo, rb, ri);
        else k6x2(kc, ap, ao, bp, bo, c, co, ldc, old(add, c), oo, ldo, rb, ri);
    }

    private static void tile16(int w, int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc,
                               float[] old, int oo, int ldo, float[] bias, int bi) {
        switch (w / L) {
            case 4 -> k4x4(kc, ap, ao, bp, bo, c, co, ldc, old, oo, ldo, bias, bi);
            case 3 -> k4x3(kc, ap, ao, bp, bo, c, co, ldc, old, oo, ldo, bias, bi);
            case 2 -> k4x2(kc, ap, ao, bp, bo, c, co, ldc, old, oo, ldo, bias, bi);
            default -> k4x1s(kc, ap, ao, bp, bo, c, co, ldc, old, oo, ldo, bias, bi);
        }
    }

    /** 16 lanes, main: 4 rows x 4 vectors (16 accumulators of 32 registers). */
    static void k4x4(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, float[] old, int oo,
                     int ldo, float[] bias, int bi) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z; var c02 = z; var c03 = z;
        var c10 = z; var c11 = z; var c12 = z; var c13 = z;
        var c20 = z; var c21 = z; var c22 = z; var c23 = z;
        var c30 = z; var c31 = z; var c32 = z; var c33 = z;
        int p = 0;
        for (; p < kc; p++) {
            int b = bo + p * (4 * L), a = ao + p * 4;
            var b0 = FloatVector.fromArray(S, bp, b);
            var b1 = FloatVector.fromArray(S, bp, b + L);
            var b2 = FloatVector.fromArray(S, bp, b + 2 * L);
            var b3 = FloatVector.fromArray(S, bp, b + 3 * L);
            var a0 = FloatVector.broadcast(S, ap[a]); c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02); c03 = a0.fma(b3, c03);
            var a1 = FloatVector.broadcast(S, ap[a + 1]); c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12); c13 = a1.fma(b3, c13);
            var a2 = FloatVector.broadcast(S, ap[a + 2]); c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22); c23 = a2.fma(b3, c23);
            var a3 = FloatVector.broadcast(S, ap[a + 3]); c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32); c33 = a3.fma(b3, c33);
        }
        // + C's old values (or -0.0f: see NEG_ZERO)
        c00 = c00.add(FloatVector.fromArray(S, old, oo)); c01 = c01.add(FloatVector.fromArray(S, old, oo + L));
        c02 = c02.add(FloatVector.fromArray(S, old, oo + 2 * L));
        c03 = c03.add(FloatVector.fromArray(S, old, oo + 3 * L));
        c10 = c10.add(FloatVector.fromArray(S, old, oo + ldo));
        c11 = c11.add(FloatVector.fromArray(S, old, oo + ldo + L));
        c12 = c12.add(FloatVector.fromArray(S, old, oo + ldo + 2 * L));
        c13 = c13.add(FloatVector.fromArray(S, old, oo + ldo + 3 * L));
        c20 = c20.add(FloatVector.fromArray(S, old, oo + 2 * ldo));
        c21 = c21.add(FloatVector.fromArray(S, old, oo + 2 * ldo + L));
        c22 = c22.add(FloatVector.fromArray(S, old, oo + 2 * ldo + 2 * L));
        c23 = c23.add(FloatVector.fromArray(S, old, oo + 2 * ldo + 3 * L));
        c30 = c30.add(FloatVector.fromArray(S, old, oo + 3 * ldo));
        c31 = c31.add(FloatVector.fromArray(S, old, oo + 3 * ldo + L));
        c32 = c32.add(FloatVector.fromArray(S, old, oo + 3 * ldo + 2 * L));
        c33 = c33.add(FloatVector.fromArray(S, old, oo + 3 * ldo + 3 * L));
        // + each row's bias (or -0.0f)
        var q0 = FloatVector.broadcast(S, bias[bi]);
        c00 = c00.add(q0); c01 = c01.add(q0); c02 = c02.add(q0); c03 = c03.add(q0);
        var q1 = FloatVector.broadcast(S, bias[bi + 1]);
        c10 = c10.add(q1); c11 = c11.add(q1); c12 = c12.add(q1); c13 = c13.add(q1);
        var q2 = FloatVector.broadcast(S, bias[bi + 2]);
        c20 = c20.add(q2); c21 = c21.add(q2); c22 = c22.add(q2); c23 = c23.add(q2);
        var q3 = FloatVector.broadcast(S, bias[bi + 3]);
        c30 = c30.add(q3); c31 = c31.add(q3); c32 = c32.add(q3); c33 = c33.add(q3);
        c00.intoArray(c, co); c01.intoArray(c, co + L); c02.intoArray(c, co + 2 * L); c03.intoArray(c, co + 3 * L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L); c12.intoArray(c, co + ldc + 2 * L);
        c13.intoArray(c, co + ldc + 3 * L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L); c22.intoArray(c, co + 2 * ldc + 2 * L);
        c23.intoArray(c, co + 2 * ldc + 3 * L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L); c32.intoArray(c, co + 3 * ldc + 2 * L);
        c33.intoArray(c, co + 3 * ldc + 3 * L);
    }

    /** 16 lanes, edge strip of 3 vectors. */
    static void k4x3(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, float[] old, int oo,
                     int ldo, float[] bias, int bi) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z; var c02 = z;
        var c10 = z; var c11 = z; var c12 = z;
        var c20 = z; var c21 = z; var c22 = z;
        var c30 = z; var c31 = z; var c32 = z;
        int p = 0;
        for (; p < kc; p++) {
            int b = bo + p * (3 * L), a = ao + p * 4;
            var b0 = FloatVector.fromArray(S, bp, b);
            var b1 = FloatVector.fromArray(S, bp, b + L);
            var b2 = FloatVector.fromArray(S, bp, b + 2 * L);
            var a0 = FloatVector.broadcast(S, ap[a]); c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            var a1 = FloatVector.broadcast(S, ap[a + 1]); c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            var a2 = FloatVector.broadcast(S, ap[a + 2]); c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            var a3 = FloatVector.broadcast(S, ap[a + 3]); c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
        }
        // + C's old values (or -0.0f: see NEG_ZERO)
        c00 = c00.add(FloatVector.fromArray(S, old, oo)); c01 = c01.add(FloatVector.fromArray(S, old, oo + L));
        c02 = c02.add(FloatVector.fromArray(S, old, oo + 2 * L));
        c10 = c10.add(FloatVector.fromArray(S, old, oo + ldo));
        c11 = c11.add(FloatVector.fromArray(S, old, oo + ldo + L));
        c12 = c12.add(FloatVector.fromArray(S, old, oo + ldo + 2 * L));
        c20 = c20.add(FloatVector.fromArray(S, old, oo + 2 * ldo));
        c21 = c21.add(FloatVector.fromArray(S, old, oo + 2 * ldo + L));
        c22 = c22.add(FloatVector.fromArray(S, old, oo + 2 * ldo + 2 * L));
        c30 = c30.add(FloatVector.fromArray(S, old, oo + 3 * ldo));
        c31 = c31.add(FloatVector.fromArray(S, old, oo + 3 * ldo + L));
        c32 = c32.add(FloatVector.fromArray(S, old, oo + 3 * ldo + 2 * L));
        // + each row's bias (or -0.0f)
        var q0 = FloatVector.broadcast(S, bias[bi]);
        c00 = c00.add(q0); c01 = c01.add(q0); c02 = c02.add(q0);
        var q1 = FloatVector.broadcast(S, bias[bi + 1]);
        c10 = c10.add(q1); c11 = c11.add(q1); c12 = c12.add(q1);
        var q2 = FloatVector.broadcast(S, bias[bi + 2]);
        c20 = c20.add(q2); c21 = c21.add(q2); c22 = c22.add(q2);
        var q3 = FloatVector.broadcast(S, bias[bi + 3]);
        c30 = c30.add(q3); c31 = c31.add(q3); c32 = c32.add(q3);
        c00.intoArray(c, co); c01.intoArray(c, co + L); c02.intoArray(c, co + 2 * L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L); c12.intoArray(c, co + ldc + 2 * L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L); c22.intoArray(c, co + 2 * ldc + 2 * L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L); c32.intoArray(c, co + 3 * ldc + 2 * L);
    }

    /** 16 lanes, edge strip of 2 vectors (8 accumulators cover the FMA latency). */
    static void k4x2(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, float[] old, int oo,
                     int ldo, float[] bias, int bi) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z;
        var c10 = z; var c11 = z;
        var c20 = z; var c21 = z;
        var c30 = z; var c31 = z;
        int p = 0;
        for (; p < kc; p++) {
            int b = bo + p * (2 * L), a = ao + p * 4;
            var b0 = FloatVector.fromArray(S, bp, b);
            var b1 = FloatVector.fromArray(S, bp, b + L);
            var a0 = FloatVector.broadcast(S, ap[a]); c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            var a1 = FloatVector.broadcast(S, ap[a + 1]); c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            var a2 = FloatVector.broadcast(S, ap[a + 2]); c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            var a3 = FloatVector.broadcast(S, ap[a + 3]); c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
        }
        // + C's old values (or -0.0f: see NEG_ZERO)
        c00 = c00.add(FloatVector.fromArray(S, old, oo)); c01 = c01.add(FloatVector.fromArray(S, old, oo + L));
        c10 = c10.add(FloatVector.fromArray(S, old, oo + ldo));
        c11 = c11.add(FloatVector.fromArray(S, old, oo + ldo + L));
        c20 = c20.add(FloatVector.fromArray(S, old, oo + 2 * ldo));
        c21 = c21.add(FloatVector.fromArray(S, old, oo + 2 * ldo + L));
        c30 = c30.add(FloatVector.fromArray(S, old, oo + 3 * ldo));
        c31 = c31.add(FloatVector.fromArray(S, old, oo + 3 * ldo + L));
        // + each row's bias (or -0.0f)
        var q0 = FloatVector.broadcast(S, bias[bi]);
        c00 = c00.add(q0); c01 = c01.add(q0);
        var q1 = FloatVector.broadcast(S, bias[bi + 1]);
        c10 = c10.add(q1); c11 = c11.add(q1);
        var q2 = FloatVector.broadcast(S, bias[bi + 2]);
        c20 = c20.add(q2); c21 = c21.add(q2);
        var q3 = FloatVector.broadcast(S, bias[bi + 3]);
        c30 = c30.add(q3); c31 = c31.add(q3);
        c00.intoArray(c, co); c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L);
    }

    /** 16 lanes, edge strip of 1 vector: even and odd depth steps go to separate accumulators (8 in all). */
    static void k4x1s(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, float[] old, int oo,
                     int ldo, float[] bias, int bi) {
        var z = FloatVector.zero(S);
        var c00 = z;
        var c10 = z;
        var c20 = z;
        var c30 = z;
        var d00 = z;
        var d10 = z;
        var d20 = z;
        var d30 = z;
        int p = 0, pairs = kc & ~1;
        for (; p < pairs; p += 2) {
            int b = bo + p * L, a = ao + p * 4;
            var b0 = FloatVector.fromArray(S, bp, b);
            var a0 = FloatVector.broadcast(S, ap[a]); c00 = a0.fma(b0, c00);
            var a1 = FloatVector.broadcast(S, ap[a + 1]); c10 = a1.fma(b0, c10);
            var a2 = FloatVector.broadcast(S, ap[a + 2]); c20 = a2.fma(b0, c20);
            var a3 = FloatVector.broadcast(S, ap[a + 3]); c30 = a3.fma(b0, c30);
            var e0 = FloatVector.fromArray(S, bp, b + L);
            var x0 = FloatVector.broadcast(S, ap[a + 4]); d00 = x0.fma(e0, d00);
            var x1 = FloatVector.broadcast(S, ap[a + 5]); d10 = x1.fma(e0, d10);
            var x2 = FloatVector.broadcast(S, ap[a + 6]); d20 = x2.fma(e0, d20);
            var x3 = FloatVector.broadcast(S, ap[a + 7]); d30 = x3.fma(e0, d30);
        }
        for (; p < kc; p++) {
            int b = bo + p * L, a = ao + p * 4;
            var b0 = FloatVector.fromArray(S, bp, b);
            var a0 = FloatVector.broadcast(S, ap[a]); c00 = a0.fma(b0, c00);
            var a1 = FloatVector.broadcast(S, ap[a + 1]); c10 = a1.fma(b0, c10);
            var a2 = FloatVector.broadcast(S, ap[a + 2]); c20 = a2.fma(b0, c20);
            var a3 = FloatVector.broadcast(S, ap[a + 3]); c30 = a3.fma(b0, c30);
        }
        c00 = c00.add(d00);
        c10 = c10.add(d10);
        c20 = c20.add(d20);
        c30 = c30.add(d30);
        // + C's old values (or -0.0f: see NEG_ZERO)
        c00 = c00.add(FloatVector.fromArray(S, old, oo));
        c10 = c10.add(FloatVector.fromArray(S, old, oo + ldo));
        c20 = c20.add(FloatVector.fromArray(S, old, oo + 2 * ldo));
        c30 = c30.add(FloatVector.fromArray(S, old, oo + 3 * ldo));
        // + each row's bias (or -0.0f)
        var q0 = FloatVector.broadcast(S, bias[bi]);
        c00 = c00.add(q0);
        var q1 = FloatVector.broadcast(S, bias[bi + 1]);
        c10 = c10.add(q1);
        var q2 = FloatVector.broadcast(S, bias[bi + 2]);
        c20 = c20.add(q2);
        var q3 = FloatVector.broadcast(S, bias[bi + 3]);
        c30 = c30.add(q3);
        c00.intoArray(c, co);
        c10.intoArray(c, co + ldc);
        c20.intoArray(c, co + 2 * ldc);
        c30.intoArray(c, co + 3 * ldc);
    }

    /**
     * Whether {@link #k6x2} puts a load fence after each row. The fences exist for C2's scheduling before register
     * allocation; with it turned off ({@code -XX:-OptoRegScheduling}) the allocator keeps the plain loop in registers,
     * and the fences then make it spill instead (36 against 72 GFLOP/s on a Zen 3 core).
     */
    static final boolean ROW_FENCES = !jitFlagOff("OptoRegScheduling");

    /**
     * Whether the JVM was started with {@code -XX:-name} (the last setting of it on the command line, or in {@code
     * JAVA_TOOL_OPTIONS}, wins). Read once, at the first GEMM: about 30 ms.
     */
    private static boolean jitFlagOff(String name) {
        boolean off = false;
        try {
            for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (arg.equals("-XX:-" + name)) off = true;
                else if (arg.equals("-XX:+" + name)) off = false;
            }
        } catch (RuntimeException | LinkageError e) {
            return false; // no management: assume the default
        }
        return off;
    }

    /**
     * 8 lanes, main: 6 rows x 2 vectors from a tile packed six rows per depth step. The fence after each row's FMAs
     * (an empty instruction on x86 that C2 does not move loads across) keeps the next broadcast from being scheduled
     * before them, so the six broadcasts share one register and the twelve accumulators stay in the other fifteen.
     */
    static void k6x2(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, float[] old, int oo,
                     int ldo, float[] bias, int bi) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z; var c10 = z; var c11 = z; var c20 = z; var c21 = z;
        var c30 = z; var c31 = z; var c40 = z; var c41 = z; var c50 = z; var c51 = z;
        for (int a = ao, b = bo, end = ao + 6 * kc; a < end; a += 6, b += 2 * L) {
            var b0 = FloatVector.fromArray(S, bp, b);
            var b1 = FloatVector.fromArray(S, bp, b + L);
            var x = FloatVector.broadcast(S, ap[a]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            if (ROW_FENCES) VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            if (ROW_FENCES) VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            if (ROW_FENCES) VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            if (ROW_FENCES) VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            if (ROW_FENCES) VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            if (ROW_FENCES) VarHandle.loadLoadFence();
        }
        // + C's old values (or -0.0f: see NEG_ZERO), + each row's bias (or -0.0f)
        c00 = c00.add(FloatVector.fromArray(S, old, oo)); c01 = c01.add(FloatVector.fromArray(S, old, oo + L));
        c10 = c10.add(FloatVector.fromArray(S, old, oo + ldo));
        c11 = c11.add(FloatVector.fromArray(S, old, oo + ldo + L));
        c20 = c20.add(FloatVector.fromArray(S, old, oo + 2 * ldo));
        c21 = c21.add(FloatVector.fromArray(S, old, oo + 2 * ldo + L));
        c30 = c30.add(FloatVector.fromArray(S, old, oo + 3 * ldo));
        c31 = c31.add(FloatVector.fromArray(S, old, oo + 3 * ldo + L));
        c40 = c40.add(FloatVector.fromArray(S, old, oo + 4 * ldo));
        c41 = c41.add(FloatVector.fromArray(S, old, oo + 4 * ldo + L));
        c50 = c50.add(FloatVector.fromArray(S, old, oo + 5 * ldo));
        c51 = c51.add(FloatVector.fromArray(S, old, oo + 5 * ldo + L));
        var q = FloatVector.broadcast(S, bias[bi]); c00 = c00.add(q); c01 = c01.add(q);
        q = FloatVector.broadcast(S, bias[bi + 1]); c10 = c10.add(q); c11 = c11.add(q);
        q = FloatVector.broadcast(S, bias[bi + 2]); c20 = c20.add(q); c21 = c21.add(q);
        q = FloatVector.broadcast(S, bias[bi + 3]); c30 = c30.add(q); c31 = c31.add(q);
        q = FloatVector.broadcast(S, bias[bi + 4]); c40 = c40.add(q); c41 = c41.add(q);
        q = FloatVector.broadcast(S, bias[bi + 5]); c50 = c50.add(q); c51 = c51.add(q);
        c00.intoArray(c, co); c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc); c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc); c51.intoArray(c, co + 5 * ldc + L);
    }

    /** 16 lanes, A read in place (row-major): 4 rows x 4 vectors. */
    static void k4x4r(int kc, float[] a, int r0, int r1, int r2, int r3, float[] bp, int bo, float[] c, int co, int ldc,
                      float[] old, int oo, int ldo) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z; var c02 = z; var c03 = z;
        var c10 = z; var c11 = z; var c12 = z; var c13 = z;
        var c20 = z; var c21 = z; var c22 = z; var c23 = z;
        var c30 = z; var c31 = z; var c32 = z; var c33 = z;
        int p = 0;
        for (; p < kc; p++) {
            int b = bo + p * (4 * L);
            var b0 = FloatVector.fromArray(S, bp, b);
            var b1 = FloatVector.fromArray(S, bp, b + L);
            var b2 = FloatVector.fromArray(S, bp, b + 2 * L);
            var b3 = FloatVector.fromArray(S, bp, b + 3 * L);
            var a0 = FloatVector.broadcast(S, a[r0 + p]); c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02); c03 = a0.fma(b3, c03);
            var a1 = FloatVector.broadcast(S, a[r1 + p]); c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12); c13 = a1.fma(b3, c13);
            var a2 = FloatVector.broadcast(S, a[r2 + p]); c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22); c23 = a2.fma(b3, c23);
            var a3 = FloatVector.broadcast(S, a[r3 + p]); c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32); c33 = a3.fma(b3, c33);
        }
        // + C's old values (or -0.0f: see NEG_ZERO)
        c00 = c00.add(FloatVector.fromArray(S, old, oo)); c01 = c01.add(FloatVector.fromArray(S, old, oo + L));
        c02 = c02.add(FloatVector.fromArray(S, old, oo + 2 * L));
        c03 = c03.add(FloatVector.fromArray(S, old, oo + 3 * L));
        c10 = c10.add(FloatVector.fromArray(S, old, oo + ldo));
        c11 = c11.add(FloatVector.fromArray(S, old, oo + ldo + L));
        c12 = c12.add(FloatVector.fromArray(S, old, oo + ldo + 2 * L));
        c13 = c13.add(FloatVector.fromArray(S, old, oo + ldo + 3 * L));
        c20 = c20.add(FloatVector.fromArray(S, old, oo + 2 * ldo));
        c21 = c21.add(FloatVector.fromArray(S, old, oo + 2 * ldo + L));
        c22 = c22.add(FloatVector.fromArray(S, old, oo + 2 * ldo + 2 * L));
        c23 = c23.add(FloatVector.fromArray(S, old, oo + 2 * ldo + 3 * L));
        c30 = c30.add(FloatVector.fromArray(S, old, oo + 3 * ldo));
        c31 = c31.add(FloatVector.fromArray(S, old, oo + 3 * ldo + L));
        c32 = c32.add(FloatVector.fromArray(S, old, oo + 3 * ldo + 2 * L));
        c33 = c33.add(FloatVector.fromArray(S, old, oo + 3 * ldo + 3 * L));
        c00.intoArray(c, co); c01.intoArray(c, co + L); c02.intoArray(c, co + 2 * L); c03.intoArray(c, co + 3 * L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L); c12.intoArray(c, co + ldc + 2 * L);
        c13.intoArray(c, co + ldc + 3 * L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L); c22.intoArray(c, co + 2 * ldc + 2 * L);
        c23.intoArray(c, co + 2 * ldc + 3 * L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L); c32.intoArray(c, co + 3 * ldc + 2 * L);
        c33.intoArray(c, co + 3 * ldc + 3 * L);
    }

    /** 16 lanes, A read in place: 4 rows x 3 vectors. */
    static void k4x3r(int kc, float[] a, int r0, int r1, int r2, int r3, float[] bp, int bo, float[] c, int co, int ldc,
                      float[] old, int oo, int ldo) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z; var c02 = z;
        var c10 = z; var c11 = z; var c12 = z;
        var c20 = z; var c21 = z; var c22 = z;
        var c30 = z; var c31 = z; var c32 = z;
        int p = 0;
        for (; p < kc; p++) {
            int b = bo + p * (3 * L);
            var b0 = FloatVector.fromArray(S, bp, b);
            var b1 = FloatVector.fromArray(S, bp, b + L);
            var b2 = FloatVector.fromArray(S, bp, b + 2 * L);
            var a0 = FloatVector.broadcast(S, a[r0 + p]); c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            var a1 = FloatVector.broadcast(S, a[r1 + p]); c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            var a2 = FloatVector.broadcast(S, a[r2 + p]); c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            var a3 = FloatVector.broadcast(S, a[r3 + p]); c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
        }
        // + C's old values (or -0.0f: see NEG_ZERO)
        c00 = c00.add(FloatVector.fromArray(S, old, oo)); c01 = c01.add(FloatVector.fromArray(S, old, oo + L));
        c02 = c02.add(FloatVector.fromArray(S, old, oo + 2 * L));
        c10 = c10.add(FloatVector.fromArray(S, old, oo + ldo));
        c11 = c11.add(FloatVector.fromArray(S, old, oo + ldo + L));
        c12 = c12.add(FloatVector.fromArray(S, old, oo + ldo + 2 * L));
        c20 = c20.add(FloatVector.fromArray(S, old, oo + 2 * ldo));
        c21 = c21.add(FloatVector.fromArray(S, old, oo + 2 * ldo + L));
        c22 = c22.add(FloatVector.fromArray(S, old, oo + 2 * ldo + 2 * L));
        c30 = c30.add(FloatVector.fromArray(S, old, oo + 3 * ldo));
        c31 = c31.add(FloatVector.fromArray(S, old, oo + 3 * ldo + L));
        c32 = c32.add(FloatVector.fromArray(S, old, oo + 3 * ldo + 2 * L));
        c00.intoArray(c, co); c01.intoArray(c, co + L); c02.intoArray(c, co + 2 * L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L); c12.intoArray(c, co + ldc + 2 * L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L); c22.intoArray(c, co + 2 * ldc + 2 * L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L); c32.intoArray(c, co + 3 * ldc + 2 * L);
    }

    /** 16 lanes, A read in place: 8 rows x 1 vector. */
    static void k8x1r(int kc, float[] a, int r0, int r1, int r2, int r3, int r4, int r5, int r6, int r7, float[] bp, int bo, float[] c, int co, int ldc,
                      float[] old, int oo, int ldo) {
        var z = FloatVector.zero(S);
        var c00 = z;
        var c10 = z;
        var c20 = z;
        var c30 = z;
        var c40 = z;
        var c50 = z;
        var c60 = z;
        var c70 = z;
        int p = 0;
        for (; p < kc; p++) {
            int b = bo + p * L;
            var b0 = FloatVector.fromArray(S, bp, b);
            var a0 = FloatVector.broadcast(S, a[r0 + p]); c00 = a0.fma(b0, c00);
            var a1 = FloatVector.broadcast(S, a[r1 + p]); c10 = a1.fma(b0, c10);
            var a2 = FloatVector.broadcast(S, a[r2 + p]); c20 = a2.fma(b0, c20);
            var a3 = FloatVector.broadcast(S, a[r3 + p]); c30 = a3.fma(b0, c30);
            var a4 = FloatVector.broadcast(S, a[r4 + p]); c40 = a4.fma(b0, c40);
            var a5 = FloatVector.broadcast(S, a[r5 + p]); c50 = a5.fma(b0, c50);
            var a6 = FloatVector.broadcast(S, a[r6 + p]); c60 = a6.fma(b0, c60);
            var a7 = FloatVector.broadcast(S, a[r7 + p]); c70 = a7.fma(b0, c70);
        }
        // + C's old values (or -0.0f: see NEG_ZERO)
        c00 = c00.add(FloatVector.fromArray(S, old, oo));
        c10 = c10.add(FloatVector.fromArray(S, old, oo + ldo));
        c20 = c20.add(FloatVector.fromArray(S, old, oo + 2 * ldo));
        c30 = c30.add(FloatVector.fromArray(S, old, oo + 3 * ldo));
        c40 = c40.add(FloatVector.fromArray(S, old, oo + 4 * ldo));
        c50 = c50.add(FloatVector.fromArray(S, old, oo + 5 * ldo));
        c60 = c60.add(FloatVector.fromArray(S, old, oo + 6 * ldo));
        c70 = c70.add(FloatVector.fromArray(S, old, oo + 7 * ldo));
        c00.intoArray(c, co);
        c10.intoArray(c, co + ldc);
        c20.intoArray(c, co + 2 * ldc);
        c30.intoArray(c, co + 3 * ldc);
        c40.intoArray(c, co + 4 * ldc);
        c50.intoArray(c, co + 5 * ldc);
        c60.intoArray(c, co + 6 * ldc);
        c70.intoArray(c, co + 7 * ldc);
    }

    /** 8 lanes, A read in place (row-major): 2 rows x 4 vectors. */
    static void k2x4r(int kc, float[] a, int r0, int r1, float[] bp, int bo, float[] c, int co, int ldc,
                      float[] old, int oo, int ldo) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z; var c02 = z; var c03 = z;
        var c10 = z; var c11 = z; var c12 = z; var c13 = z;
        int p = 0;
        for (; p < kc; p++) {
            int b = bo + p * (4 * L);
            var b0 = FloatVector.fromArray(S, bp, b);
            var b1 = FloatVector.fromArray(S, bp, b + L);
            var b2 = FloatVector.fromArray(S, bp, b + 2 * L);
            var b3 = FloatVector.fromArray(S, bp, b + 3 * L);
            var a0 = FloatVector.broadcast(S, a[r0 + p]); c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02); c03 = a0.fma(b3, c03);
            var a1 = FloatVector.broadcast(S, a[r1 + p]); c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12); c13 = a1.fma(b3, c13);
        }
        // + C's old values (or -0.0f: see NEG_ZERO)
        c00 = c00.add(FloatVector.fromArray(S, old, oo)); c01 = c01.add(FloatVector.fromArray(S, old, oo + L));
        c02 = c02.add(FloatVector.fromArray(S, old, oo + 2 * L));
        c03 = c03.add(FloatVector.fromArray(S, old, oo + 3 * L));
        c10 = c10.add(FloatVector.fromArray(S, old, oo + ldo));
        c11 = c11.add(FloatVector.fromArray(S, old, oo + ldo + L));
        c12 = c12.add(FloatVector.fromArray(S, old, oo + ldo + 2 * L));
        c13 = c13.add(FloatVector.fromArray(S, old, oo + ldo + 3 * L));
        c00.intoArray(c, co); c01.intoArray(c, co + L); c02.intoArray(c, co + 2 * L); c03.intoArray(c, co + 3 * L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L); c12.intoArray(c, co + ldc + 2 * L);
        c13.intoArray(c, co + ldc + 3 * L);
    }

    /**
     * A read in place: 4 rows x 2 vectors, 8 accumulators, at both widths. Per depth step four broadcasts and two B
     * loads feed eight FMAs; at 8 lanes the 2 x 2 kernel it replaced loaded as many operands as it multiplied (a
     * 10-class layer's 128 x 128 x 10 product: 7.3-7.6 -> 6.2-6.5 us on one Zen 5 core). A one-index loop with the
     * rows at their distance from row 0 ran 3-5% faster alone, but in the few-column path at 8 lanes C2 moved the B
     * array's address through {@code xmm0} and back every step, a loop-carried chain longer than the step's FMAs
     * (1024x256 @ 256x16: 87-91 -> 62-70 GFLOP/s); this form was kept (docs/bench.md, "Six-row in-place kernels").
     */
    static void k4x2r(int kc, float[] a, int r0, int r1, int r2, int r3, float[] bp, int bo, float[] c, int co, int ldc,
                      float[] old, int oo, int ldo) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z; var c10 = z; var c11 = z;
        var c20 = z; var c21 = z; var c30 = z; var c31 = z;
        for (int p = 0; p < kc; p++) {
            int b = bo + p * (2 * L);
            var b0 = FloatVector.fromArray(S, bp, b);
            var b1 = FloatVector.fromArray(S, bp, b + L);
            var a0 = FloatVector.broadcast(S, a[r0 + p]); c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            var a1 = FloatVector.broadcast(S, a[r1 + p]); c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            var a2 = FloatVector.broadcast(S, a[r2 + p]); c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            var a3 = FloatVector.broadcast(S, a[r3 + p]); c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
        }
        // + C's old values (or -0.0f: see NEG_ZERO)
        c00 = c00.add(FloatVector.fromArray(S, old, oo)); c01 = c01.add(FloatVector.fromArray(S, old, oo + L));
        c10 = c10.add(FloatVector.fromArray(S, old, oo + ldo));
        c11 = c11.add(FloatVector.fromArray(S, old, oo + ldo + L));
        c20 = c20.add(FloatVector.fromArray(S, old, oo + 2 * ldo));
        c21 = c21.add(FloatVector.fromArray(S, old, oo + 2 * ldo + L));
        c30 = c30.add(FloatVector.fromArray(S, old, oo + 3 * ldo));
        c31 = c31.add(FloatVector.fromArray(S, old, oo + 3 * ldo + L));
        c00.intoArray(c, co); c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L);
    }

    /**
     * 16 lanes, A read in place: 6 rows x 2 vectors, 12 accumulators (attention's {@code P @ V} with a head size of
     * 32), rows {@code ars} floats apart. Six broadcasts and two B loads per twelve FMAs, the shape of OpenBLAS's
     * small-matrix kernel. The loop walks row 0's index and reaches the others through the row stride: with six row
     * offsets each advanced by the step index (as {@link #k4x2r} has four) C2 ran out of general registers and the
     * kernel was no faster than the 4-row one. On one Zen 5 core, L1-resident, 128 deep: 174-177 (4 x 2) -> 196-199
     * GFLOP/s. At 8 lanes (16 registers) this shape spills: half speed.
     */
    static void k6x2r(int kc, float[] a, int r0, int ars, float[] bp, int bo, float[] c, int co, int ldc,
                      float[] old, int oo, int ldo) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z; var c10 = z; var c11 = z;
        var c20 = z; var c21 = z; var c30 = z; var c31 = z;
        var c40 = z; var c41 = z; var c50 = z; var c51 = z;
        for (int i = r0, e = r0 + kc, b = bo; i < e; i++, b += 2 * L) {
            var b0 = FloatVector.fromArray(S, bp, b);
            var b1 = FloatVector.fromArray(S, bp, b + L);
            var a0 = FloatVector.broadcast(S, a[i]); c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            var a1 = FloatVector.broadcast(S, a[i + ars]); c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            var a2 = FloatVector.broadcast(S, a[i + 2 * ars]); c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            var a3 = FloatVector.broadcast(S, a[i + 3 * ars]); c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            var a4 = FloatVector.broadcast(S, a[i + 4 * ars]); c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            var a5 = FloatVector.broadcast(S, a[i + 5 * ars]); c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        }
        // + C's old values (or -0.0f: see NEG_ZERO)
        c00 = c00.add(FloatVector.fromArray(S, old, oo)); c01 = c01.add(FloatVector.fromArray(S, old, oo + L));
        c10 = c10.add(FloatVector.fromArray(S, old, oo + ldo));
        c11 = c11.add(FloatVector.fromArray(S, old, oo + ldo + L));
        c20 = c20.add(FloatVector.fromArray(S, old, oo + 2 * ldo));
        c21 = c21.add(FloatVector.fromArray(S, old, oo + 2 * ldo + L));
        c30 = c30.add(FloatVector.fromArray(S, old, oo + 3 * ldo));
        c31 = c31.add(FloatVector.fromArray(S, old, oo + 3 * ldo + L));
        c40 = c40.add(FloatVector.fromArray(S, old, oo + 4 * ldo));
        c41 = c41.add(FloatVector.fromArray(S, old, oo + 4 * ldo + L));
        c50 = c50.add(FloatVector.fromArray(S, old, oo + 5 * ldo));
        c51 = c51.add(FloatVector.fromArray(S, old, oo + 5 * ldo + L));
        c00.intoArray(c, co); c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc); c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc); c51.intoArray(c, co + 5 * ldc + L);
    }

    /**
     * 16 lanes, A read in place: 6 rows x 4 vectors, 24 accumulators, rows {@code ars} floats apart (attention's
     * {@code Q @ K^T}: 128 columns are two such strips). With a step's B vectors and broadcasts they fill the 32 vector
     * registers, and its C2 depth loop touches no stack slot. The rows are reached through the stride as in {@link
     * #k6x2r}; a version with six row offsets (2026-12-07) gained nothing over {@link #k4x4r}, this one 3-8% (see
     * {@link #rowBlockInPlace}).
     */
    static void k6x4r(int kc, float[] a, int r0, int ars, float[] bp, int bo, float[] c, int co, int ldc,
                      float[] old, int oo, int ldo) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z; var c02 = z; var c03 = z;
        var c10 = z; var c11 = z; var c12 = z; var c13 = z;
        var c20 = z; var c21 = z; var c22 = z; var c23 = z;
        var c30 = z; var c31 = z; var c32 = z; var c33 = z;
        var c40 = z; var c41 = z; var c42 = z; var c43 = z;
        var c50 = z; var c51 = z; var c52 = z; var c53 = z;
        for (int i = r0, e = r0 + kc, b = bo; i < e; i++, b += 4 * L) {
            var b0 = FloatVector.fromArray(S, bp, b);
            var b1 = FloatVector.fromArray(S, bp, b + L);
            var b2 = FloatVector.fromArray(S, bp, b + 2 * L);
            var b3 = FloatVector.fromArray(S, bp, b + 3 * L);
            var a0 = FloatVector.broadcast(S, a[i]); c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02); c03 = a0.fma(b3, c03);
            var a1 = FloatVector.broadcast(S, a[i + ars]); c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12); c13 = a1.fma(b3, c13);
            var a2 = FloatVector.broadcast(S, a[i + 2 * ars]); c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22); c23 = a2.fma(b3, c23);
            var a3 = FloatVector.broadcast(S, a[i + 3 * ars]); c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32); c33 = a3.fma(b3, c33);
            var a4 = FloatVector.broadcast(S, a[i + 4 * ars]); c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41); c42 = a4.fma(b2, c42); c43 = a4.fma(b3, c43);
            var a5 = FloatVector.broadcast(S, a[i + 5 * ars]); c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51); c52 = a5.fma(b2, c52); c53 = a5.fma(b3, c53);
        }
        // + C's old values (or -0.0f: see NEG_ZERO)
        c00 = c00.add(FloatVector.fromArray(S, old, oo)); c01 = c01.add(FloatVector.fromArray(S, old, oo + L)); c02 = c02.add(FloatVector.fromArray(S, old, oo + 2 * L)); c03 = c03.add(FloatVector.fromArray(S, old, oo + 3 * L));
        c10 = c10.add(FloatVector.fromArray(S, old, oo + ldo)); c11 = c11.add(FloatVector.fromArray(S, old, oo + ldo + L)); c12 = c12.add(FloatVector.fromArray(S, old, oo + ldo + 2 * L)); c13 = c13.add(FloatVector.fromArray(S, old, oo + ldo + 3 * L));
        c20 = c20.add(FloatVector.fromArray(S, old, oo + 2 * ldo)); c21 = c21.add(FloatVector.fromArray(S, old, oo + 2 * ldo + L)); c22 = c22.add(FloatVector.fromArray(S, old, oo + 2 * ldo + 2 * L)); c23 = c23.add(FloatVector.fromArray(S, old, oo + 2 * ldo + 3 * L));
        c30 = c30.add(FloatVector.fromArray(S, old, oo + 3 * ldo)); c31 = c31.add(FloatVector.fromArray(S, old, oo + 3 * ldo + L)); c32 = c32.add(FloatVector.fromArray(S, old, oo + 3 * ldo + 2 * L)); c33 = c33.add(FloatVector.fromArray(S, old, oo + 3 * ldo + 3 * L));
        c40 = c40.add(FloatVector.fromArray(S, old, oo + 4 * ldo)); c41 = c41.add(FloatVector.fromArray(S, old, oo + 4 * ldo + L)); c42 = c42.add(FloatVector.fromArray(S, old, oo + 4 * ldo + 2 * L)); c43 = c43.add(FloatVector.fromArray(S, old, oo + 4 * ldo + 3 * L));
        c50 = c50.add(FloatVector.fromArray(S, old, oo + 5 * ldo)); c51 = c51.add(FloatVector.fromArray(S, old, oo + 5 * ldo + L)); c52 = c52.add(FloatVector.fromArray(S, old, oo + 5 * ldo + 2 * L)); c53 = c53.add(FloatVector.fromArray(S, old, oo + 5 * ldo + 3 * L));
        c00.intoArray(c, co); c01.intoArray(c, co + L); c02.intoArray(c, co + 2 * L); c03.intoArray(c, co + 3 * L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L); c12.intoArray(c, co + ldc + 2 * L); c13.intoArray(c, co + ldc + 3 * L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L); c22.intoArray(c, co + 2 * ldc + 2 * L); c23.intoArray(c, co + 2 * ldc + 3 * L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L); c32.intoArray(c, co + 3 * ldc + 2 * L); c33.intoArray(c, co + 3 * ldc + 3 * L);
        c40.intoArray(c, co + 4 * ldc); c41.intoArray(c, co + 4 * ldc + L); c42.intoArray(c, co + 4 * ldc + 2 * L); c43.intoArray(c, co + 4 * ldc + 3 * L);
        c50.intoArray(c, co + 5 * ldc); c51.intoArray(c, co + 5 * ldc + L); c52.intoArray(c, co + 5 * ldc + 2 * L); c53.intoArray(c, co + 5 * ldc + 3 * L);
    }
}
