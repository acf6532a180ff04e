package dev.ember.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 GEMM, {@code C += A * B}, in the BLIS/GotoBLAS structure: B is packed into
 * {@code KC x NR} strips and A into {@code MR x KC} strips (zero-padded at the edges,
 * transposes absorbed by the packing), and a register-blocked micro-kernel computes one
 * {@code MR x NR} tile of C from a pair of strips with all accumulators in registers.
 *
 * <p>The micro-kernels and their shapes per vector width are in {@link GemmKernels}: 4 rows x 4 vectors with
 * 16 lanes, 2 rows x 6 vectors with 8; the last strip of B is packed only as wide as the narrowest kernel that
 * covers it, so a product whose width is not a multiple of the strip computes little padding.
 *
 * <p>Threads: with many rows, for each depth block the calling thread's packed B panel is
 * filled in parallel, then the C tiles are split among threads by row blocks, each thread
 * packing its own A block. With few rows (at most one A block), A is packed once and threads
 * take groups of B strips, packing each strip just before its tiles; when there are too few
 * strips to share, they split the depth instead. Packed buffers are per-thread and reused
 * across calls, so a call allocates nothing once warm (except the depth split's partial C).
 */
final class SimdGemm {
    private SimdGemm() {}

    private static final VectorSpecies<Float> S = GemmKernels.S;
    private static final int L = GemmKernels.L;
    static final boolean WIDE = GemmKernels.WIDE;
    static final int MR = GemmKernels.MR;
    static final int NR = GemmKernels.NR;
    /**
     * Depth of a packed panel. With 8 lanes, a B strip (KC x 48 floats, 24 KB) stays in a 32 KB L1 while the A tiles
     * stream past it (it is read 192 bytes per 12 FMAs, as fast as L2 can deliver). With 16 lanes a strip is
     * 64 floats wide and streams from L2; a deeper panel halves the passes over C.
     */
    static final int KC = Integer.getInteger("ember.gemm.kc", WIDE ? 512 : 128);
    /** Rows of A per packed block (a multiple of MR); MC x KC floats stay in L2. */
    static final int MC = Integer.getInteger("ember.gemm.mc", WIDE ? 96 : 256) / MR * MR;
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
     * {@code C[m x n] = A[m x k] * B[k x n]}, or {@code C += A * B} when {@code accumulate}, with C row-major at
     * {@code c[co + i * ldc + j]} and A, B addressed by element strides ({@code A[i][p] = a[ao + i * ars + p * acs]}).
     * Uses the CPU pool when {@code parallel} and the product is big enough.
     */
    static void gemm(int m, int n, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, int bcs,
                     float[] c, int co, int ldc, boolean accumulate, boolean parallel) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, co + i * ldc, co + i * ldc + n, 0f);
            return;
        }
        if (n < NR / 2 && m > n) {
            // Few columns (e.g. a 10-class output layer): B strips would be mostly padding, so compute
            // C^T = B^T * A^T instead, where the short side becomes the (narrow) row tiles.
            run(n, m, k, b, bo, bcs, brs, a, ao, acs, ars, c, co, 1, ldc, accumulate, parallel);
        } else {
            run(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, 1, accumulate, parallel);
        }
    }

    /** Per-product work (multiply-adds) below which a batch runs its products on one thread each, in parallel. */
    private static final long PER_PRODUCT_MAX = 96L * 96 * 96;

    /**
     * {@code batch} products {@code C_q = A_q * B_q}, overwriting C: operand q starts {@code q} batch strides
     * ({@code abs}, {@code bbs}, {@code cbs}) after the first, and a batch stride of 0 shares the operand. A shared B
     * whose A batches continue row after row (as do C's) is one product of {@code batch * m} rows, so B is packed
     * once. Otherwise small products run whole on one thread each, in parallel over the batch, and large ones one
     * after another, each on all threads.
     */
    static void gemmBatch(int batch, int m, int n, int k, float[] a, int ao, int abs, int ars, int acs, float[] b, int bo,
                          int bbs, int brs, int bcs, float[] c, int co, int cbs, int ldc, boolean parallel) {
        if (batch == 1 || (bbs == 0 && abs == m * ars && cbs == m * ldc)) {
            gemm(batch * m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, false, parallel);
            return;
        }
        long work = (long) m * n * k;
        boolean perProduct = parallel && batch >= Parallel.threads() && work < PER_PRODUCT_MAX;
        Parallel.Range body = (q0, q1) -> {
            for (int q = q0; q < q1; q++)
                gemm(m, n, k, a, ao + q * abs, ars, acs, b, bo + q * bbs, brs, bcs, c, co + q * cbs, ldc, false, !perProduct);
        };
        // About 32 K multiply-adds per claimed range: small enough to balance, large enough to amortise the claim.
        if (perProduct) Parallel.forRange(batch, (int) Math.max(1, 32768 / Math.max(1, work)), body);
        else body.run(0, batch);
    }

    /** {@link #gemm} with C addressed as {@code c[co + i * crs + j * ccs]}. */
    private static void run(int m, int n, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, int bcs,
                            float[] c, int co, int crs, int ccs, boolean accumulate, boolean parallel) {
        int threads = parallel && (long) m * n * k >= PARALLEL_MIN_WORK ? Parallel.threads() : 1;
        Scratch own = SCRATCH.get();
        int mTiles = (m + MR - 1) / MR;
        if (mTiles * MR <= MC) {
            // Few rows (a conv layer's output channels, a small batch): all of A is one packed block, and each
            // B strip is packed just before its tiles use it, so it is read from memory once and stays in cache
            // (a whole packed panel would be written out to memory and read back).
            int strips = (n + NR - 1) / NR;
            if (threads > 1 && strips < 4 * threads && k >= 256 * threads) {
                depthSplit(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, crs, ccs, accumulate, threads);
                return;
            }
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc), bOff = bo + pc * brs;
                // Strips per task: enough tasks to balance the threads, and their packed copy (at most 512 KB) stays in L2.
                int chunk = Math.max(1, Math.min(strips / (4 * threads), (128 << 10) / (NR * kc)));
                boolean add = accumulate || pc > 0;
                float[] ap = own.a(mTiles * MR * kc);
                packA(a, ao + pc * acs, ars, acs, kc, m, 0, mTiles, ap);
                shared(threads, (strips + chunk - 1) / chunk, q -> {
                    Scratch scratch = SCRATCH.get();
                    int s0 = q * chunk, s1 = Math.min(strips, s0 + chunk);
                    float[] bs = scratch.b((s1 - s0) * NR * kc);
                    packB(b, bOff, brs, bcs, kc, n, s0, s1, bs, 0);
                    for (int s = s0; s < s1; s++) tiles(m, n, kc, ap, 0, mTiles, bs, (s - s0) * NR * kc, s, c, co, crs, ccs, add, scratch.tile);
                });
            }
            return;
        }
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc), strips = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean add = accumulate || pc > 0;
                float[] bp = own.b(strips * NR * kc);
                int bOff = bo + pc * brs + jc * bcs;
                int aOff = ao + pc * acs;
                int cOff = co + jc * ccs;
                if (threads == 1) {
                    packB(b, bOff, brs, bcs, kc, nc, 0, strips, bp, 0);
                    block(m, nc, kc, a, aOff, ars, acs, bp, c, cOff, crs, ccs, add, 0, mTiles, 0, strips, own);
                    continue;
                }
                // Work is handed out in small chunks from a shared counter rather than one fixed range per
                // thread, so a thread the OS deschedules (a busy machine) does not hold the others up.
                int packChunk = Math.max(1, strips / (4 * threads));
                shared(threads, (strips + packChunk - 1) / packChunk, q -> packB(b, bOff, brs, bcs, kc, nc, q * packChunk,
                        Math.min(strips, (q + 1) * packChunk), bp, q * packChunk * NR * kc));
                // Row blocks: each thread packs only its own rows of A and reads all of B. The blocks are equal (to a
                // tile) and a multiple of the thread count in number, so that threads finish together.
                int blocks = Math.max(2 * threads, (mTiles + MC / MR - 1) / (MC / MR));
                int chunks = Math.min(mTiles, (blocks + threads - 1) / threads * threads);
                shared(threads, chunks, q -> block(m, nc, kc, a, aOff, ars, acs, bp, c, cOff, crs, ccs, add,
                        (int) ((long) mTiles * q / chunks), (int) ((long) mTiles * (q + 1) / chunks), 0, strips, SCRATCH.get()));
            }
        }
    }

    /**
     * A small C over a long depth (a weight gradient: {@code dY @ X^T} summed over a batch): there are too few
     * B strips to share evenly, so each thread takes an equal slice of the depth into its own copy of C, and the
     * copies are summed at the end.
     */
    private static void depthSplit(int m, int n, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs,
                                   int bcs, float[] c, int co, int crs, int ccs, boolean accumulate, int threads) {
        float[][] partial = new float[threads][];
        Parallel.forRange(threads, 1, (q0, q1) -> {
            for (int q = q0; q < q1; q++) {
                int k0 = (int) ((long) k * q / threads), k1 = (int) ((long) k * (q + 1) / threads);
                float[] p = q == 0 ? c : new float[m * n];
                if (q == 0) run(m, n, k1 - k0, a, ao, ars, acs, b, bo, brs, bcs, c, co, crs, ccs, accumulate, false);
                else run(m, n, k1 - k0, a, ao + k0 * acs, ars, acs, b, bo + k0 * brs, brs, bcs, p, 0, n, 1, false, false);
                partial[q] = p;
            }
        });
        for (int q = 1; q < threads; q++) {
            float[] p = partial[q];
            for (int i = 0; i < m; i++) {
                int cr = co + i * crs;
                if (ccs == 1) SimdKernels.axpy(1f, p, i * n, c, cr, n);
                else for (int j = 0; j < n; j++) c[cr + j * ccs] += p[i * n + j];
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
                              int ccs, boolean add, int t0, int t1, int s0, int s1, Scratch scratch) {
        int blockTiles = MC / MR;
        float[] ap = scratch.a(blockTiles * MR * kc);
        for (int tb = t0; tb < t1; tb += blockTiles) {
            int te = Math.min(t1, tb + blockTiles);
            packA(a, ao, ars, acs, kc, m, tb, te, ap);
            for (int s = s0; s < s1; s++) tiles(m, n, kc, ap, tb, te, bp, s * NR * kc, s, c, co, crs, ccs, add, scratch.tile);
        }
    }

    /** Row tiles {@code [tb, te)} (packed from {@code ap[0]}) times the B strip {@code s} packed at {@code bp[bOff]}. */
    private static void tiles(int m, int n, int kc, float[] ap, int tb, int te, float[] bp, int bOff, int s, float[] c, int co,
                              int crs, int ccs, boolean add, float[] tile) {
        int j0 = s * NR, nr = Math.min(NR, n - j0), w = GemmKernels.stripWidth(nr);
        boolean fullWidth = nr == w && ccs == 1;
        for (int t = tb; t < te; t++) {
            int i0 = t * MR, mr = Math.min(MR, m - i0), aOff = (t - tb) * MR * kc;
            if (mr == MR && fullWidth) {
                GemmKernels.tile(w, kc, ap, aOff, bp, bOff, c, co + i0 * crs + j0, crs, add);
                continue;
            }
            // A partial tile (or a transposed C) goes through a scratch tile, copied in and out; the kernel's results
            // for the padding rows and columns are dropped.
            if (add) {
                for (int i = 0; i < mr; i++) {
                    int cr = co + (i0 + i) * crs + j0 * ccs, tr = i * w;
                    for (int j = 0; j < nr; j++) tile[tr + j] = c[cr + j * ccs];
                }
            }
            GemmKernels.tile(w, kc, ap, aOff, bp, bOff, tile, 0, w, add);
            for (int i = 0; i < mr; i++) {
                int cr = co + (i0 + i) * crs + j0 * ccs, tr = i * w;
                for (int j = 0; j < nr; j++) c[cr + j * ccs] = tile[tr + j];
            }
        }
    }

    /** B strips {@code [s0, s1)}, strip {@code s} at {@code bp[dst + (s - s0) * NR * kc]}. */
    private static void packB(float[] b, int bo, int brs, int bcs, int kc, int n, int s0, int s1, float[] bp, int dst) {
        int full = Math.min(s1, n / NR); // strips [s0, full) have NR columns
        if (bcs == 1 && full > s0) {
            // Rows contiguous: copy each row across all the strips, so memory is read in long sequential runs
            // (strip by strip, each row would be a separate short run, too many streams to prefetch).
            int stripSize = NR * kc;
            for (int p = 0; p < kc; p++) {
                int src = bo + p * brs + s0 * NR, d = dst + p * NR;
                for (int s = s0; s < full; s++, src += NR, d += stripSize) System.arraycopy(b, src, bp, d, NR);
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
    private static void packStrip(float[] b, int bo, int brs, int bcs, int kc, int n, int s, float[] bp, int dst) {
        int j0 = s * NR, nr = Math.min(NR, n - j0), w = GemmKernels.stripWidth(nr);
        if (bcs == 1) {
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, bo + p * brs + j0, bp, dst + p * w, nr);
                if (nr < w) java.util.Arrays.fill(bp, dst + p * w + nr, dst + (p + 1) * w, 0f);
            }
        } else if (brs == 1) {
            // Transposed B (columns contiguous, as in x @ W^T): 16 x 16 blocks transposed in registers, the rest
            // read down each column in short runs that stay in L1.
            int p0 = 0, jv = WIDE ? nr / L * L : 0; // columns [0, jv) go through register transposes
            if (jv > 0) {
                for (; p0 + L <= kc; p0 += L)
                    for (int g = 0; g < jv; g += L) transpose16(b, bo + (j0 + g) * bcs + p0, bcs, bp, dst + p0 * w + g, w);
            }
            for (int pb = 0; pb < kc; pb += 16) {
                int pe = Math.min(kc, pb + 16);
                for (int j = pb < p0 ? jv : 0; j < nr; j++) {
                    int src = bo + (j0 + j) * bcs;
                    for (int p = pb; p < pe; p++) bp[dst + p * w + j] = b[src + p];
                }
            }
            if (nr < w) for (int p = 0; p < kc; p++) java.util.Arrays.fill(bp, dst + p * w + nr, dst + (p + 1) * w, 0f);
        } else {
            for (int p = 0; p < kc; p++) {
                int row = bo + p * brs + j0 * bcs, d = dst + p * w;
                for (int j = 0; j < nr; j++) bp[d + j] = b[row + j * bcs];
                for (int j = nr; j < w; j++) bp[d + j] = 0f;
            }
        }
    }

    /** A tiles {@code [t0, t1)} (rows {@code t*MR ..}), each as {@code kc} columns of MR floats, from {@code ap[0]}. */
    private static void packA(float[] a, int ao, int ars, int acs, int kc, int m, int t0, int t1, float[] ap) {
        for (int t = t0; t < t1; t++) {
            int i0 = t * MR, mr = Math.min(MR, m - i0);
            int dst = (t - t0) * MR * kc;
            if (MR == 2 && mr == 2) {
                // Two rows (8 lanes), either layout: pairs written in one pass.
                int r0 = ao + i0 * ars, r1 = r0 + ars;
                for (int p = 0; p < kc; p++) {
                    ap[dst + 2 * p] = a[r0 + p * acs];
                    ap[dst + 2 * p + 1] = a[r1 + p * acs];
                }
                continue;
            }
            if (mr == MR && ars == 1) {
                // Transposed A (columns contiguous): each packed column is a contiguous copy.
                for (int p = 0; p < kc; p++) System.arraycopy(a, ao + i0 + p * acs, ap, dst + p * MR, MR);
                continue;
            }
            int p0 = 0;
            if (WIDE && MR == 4 && mr == MR && acs == 1) {
                // Row-major A: four 16-float row pieces interleaved in registers into 64 packed floats.
                int r = ao + i0 * ars;
                for (; p0 + L <= kc; p0 += L) interleave4(a, r + p0, ars, ap, dst + p0 * MR);
            }
            for (int i = 0; i < mr; i++) {
                int src = ao + (i0 + i) * ars;
                for (int p = p0; p < kc; p++) ap[dst + p * MR + i] = a[src + p * acs];
            }
            if (mr < MR) for (int p = 0; p < kc; p++) for (int i = mr; i < MR; i++) ap[dst + p * MR + i] = 0f;
        }
    }

    /**
     * Lane-index vectors for a 16 x 16 transpose in four rounds: round {@code h} (8, 4, 2, 1) pairs rows {@code i}
     * and {@code i + h} and swaps their off-diagonal {@code h}-lane blocks; {@code LO[r]} builds row {@code i},
     * {@code HI[r]} row {@code i + h}, as two-source selects (one {@code vpermt2ps} each on AVX-512).
     */
    private static final FloatVector LO8 = selectIndex(8, false), HI8 = selectIndex(8, true), LO4 = selectIndex(4, false),
            HI4 = selectIndex(4, true), LO2 = selectIndex(2, false), HI2 = selectIndex(2, true), LO1 = selectIndex(1, false),
            HI1 = selectIndex(1, true);

    /** Indices into the pair (row i, row i + h) for the new row i ({@code hi}: row i + h); null without 16 lanes. */
    private static FloatVector selectIndex(int h, boolean hi) {
        if (!WIDE) return null;
        float[] x = new float[L];
        for (int j = 0; j < L; j++) x[j] = (j & h) == 0 ? (hi ? j + h : j) : (hi ? L + j : L + j - h);
        return FloatVector.fromArray(S, x, 0);
    }

    private static final FloatVector PAIR_LO = pairIndex(0), PAIR_HI = pairIndex(8), QUAD_0 = quadIndex(0), QUAD_1 = quadIndex(8);

    /** Lanes {@code [h, h + 8)} of two rows, interleaved: {@code x[h], y[h], x[h + 1], y[h + 1], ...}. */
    private static FloatVector pairIndex(int h) {
        if (!WIDE) return null;
        float[] x = new float[L];
        for (int k = 0; k < L; k++) x[k] = (k % 2 == 0 ? 0 : L) + h + k / 2;
        return FloatVector.fromArray(S, x, 0);
    }

    /** Pairs {@code [h/2, h/2 + 4)} of two pair-interleaved vectors, interleaved pairwise into quadruples. */
    private static FloatVector quadIndex(int h) {
        if (!WIDE) return null;
        float[] x = new float[L];
        for (int k = 0; k < L; k++) x[k] = (k % 4 < 2 ? 0 : L) + h + 2 * (k / 4) + k % 2;
        return FloatVector.fromArray(S, x, 0);
    }

    /** {@code ap[dst + q * 4 + i] = a[base + i * ars + q]} for i in [0, 4), q in [0, 16): a 4 x 16 block, in registers. */
    private static void interleave4(float[] a, int base, int ars, float[] ap, int dst) {
        var r0 = FloatVector.fromArray(S, a, base);
        var r1 = FloatVector.fromArray(S, a, base + ars);
        var r2 = FloatVector.fromArray(S, a, base + 2 * ars);
        var r3 = FloatVector.fromArray(S, a, base + 3 * ars);
        var lo01 = PAIR_LO.selectFrom(r0, r1); var hi01 = PAIR_HI.selectFrom(r0, r1);
        var lo23 = PAIR_LO.selectFrom(r2, r3); var hi23 = PAIR_HI.selectFrom(r2, r3);
        QUAD_0.selectFrom(lo01, lo23).intoArray(ap, dst);
        QUAD_1.selectFrom(lo01, lo23).intoArray(ap, dst + L);
        QUAD_0.selectFrom(hi01, hi23).intoArray(ap, dst + 2 * L);
        QUAD_1.selectFrom(hi01, hi23).intoArray(ap, dst + 3 * L);
    }

    /** {@code bp[dst + q * w + i] = b[base + i * bcs + q]} for i, q in [0, 16): one 16 x 16 block, in registers. */
    private static void transpose16(float[] b, int base, int bcs, float[] bp, int dst, int w) {
        var r0 = FloatVector.fromArray(S, b, base + 0 * bcs);
        var r1 = FloatVector.fromArray(S, b, base + 1 * bcs);
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
        var a0 = LO8.selectFrom(r0, r8); var a8 = HI8.selectFrom(r0, r8); var a1 = LO8.selectFrom(r1, r9); var a9 = HI8.selectFrom(r1, r9);
        var a2 = LO8.selectFrom(r2, r10); var a10 = HI8.selectFrom(r2, r10); var a3 = LO8.selectFrom(r3, r11); var a11 = HI8.selectFrom(r3, r11);
        var a4 = LO8.selectFrom(r4, r12); var a12 = HI8.selectFrom(r4, r12); var a5 = LO8.selectFrom(r5, r13); var a13 = HI8.selectFrom(r5, r13);
        var a6 = LO8.selectFrom(r6, r14); var a14 = HI8.selectFrom(r6, r14); var a7 = LO8.selectFrom(r7, r15); var a15 = HI8.selectFrom(r7, r15);
        var b0 = LO4.selectFrom(a0, a4); var b4 = HI4.selectFrom(a0, a4); var b1 = LO4.selectFrom(a1, a5); var b5 = HI4.selectFrom(a1, a5);
        var b2 = LO4.selectFrom(a2, a6); var b6 = HI4.selectFrom(a2, a6); var b3 = LO4.selectFrom(a3, a7); var b7 = HI4.selectFrom(a3, a7);
        var b8 = LO4.selectFrom(a8, a12); var b12 = HI4.selectFrom(a8, a12); var b9 = LO4.selectFrom(a9, a13); var b13 = HI4.selectFrom(a9, a13);
        var b10 = LO4.selectFrom(a10, a14); var b14 = HI4.selectFrom(a10, a14); var b11 = LO4.selectFrom(a11, a15); var b15 = HI4.selectFrom(a11, a15);
        var c0 = LO2.selectFrom(b0, b2); var c2 = HI2.selectFrom(b0, b2); var c1 = LO2.selectFrom(b1, b3); var c3 = HI2.selectFrom(b1, b3);
        var c4 = LO2.selectFrom(b4, b6); var c6 = HI2.selectFrom(b4, b6); var c5 = LO2.selectFrom(b5, b7); var c7 = HI2.selectFrom(b5, b7);
        var c8 = LO2.selectFrom(b8, b10); var c10 = HI2.selectFrom(b8, b10); var c9 = LO2.selectFrom(b9, b11); var c11 = HI2.selectFrom(b9, b11);
        var c12 = LO2.selectFrom(b12, b14); var c14 = HI2.selectFrom(b12, b14); var c13 = LO2.selectFrom(b13, b15); var c15 = HI2.selectFrom(b13, b15);
        var d0 = LO1.selectFrom(c0, c1); var d1 = HI1.selectFrom(c0, c1); var d2 = LO1.selectFrom(c2, c3); var d3 = HI1.selectFrom(c2, c3);
        var d4 = LO1.selectFrom(c4, c5); var d5 = HI1.selectFrom(c4, c5); var d6 = LO1.selectFrom(c6, c7); var d7 = HI1.selectFrom(c6, c7);
        var d8 = LO1.selectFrom(c8, c9); var d9 = HI1.selectFrom(c8, c9); var d10 = LO1.selectFrom(c10, c11); var d11 = HI1.selectFrom(c10, c11);
        var d12 = LO1.selectFrom(c12, c13); var d13 = HI1.selectFrom(c12, c13); var d14 = LO1.selectFrom(c14, c15); var d15 = HI1.selectFrom(c14, c15);
        d0.intoArray(bp, dst + 0 * w); d1.intoArray(bp, dst + 1 * w);
        d2.intoArray(bp, dst + 2 * w); d3.intoArray(bp, dst + 3 * w);
        d4.intoArray(bp, dst + 4 * w); d5.intoArray(bp, dst + 5 * w);
        d6.intoArray(bp, dst + 6 * w); d7.intoArray(bp, dst + 7 * w);
        d8.intoArray(bp, dst + 8 * w); d9.intoArray(bp, dst + 9 * w);
        d10.intoArray(bp, dst + 10 * w); d11.intoArray(bp, dst + 11 * w);
        d12.intoArray(bp, dst + 12 * w); d13.intoArray(bp, dst + 13 * w);
        d14.intoArray(bp, dst + 14 * w); d15.intoArray(bp, dst + 15 * w);
    }
}
