package dev.ember.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packing for the GEMM ({@link SimdGemm}): A into tiles of {@code MR} rows stored column by column ({@code kc}
 * columns of MR floats), B into strips of {@code kc} rows of the strip's width ({@link GemmKernels#stripWidth}),
 * zero-padded past the matrix's edge. Every layout a product meets has a vector path: row-major A is interleaved
 * in registers (two-vector shuffles), column-major A turned in 4 x 4 transposes of MR-float blocks, row-major B
 * copied a vector at a time, and transposed B ({@code x @ W^T}) turned in L x L register transposes. In a product
 * with few strips or few tiles each packed float is used only a few times, so packing must run at the speed of a
 * copy: scalar loops with computed strides measured 3 to 6 times slower (docs/bench.md, "GEMM on both widths"), and
 * the column-major copy of MR floats per tile and column 2.5 to 4 times slower ("Weight gradients' packing").
 */
final class GemmPacking {
    private GemmPacking() {}

    private static final VectorSpecies<Float> S = GemmKernels.S;
    private static final int L = GemmKernels.L;
    private static final int MR = GemmKernels.MR;
    private static final int NR = GemmKernels.NR;
    /** Register transposes and interleaves need 8 or 16 lanes. */
    private static final boolean SHUFFLES = L == 8 || L == 16;

    /**
     * A tiles {@code [t0, t1)} (rows {@code t*MR ..}) of {@code A[i][p] = a[ao + i * ars + p * acs]}, each as
     * {@code kc} columns of MR floats, from {@code ap[0]}; rows past m are zero.
     */
    static void packA(float[] a, int ao, int ars, int acs, int kc, int m, int t0, int t1, float[] ap) {
        packA(a, ao, ars, acs, kc, m, t0, t1, ap, 0);
    }

    /** {@link #packA(float[], int, int, int, int, int, int, int, float[])} from {@code ap[apo]}. */
    static void packA(float[] a, int ao, int ars, int acs, int kc, int m, int t0, int t1, float[] ap, int apo) {
        int t = t0;
        if (ars == 1 && acs != 1 && COLUMN_GROUPS) t = packColumnMajor(a, ao, acs, kc, m, t0, t1, ap, apo);
        for (; t < t1; t++) {
            int i0 = t * MR, mr = Math.min(MR, m - i0), dst = apo + (t - t0) * MR * kc, r = ao + i0 * ars, p0 = 0;
            if (mr == MR && acs == 1 && SHUFFLES) {
                // Row-major A: L columns of the MR rows interleaved (or, 6 rows of 8 lanes, transposed) in registers.
                if (MR == 4) for (; p0 + L <= kc; p0 += L) interleave4(a, r + p0, ars, ap, dst + p0 * 4);
                else if (MR == 6 && L == 8) for (; p0 + L <= kc; p0 += L) transpose6(a, r + p0, ars, ap, dst + p0 * 6);
                else for (; p0 + L <= kc; p0 += L) interleave2(a, r + p0, ars, ap, dst + p0 * 2);
            } else if (mr == MR && ars == 1 && MR == 6 && L == 8 && i0 + L <= m) {
                // Column-major A, six rows of 8 lanes: each column's 8 floats from row i0 stored over the previous
                // column's two extra lanes, which the next column's store overwrites (the last column's are masked).
                for (; p0 < kc - 1; p0++) FloatVector.fromArray(S, a, r + p0 * acs).intoArray(ap, dst + p0 * MR);
                FloatVector.fromArray(S, a, r + p0 * acs).intoArray(ap, dst + p0 * MR, FIRST_MR);
                p0++;
            } else if (mr == MR && ars == 1) {
                // Column-major A past packColumnMajor's groups: each packed column is MR contiguous floats. A copy, not
                // a 2- or 4-lane vector: C2 left those loads to the Vector API's Java fallback, which allocated an
                // array per column (JFR: 45% of a GPT training step's allocation).
                for (; p0 < kc; p0++) System.arraycopy(a, r + p0 * acs, ap, dst + p0 * MR, MR);
            }
            for (int i = 0; i < mr; i++) {
                int src = r + i * ars;
                for (int p = p0; p < kc; p++) ap[dst + p * MR + i] = a[src + p * acs];
            }
            if (mr < MR) for (int p = 0; p < kc; p++) for (int i = mr; i < MR; i++) ap[dst + p * MR + i] = 0f;
        }
    }

    /**
     * Column-major A ({@code ars == 1}: the transposed operand of every weight gradient, {@code X^T @ dY}): full tiles
     * from t0 in groups of four, the L / MR tiles whose rows one vector of a column holds. Four columns of a
     * group are four vectors whose MR-float blocks are the tiles' packed columns, so a 4 x 4 block transpose in
     * registers ({@link #columns4}) gives each tile four packed columns as one vector. Copying each tile's MR floats
     * per column instead ran at 8 GB/s (256 x 128 at 8 lanes: 17 us against 3 us for a row-major A). Returns the first
     * tile not packed; the caller packs the rest (a partial group, partial tiles) one tile at a time.
     */
    private static int packColumnMajor(float[] a, int ao, int acs, int kc, int m, int t0, int t1, float[] ap, int apo) {
        int groupTiles = 4, end = t0 + Math.max(0, Math.min(t1, m / MR) - t0) / groupTiles * groupTiles;
        int tile = MR * kc, pv = kc & ~3;
        for (int t = t0; t < end; t += groupTiles) {
            int src = ao + t * MR, dst = apo + (t - t0) * tile;
            for (int p = 0; p < pv; p += 4) columns4(a, src + p * acs, acs, ap, dst + p * MR, tile);
            for (int p = pv; p < kc; p++)
                for (int q = 0; q < groupTiles; q++) System.arraycopy(a, src + p * acs + q * MR, ap, dst + q * tile + p * MR, MR);
        }
        return end;
    }

    /**
     * {@code ap[dst + q * tile + c * MR + i] = a[base + c * acs + q * MR + i]} for q, c in [0, 4) and i in [0, MR): four
     * columns of four tiles, transposed in blocks of MR = L / 4 floats by the rounds of {@link #transpose8} on blocks
     * (half a vector, then a quarter).
     */
    private static void columns4(float[] a, int base, int acs, float[] ap, int dst, int tile) {
        var v0 = FloatVector.fromArray(S, a, base);
        var v1 = FloatVector.fromArray(S, a, base + acs);
        var v2 = FloatVector.fromArray(S, a, base + 2 * acs);
        var v3 = FloatVector.fromArray(S, a, base + 3 * acs);
        var w0 = v0.blend(v2.rearrange(XOR_HALF), MASK_HALF); var w2 = v0.rearrange(XOR_HALF).blend(v2, MASK_HALF);
        var w1 = v1.blend(v3.rearrange(XOR_HALF), MASK_HALF); var w3 = v1.rearrange(XOR_HALF).blend(v3, MASK_HALF);
        w0.blend(w1.rearrange(XOR_QUARTER), MASK_QUARTER).intoArray(ap, dst);
        w0.rearrange(XOR_QUARTER).blend(w1, MASK_QUARTER).intoArray(ap, dst + tile);
        w2.blend(w3.rearrange(XOR_QUARTER), MASK_QUARTER).intoArray(ap, dst + 2 * tile);
        w2.rearrange(XOR_QUARTER).blend(w3, MASK_QUARTER).intoArray(ap, dst + 3 * tile);
    }

    /**
     * B strips {@code [s0, s1)} of {@code B[p][j] = b[bo + p * brs + j * bcs]}, strip {@code s} (columns
     * {@code s*NR ..}) at {@code bp[dst + (s - s0) * NR * kc]}.
     */
    static void packB(float[] b, int bo, int brs, int bcs, int kc, int n, int s0, int s1, float[] bp, int dst) {
        int full = Math.min(s1, n / NR); // strips [s0, full) have NR columns
        if (bcs == 1 && full > s0) {
            // Rows contiguous: copy each row across all the strips, so memory is read in long sequential runs
            // (strip by strip, each row would be a separate short run, too many streams to prefetch).
            int stripSize = NR * kc;
            for (int p = 0; p < kc; p++) {
                int src = bo + p * brs + s0 * NR, d = dst + p * NR;
                for (int s = s0; s < full; s++, src += NR, d += stripSize)
                    for (int j = 0; j < NR; j += L) FloatVector.fromArray(S, b, src + j).intoArray(bp, d + j);
            }
            for (int s = full; s < s1; s++) packStrip(b, bo, brs, bcs, kc, n, s, bp, dst + (s - s0) * stripSize);
            return;
        }
        for (int s = s0; s < s1; s++) packStrip(b, bo, brs, bcs, kc, n, s, bp, dst + (s - s0) * NR * kc);
    }

    /**
     * B strip {@code s} (columns {@code s*NR ..}) as {@code kc} rows of {@code w} floats at {@code bp[dst]}, where
     * {@code w} is the strip's {@link GemmKernels#stripWidth}; columns past n are zero.
     */
    static void packStrip(float[] b, int bo, int brs, int bcs, int kc, int n, int s, float[] bp, int dst) {
        int j0 = s * NR, nr = Math.min(NR, n - j0);
        packColumns(b, bo + j0 * bcs, brs, bcs, kc, nr, GemmKernels.stripWidth(nr), bp, dst);
    }

    /**
     * Columns {@code [0, nr)} of B (from {@code b[bo]}) as {@code kc} rows of {@code w >= nr} floats at {@code bp[dst]},
     * columns past nr zero: the strip of a kernel {@code w} wide (the in-place kernels' widths differ from the packed
     * ones' at 8 lanes).
     */
    static void packColumns(float[] b, int bo, int brs, int bcs, int kc, int nr, int w, float[] bp, int dst) {
        if (bcs == 1) {
            int jv = nr / L * L;
            // the partial vector as one masked load (its other lanes read as zero), so a narrow B (10 columns) packs
            // a row in two instructions instead of sixteen scalar stores
            VectorMask<Float> tail = nr > jv ? S.indexInRange(0, nr - jv) : null;
            for (int p = 0; p < kc; p++) {
                int src = bo + p * brs, d = dst + p * w;
                for (int j = 0; j < jv; j += L) FloatVector.fromArray(S, b, src + j).intoArray(bp, d + j);
                int j = jv;
                if (tail != null) {
                    FloatVector.fromArray(S, b, src + jv, tail).intoArray(bp, d + jv);
                    j += L;
                }
                for (; j < w; j += L) FloatVector.zero(S).intoArray(bp, d + j);
            }
        } else if (brs == 1) {
            // Transposed B (columns contiguous, as in x @ W^T): L x L blocks transposed in registers, the rest
            // read down each column in short runs that stay in L1.
            int p0 = 0, jv = SHUFFLES ? nr / L * L : 0; // columns [0, jv) go through register transposes
            if (jv > 0) {
                for (; p0 + L <= kc; p0 += L)
                    for (int g = 0; g < jv; g += L) {
                        if (L == 16) transpose16(b, bo + g * bcs + p0, bcs, bp, dst + p0 * w + g, w);
                        else transpose8(b, bo + g * bcs + p0, bcs, bp, dst + p0 * w + g, w);
                    }
            }
            // The rest, in blocks of 16 rows: rows [0, p0) for the columns past jv, then every column of rows [p0, kc).
            for (int pb = 0; pb < kc; pb += 16) {
                int pe = Math.min(kc, pb + 16);
                for (int j = 0; j < nr; j++) {
                    int src = bo + j * bcs;
                    for (int p = j < jv ? Math.max(pb, p0) : pb; p < pe; p++) bp[dst + p * w + j] = b[src + p];
                }
            }
            if (nr < w) for (int p = 0; p < kc; p++) java.util.Arrays.fill(bp, dst + p * w + nr, dst + (p + 1) * w, 0f);
        } else {
            for (int p = 0; p < kc; p++) {
                int row = bo + p * brs, d = dst + p * w;
                for (int j = 0; j < nr; j++) bp[d + j] = b[row + j * bcs];
                for (int j = nr; j < w; j++) bp[d + j] = 0f;
            }
        }
    }

    /**
     * Two-vector shuffles. {@code x.rearrange(s, y)} reads lane {@code i} of x for an index {@code i < L}, and lane
     * {@code i - L} of y for an index {@code i >= L} (one {@code vpermt2ps} on AVX-512; two permutes and a blend on
     * AVX2). ZIP_LO/ZIP_HI interleave the low/high halves of x and y: {@code x[h], y[h], x[h + 1], y[h + 1], ...}.
     */
    private static final VectorShuffle<Float> ZIP_LO = zip(0), ZIP_HI = zip(L / 2);

    private static VectorShuffle<Float> zip(int h) {
        int[] x = new int[L];
        for (int k = 0; k < L; k++) x[k] = (k % 2 == 0 ? 0 : L) + h + k / 2;
        return VectorShuffle.fromArray(S, x, 0);
    }

    /**
     * Transpose rounds: round {@code h} pairs rows {@code i} and {@code i + h} and swaps their off-diagonal
     * {@code h}-lane blocks. {@code x.rearrange(XORh)} is x with lanes {@code j} and {@code j ^ h} exchanged, and
     * {@code MASKh} holds the lanes with bit h set, so the new row i is {@code x.blend(y.rearrange(XORh), MASKh)} and
     * the new row i + h {@code x.rearrange(XORh).blend(y, MASKh)}: one single-vector permute and one blend each.
     * Written as two-vector rearranges (two permutes, an index check and a blend each), the transposes took 35-40%
     * of a 128 x 128 x 10 product at both widths (JFR); this form packs a transposed 128 x 128 B 1.25x faster with
     * 8 lanes and 1.13x with 16 (Zen 5), with the same result.
     */
    private static final VectorShuffle<Float> XOR8 = xor(8), XOR4 = xor(4), XOR2 = xor(2), XOR1 = xor(1);
    private static final VectorMask<Float> MASK8 = bit(8), MASK4 = bit(4), MASK2 = bit(2), MASK1 = bit(1);

    /** The round-{@code h} permute (null where {@code h} does not fit the vector). */
    private static VectorShuffle<Float> xor(int h) {
        if (2 * h > L) return null;
        int[] x = new int[L];
        for (int j = 0; j < L; j++) x[j] = j ^ h;
        return VectorShuffle.fromArray(S, x, 0);
    }

    /** The round-{@code h} mask (null where {@code h} does not fit the vector). */
    private static VectorMask<Float> bit(int h) {
        if (2 * h > L) return null;
        boolean[] x = new boolean[L];
        for (int j = 0; j < L; j++) x[j] = (j & h) != 0;
        return VectorMask.fromArray(S, x, 0);
    }

    /** The first MR lanes (six of 8: the last column of a 6-row tile). */
    private static final VectorMask<Float> FIRST_MR = MR < L ? S.indexInRange(0, MR) : null;

    /** A vector holds one column of four A tiles ({@link #packColumnMajor}): at 16 lanes (4-row tiles). */
    private static final boolean COLUMN_GROUPS = SHUFFLES && L == 4 * MR;
    /** The rounds of {@link #columns4}: blocks of MR floats, half a vector apart, then a quarter. */
    private static final VectorShuffle<Float> XOR_HALF = xor(L / 2), XOR_QUARTER = xor(L / 4);
    private static final VectorMask<Float> MASK_HALF = bit(L / 2), MASK_QUARTER = bit(L / 4);

    /** {@code bp[dst + q * w + i] = b[base + i * bcs + q]} for i, q in [0, 16): one 16 x 16 block, in registers. */
    private static void transpose16(float[] b, int base, int bcs, float[] bp, int dst, int w) {
        var r0 = FloatVector.fromArray(S, b, base);
        var r1 = FloatVector.fromArray(S, b, base + bcs);
        var r2 = FloatVector.fromArray(S, b, base + 2 * bcs);
        var r3 = FloatVector.fromArray(S, b, base + 3 * bcs);
        var r4 = FloatVector.fromArray(S, b, base + 4 * bcs);
        var r5 = FloatVector.fromArray(S, b, base + 5 * bcs);
        var r6 = FloatVector.fromArray(S, b, base + 6 * bcs);
        var r7 = FloatVector.fromArray(S, b, base + 7 * bcs);
        var r8 = FloatVector.fromArray(S, b, base + 8 * bcs);
        var r9 = FloatVector.fromArray(S, b, base + 9 * bcs);
        var r10 = FloatVector.fromArray(S, b, base + 10 * bcs);
        var r11 = FloatVector.fromArray(S, b, base + 11 * bcs);
        var r12 = FloatVector.fromArray(S, b, base + 12 * bcs);
        var r13 = FloatVector.fromArray(S, b, base + 13 * bcs);
        var r14 = FloatVector.fromArray(S, b, base + 14 * bcs);
        var r15 = FloatVector.fromArray(S, b, base + 15 * bcs);
        var a0 = r0.blend(r8.rearrange(XOR8), MASK8); var a8 = r0.rearrange(XOR8).blend(r8, MASK8);
        var a1 = r1.blend(r9.rearrange(XOR8), MASK8); var a9 = r1.rearrange(XOR8).blend(r9, MASK8);
        var a2 = r2.blend(r10.rearrange(XOR8), MASK8); var a10 = r2.rearrange(XOR8).blend(r10, MASK8);
        var a3 = r3.blend(r11.rearrange(XOR8), MASK8); var a11 = r3.rearrange(XOR8).blend(r11, MASK8);
        var a4 = r4.blend(r12.rearrange(XOR8), MASK8); var a12 = r4.rearrange(XOR8).blend(r12, MASK8);
        var a5 = r5.blend(r13.rearrange(XOR8), MASK8); var a13 = r5.rearrange(XOR8).blend(r13, MASK8);
        var a6 = r6.blend(r14.rearrange(XOR8), MASK8); var a14 = r6.rearrange(XOR8).blend(r14, MASK8);
        var a7 = r7.blend(r15.rearrange(XOR8), MASK8); var a15 = r7.rearrange(XOR8).blend(r15, MASK8);
        var c0 = a0.blend(a4.rearrange(XOR4), MASK4); var c4 = a0.rearrange(XOR4).blend(a4, MASK4);
        var c1 = a1.blend(a5.rearrange(XOR4), MASK4); var c5 = a1.rearrange(XOR4).blend(a5, MASK4);
        var c2 = a2.blend(a6.rearrange(XOR4), MASK4); var c6 = a2.rearrange(XOR4).blend(a6, MASK4);
        var c3 = a3.blend(a7.rearrange(XOR4), MASK4); var c7 = a3.rearrange(XOR4).blend(a7, MASK4);
        var c8 = a8.blend(a12.rearrange(XOR4), MASK4); var c12 = a8.rearrange(XOR4).blend(a12, MASK4);
        var c9 = a9.blend(a13.rearrange(XOR4), MASK4); var c13 = a9.rearrange(XOR4).blend(a13, MASK4);
        var c10 = a10.blend(a14.rearrange(XOR4), MASK4); var c14 = a10.rearrange(XOR4).blend(a14, MASK4);
        var c11 = a11.blend(a15.rearrange(XOR4), MASK4); var c15 = a11.rearrange(XOR4).blend(a15, MASK4);
        var d0 = c0.blend(c2.rearrange(XOR2), MASK2); var d2 = c0.rearrange(XOR2).blend(c2, MASK2);
        var d1 = c1.blend(c3.rearrange(XOR2), MASK2); var d3 = c1.rearrange(XOR2).blend(c3, MASK2);
        var d4 = c4.blend(c6.rearrange(XOR2), MASK2); var d6 = c4.rearrange(XOR2).blend(c6, MASK2);
        var d5 = c5.blend(c7.rearrange(XOR2), MASK2); var d7 = c5.rearrange(XOR2).blend(c7, MASK2);
        var d8 = c8.blend(c10.rearrange(XOR2), MASK2); var d10 = c8.rearrange(XOR2).blend(c10, MASK2);
        var d9 = c9.blend(c11.rearrange(XOR2), MASK2); var d11 = c9.rearrange(XOR2).blend(c11, MASK2);
        var d12 = c12.blend(c14.rearrange(XOR2), MASK2); var d14 = c12.rearrange(XOR2).blend(c14, MASK2);
        var d13 = c13.blend(c15.rearrange(XOR2), MASK2); var d15 = c13.rearrange(XOR2).blend(c15, MASK2);
        var e0 = d0.blend(d1.rearrange(XOR1), MASK1); var e1 = d0.rearrange(XOR1).blend(d1, MASK1);
        var e2 = d2.blend(d3.rearrange(XOR1), MASK1); var e3 = d2.rearrange(XOR1).blend(d3, MASK1);
        var e4 = d4.blend(d5.rearrange(XOR1), MASK1); var e5 = d4.rearrange(XOR1).blend(d5, MASK1);
        var e6 = d6.blend(d7.rearrange(XOR1), MASK1); var e7 = d6.rearrange(XOR1).blend(d7, MASK1);
        var e8 = d8.blend(d9.rearrange(XOR1), MASK1); var e9 = d8.rearrange(XOR1).blend(d9, MASK1);
        var e10 = d10.blend(d11.rearrange(XOR1), MASK1); var e11 = d10.rearrange(XOR1).blend(d11, MASK1);
        var e12 = d12.blend(d13.rearrange(XOR1), MASK1); var e13 = d12.rearrange(XOR1).blend(d13, MASK1);
        var e14 = d14.blend(d15.rearrange(XOR1), MASK1); var e15 = d14.rearrange(XOR1).blend(d15, MASK1);
        e0.intoArray(bp, dst); e1.intoArray(bp, dst + w);
        e2.intoArray(bp, dst + 2 * w); e3.intoArray(bp, dst + 3 * w);
        e4.intoArray(bp, dst + 4 * w); e5.intoArray(bp, dst + 5 * w);
        e6.intoArray(bp, dst + 6 * w); e7.intoArray(bp, dst + 7 * w);
        e8.intoArray(bp, dst + 8 * w); e9.intoArray(bp, dst + 9 * w);
        e10.intoArray(bp, dst + 10 * w); e11.intoArray(bp, dst + 11 * w);
        e12.intoArray(bp, dst + 12 * w); e13.intoArray(bp, dst + 13 * w);
        e14.intoArray(bp, dst + 14 * w); e15.intoArray(bp, dst + 15 * w);
    }

    /** {@code bp[dst + q * w + i] = b[base + i * bcs + q]} for i, q in [0, 8): one 8 x 8 block, in registers. */
    private static void transpose8(float[] b, int base, int bcs, float[] bp, int dst, int w) {
        var r0 = FloatVector.fromArray(S, b, base);
        var r1 = FloatVector.fromArray(S, b, base + bcs);
        var r2 = FloatVector.fromArray(S, b, base + 2 * bcs);
        var r3 = FloatVector.fromArray(S, b, base + 3 * bcs);
        var r4 = FloatVector.fromArray(S, b, base + 4 * bcs);
        var r5 = FloatVector.fromArray(S, b, base + 5 * bcs);
        var r6 = FloatVector.fromArray(S, b, base + 6 * bcs);
        var r7 = FloatVector.fromArray(S, b, base + 7 * bcs);
        var a0 = r0.blend(r4.rearrange(XOR4), MASK4); var a4 = r0.rearrange(XOR4).blend(r4, MASK4);
        var a1 = r1.blend(r5.rearrange(XOR4), MASK4); var a5 = r1.rearrange(XOR4).blend(r5, MASK4);
        var a2 = r2.blend(r6.rearrange(XOR4), MASK4); var a6 = r2.rearrange(XOR4).blend(r6, MASK4);
        var a3 = r3.blend(r7.rearrange(XOR4), MASK4); var a7 = r3.rearrange(XOR4).blend(r7, MASK4);
        var c0 = a0.blend(a2.rearrange(XOR2), MASK2); var c2 = a0.rearrange(XOR2).blend(a2, MASK2);
        var c1 = a1.blend(a3.rearrange(XOR2), MASK2); var c3 = a1.rearrange(XOR2).blend(a3, MASK2);
        var c4 = a4.blend(a6.rearrange(XOR2), MASK2); var c6 = a4.rearrange(XOR2).blend(a6, MASK2);
        var c5 = a5.blend(a7.rearrange(XOR2), MASK2); var c7 = a5.rearrange(XOR2).blend(a7, MASK2);
        var d0 = c0.blend(c1.rearrange(XOR1), MASK1); var d1 = c0.rearrange(XOR1).blend(c1, MASK1);
        var d2 = c2.blend(c3.rearrange(XOR1), MASK1); var d3 = c2.rearrange(XOR1).blend(c3, MASK1);
        var d4 = c4.blend(c5.rearrange(XOR1), MASK1); var d5 = c4.rearrange(XOR1).blend(c5, MASK1);
        var d6 = c6.blend(c7.rearrange(XOR1), MASK1); var d7 = c6.rearrange(XOR1).blend(c7, MASK1);
        d0.intoArray(bp, dst); d1.intoArray(bp, dst + w);
        d2.intoArray(bp, dst + 2 * w); d3.intoArray(bp, dst + 3 * w);
        d4.intoArray(bp, dst + 4 * w); d5.intoArray(bp, dst + 5 * w);
        d6.intoArray(bp, dst + 6 * w); d7.intoArray(bp, dst + 7 * w);
    }

    /**
     * {@code ap[dst + q * 6 + i] = a[base + i * ars + q]} for i in [0, 6), q in [0, 8): six rows of 8 lanes transposed
     * as an 8 x 8 block whose last two rows are zero; column q's vector is stored at {@code dst + q * 6}, its two extra
     * lanes overwritten by the next column's store, and the last column's store masked to its six lanes.
     */
    private static void transpose6(float[] a, int base, int ars, float[] ap, int dst) {
        var r0 = FloatVector.fromArray(S, a, base);
        var r1 = FloatVector.fromArray(S, a, base + ars);
        var r2 = FloatVector.fromArray(S, a, base + 2 * ars);
        var r3 = FloatVector.fromArray(S, a, base + 3 * ars);
        var r4 = FloatVector.fromArray(S, a, base + 4 * ars);
        var r5 = FloatVector.fromArray(S, a, base + 5 * ars);
        var z = FloatVector.zero(S);
        var a0 = r0.blend(r4.rearrange(XOR4), MASK4); var a4 = r0.rearrange(XOR4).blend(r4, MASK4);
        var a1 = r1.blend(r5.rearrange(XOR4), MASK4); var a5 = r1.rearrange(XOR4).blend(r5, MASK4);
        var a2 = r2.blend(z, MASK4); var a6 = r2.rearrange(XOR4).blend(z, MASK4);
        var a3 = r3.blend(z, MASK4); var a7 = r3.rearrange(XOR4).blend(z, MASK4);
        var c0 = a0.blend(a2.rearrange(XOR2), MASK2); var c2 = a0.rearrange(XOR2).blend(a2, MASK2);
        var c1 = a1.blend(a3.rearrange(XOR2), MASK2); var c3 = a1.rearrange(XOR2).blend(a3, MASK2);
        var c4 = a4.blend(a6.rearrange(XOR2), MASK2); var c6 = a4.rearrange(XOR2).blend(a6, MASK2);
        var c5 = a5.blend(a7.rearrange(XOR2), MASK2); var c7 = a5.rearrange(XOR2).blend(a7, MASK2);
        c0.blend(c1.rearrange(XOR1), MASK1).intoArray(ap, dst);
        c0.rearrange(XOR1).blend(c1, MASK1).intoArray(ap, dst + 6);
        c2.blend(c3.rearrange(XOR1), MASK1).intoArray(ap, dst + 12);
        c2.rearrange(XOR1).blend(c3, MASK1).intoArray(ap, dst + 18);
        c4.blend(c5.rearrange(XOR1), MASK1).intoArray(ap, dst + 24);
        c4.rearrange(XOR1).blend(c5, MASK1).intoArray(ap, dst + 30);
        c6.blend(c7.rearrange(XOR1), MASK1).intoArray(ap, dst + 36);
        c6.rearrange(XOR1).blend(c7, MASK1).intoArray(ap, dst + 42, FIRST_MR);
    }

    /** {@code ap[dst + q * 2 + i] = a[base + i * ars + q]} for i in [0, 2), q in [0, L): two rows interleaved. */
    private static void interleave2(float[] a, int base, int ars, float[] ap, int dst) {
        var r0 = FloatVector.fromArray(S, a, base);
        var r1 = FloatVector.fromArray(S, a, base + ars);
        r0.rearrange(ZIP_LO, r1).intoArray(ap, dst);
        r0.rearrange(ZIP_HI, r1).intoArray(ap, dst + L);
    }

    /** {@code ap[dst + q * 4 + i] = a[base + i * ars + q]} for i in [0, 4), q in [0, L): four rows interleaved. */
    private static void interleave4(float[] a, int base, int ars, float[] ap, int dst) {
        var r0 = FloatVector.fromArray(S, a, base);
        var r1 = FloatVector.fromArray(S, a, base + ars);
        var r2 = FloatVector.fromArray(S, a, base + 2 * ars);
        var r3 = FloatVector.fromArray(S, a, base + 3 * ars);
        // Rows 0 and 2, 1 and 3 interleaved; then those two interleaved give 0, 1, 2, 3 for each column.
        var lo02 = r0.rearrange(ZIP_LO, r2); var hi02 = r0.rearrange(ZIP_HI, r2);
        var lo13 = r1.rearrange(ZIP_LO, r3); var hi13 = r1.rearrange(ZIP_HI, r3);
        lo02.rearrange(ZIP_LO, lo13).intoArray(ap, dst);
        lo02.rearrange(ZIP_HI, lo13).intoArray(ap, dst + L);
        hi02.rearrange(ZIP_LO, hi13).intoArray(ap, dst + 2 * L);
        hi02.rearrange(ZIP_HI, hi13).intoArray(ap, dst + 3 * L);
    }

}
