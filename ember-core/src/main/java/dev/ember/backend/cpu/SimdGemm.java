package dev.ember.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Float32 GEMM, {@code C += A * B}, in the BLIS/GotoBLAS structure: B is packed into
 * {@code KC x NR} strips and A into {@code MR x KC} strips (zero-padded at the edges,
 * transposes absorbed by the packing), and a register-blocked micro-kernel computes one
 * {@code MR x NR} tile of C from a pair of strips with all accumulators in registers.
 *
 * <p>The micro-kernels and their shapes per vector width are in {@link GemmKernels}: 4 rows x 4 vectors with
 * 16 lanes (the last strip of B packed only as wide as the narrowest kernel that covers it, so a product whose width
 * is not a multiple of the strip computes little padding), 6 rows x 2 vectors with 8.
 *
 * <p>Threads: with many rows, the threads claim tasks of one depth block and one chunk of rows in order, each
 * packing its own A block and the B strips of its depth block that no task has packed yet, and waiting only for
 * its rows' previous depth block ({@link #manyRows}: no barrier between depth blocks). With few rows (up to
 * {@link #ONE_BLOCK}), A is packed once and threads take groups of B strips, packing each strip just before its tiles or,
 * when B is row-major and exactly one strip wide, reading it where it is (over several depth blocks, A is
 * packed for all of them first and a group of strips goes through every block, so the threads meet once;
 * when the tasks also split the rows, each row group's A is packed by the group's first task);
 * when there are too few strips to share over a long depth, the depth is cut into slices chosen by the
 * depth alone. With few columns (a classifier's output layer) and a row-major A, B is one packed strip and the rows
 * of A are read in place ({@link #narrow}). Each element's order of summation depends on the shape, never on the
 * thread count.
 * Packed buffers are per-thread and reused across calls, so a call allocates nothing once warm
 * (except the depth split's partial C).
 */
final class SimdGemm {
    private SimdGemm() {}

    static final boolean WIDE = GemmKernels.WIDE;
    static final int MR = GemmKernels.MR;
    static final int NR = GemmKernels.NR;
    /**
     * Depth of a packed panel, at both widths: a B strip (512 x 16 floats, 32 KB, with 8 lanes; 512 x 64, 128 KB, with
     * 16) sits in L1 or L2 while its tiles' A rows stream past it, and C is read and written once per 512 depth steps.
     * With 8 lanes this was 128 until 2026-12-07: on a Zen 3 core (AMD EPYC family 25 model 1, AVX2, 32 KB L1, 512 KB
     * L2) the kernels then lost about 20% to C's misses (each tile's C lines are read after its depth loop, and a Java
     * kernel cannot prefetch them) and per-call overhead. With the 6 x 2 kernel, 256-deep blocks (MC 72 or 144, as
     * BLIS's Zen blocking) and 384 were no faster than 512 in same-process turns (benchmarks/tools/blas-ab; docs/bench.md,
     * "A six-row kernel at 8 lanes").
     */
    static final int KC = Integer.getInteger("ember.gemm.kc", 512);
    /**
     * The depth of each block for a product of depth k (here, and in the convolutions' own GEMMs): as many blocks as KC
     * needs, of equal depth (the last may be shorter by less than one row per block). 784 is two blocks of 392 rather
     * than 512 and 272; a 64-channel 3 x 3 convolution's input gradient (576 rows) two of 288, not 512 and 64 (with a
     * KC of 128, 784 in six blocks of 128 and one of 16 paid a whole block's pass over C for the last 16 rows). The
     * blocks depend on k alone, so results do not depend on the thread count.
     */
    static int depthBlock(int k) {
        int blocks = Math.max(1, (k + KC - 1) / KC);
        return (k + blocks - 1) / blocks;
    }

    /**
     * Rows of A per packed block (a multiple of MR); MC x KC floats stay in L2 beside a B strip: 192 KB with 16 lanes,
     * 120 KB with 8 (60 rows; 30 and 120 measured the same on Zen 3).
     */
    static final int MC = Integer.getInteger("ember.gemm.mc", WIDE ? 96 : 64) / MR * MR;
    /**
     * Most rows of A that {@link #run} packs as one block, B strips packed just before use (the few-rows path), at both
     * widths. With 16 lanes this was MC (96): products of 97-256 rows went through the shared B panel, two thread
     * hand-offs per depth block, and barely gained from a second thread. Two threads, Zen 5, same sitting, 96 -> 256:
     * 128x784x256 0.25-0.28 -> 0.17-0.19 ms, 128x3136x128 0.53-0.62 -> 0.32, 200x512x200 0.18-0.21 -> 0.14-0.15,
     * 128x256x128 42-52 -> 28-32 us; one thread within the run-to-run spread (200x512x200 0.25-0.27 -> 0.27).
     * The path depends on the shape only, so results stay the same on any thread count.
     */
    private static final int ONE_BLOCK = Math.max(MC, Integer.getInteger("ember.gemm.oneBlock", 256) / MR * MR);
    /** Columns of B per packed panel (a multiple of NR), bounding the panel's size. */
    static final int NC = Integer.getInteger("ember.gemm.nc", 4096) / NR * NR;
    /**
     * Below this many multiply-adds (about 25 us on one core) one thread does the whole product: handing
     * work to the pool costs microseconds, and on a busy machine a descheduled helper can stall the join.
     */
    private static final long PARALLEL_MIN_WORK = 2_500_000L;

    /** Per-thread scratch: the packed A block, a packed B panel, and an edge tile. */
    private static final class Scratch {
        float[] a = new float[0], b = new float[0], parts = new float[0];
        // An MR x NR tile, or the few-column path's group of rows of a two-vector strip (12 x 32 at 16 lanes).
        final float[] tile = new float[Math.max(MR * NR, GemmKernels.blockRows(2 * GemmKernels.L) * 2 * GemmKernels.L)];

        float[] a(int n) { if (a.length < n) a = new float[n]; return a; }
        float[] b(int n) { if (b.length < n) b = new float[n]; return b; }
        /** The depth split's partial products (only {@link #depthSplit} on the calling thread uses them; it does not nest). */
        float[] parts(int n) { if (parts.length < n) parts = new float[n]; return parts; }
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
        if ((n < NARROW_COLS || n == NARROW_IN_PLACE) && m > n && acs == 1 && k <= NARROW_MAX_DEPTH) {
            narrow(m, n, k, a, ao, ars, b, bo, brs, bcs, c, co, ldc, accumulate, parallel);
        } else if (n < NARROW_COLS && m > n) {
            // Few columns and A not row-major: B strips would be mostly padding, so compute
            // C^T = B^T * A^T instead, where the short side becomes the (narrow) row tiles.
            run(n, m, k, b, bo, bcs, brs, a, ao, acs, ars, c, co, 1, ldc, accumulate, parallel);
        } else {
            run(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, 1, accumulate, parallel);
        }
    }

    /**
     * Products narrower than this go through {@link #narrow} (or C^T = B^T * A^T): half a strip with 16 lanes, three
     * vectors with 8 (whose packed strips are two vectors wide; the in-place kernels take up to four).
     */
    private static final int NARROW_COLS = WIDE ? NR / 2 : 3 * GemmKernels.L;
    /**
     * With 8 lanes, a product exactly four vectors wide also goes through {@link #narrow} when A is row-major:
     * attention's {@code P @ V} with a head size of 32. Its 2 x 4 in-place kernel reads each row of A once; packing A
     * for two 6 x 2 strips ran at 0.6x its speed (64 x [128,128] @ [128,32], one Zen 3 core, alternating turns).
     */
    private static final int NARROW_IN_PLACE = WIDE ? -1 : 4 * GemmKernels.L;

    /** Deepest product {@link #narrow} takes: its one B strip ({@code k} rows of at most 32 floats) stays within 1 MB. */
    private static final int NARROW_MAX_DEPTH = 8192;

    /**
     * Few columns ({@code n < NARROW_COLS}, e.g. a 10-class output layer) and a row-major A: B is packed once into a single
     * strip one or two vectors wide (zero past n), and the in-place kernels ({@link GemmKernels#rowBlockInPlace}) read the
     * rows of A where they are, each element summed over the whole depth in registers. The alternative, C^T = B^T *
     * A^T with A^T as the packed operand, transposed all of A to use it once: this is 1.3-2x faster from 1024 x 1024
     * x 10 at 16 lanes, up to 1.7x at 8, and equal at 128 x 128 x 10, where the kernels' loop is bound by its broadcast
     * loads and their address arithmetic (docs/bench.md, "Few-column products"). Rows go in groups of {@link
     * GemmKernels#blockRows} (12 for a two-vector strip at 16 lanes, through the 6-row kernel: 1024x256 @ 256x24 and
     * 4096x128 @ 128x20 10-13% faster than groups of 4), the last group through zero-padded copies of its rows, each
     * through a scratch tile whose first n columns are C's: the groups are fixed by the shape, so the result does not
     * depend on the thread count.
     */
    private static void narrow(int m, int n, int k, float[] a, int ao, int ars, float[] b, int bo, int brs, int bcs,
                               float[] c, int co, int ldc, boolean accumulate, boolean parallel) {
        int w = GemmKernels.inPlaceWidth(n), rows = GemmKernels.blockRows(w), groups = (m + rows - 1) / rows;
        Scratch own = SCRATCH.get();
        float[] bp = own.b(k * w);
        GemmPacking.packColumns(b, bo, brs, bcs, k, n, w, bp, 0);
        Parallel.Range body = (g0, g1) -> {
            Scratch scratch = SCRATCH.get();
            float[] tile = scratch.tile;
            for (int g = g0; g < g1; g++) {
                int i0 = g * rows, mr = Math.min(rows, m - i0);
                if (mr == rows && n == w) { // C's rows hold whole vectors: the kernel writes them
                    GemmKernels.rowBlockInPlace(w, rows, k, a, ao + i0 * ars, ars, bp, 0, c, co + i0 * ldc, ldc, accumulate);
                    continue;
                }
                if (mr == rows) {
                    GemmKernels.rowBlockInPlace(w, rows, k, a, ao + i0 * ars, ars, bp, 0, tile, 0, w, false);
                } else {
                    float[] part = scratch.a(rows * k); // the last rows, padded with zero rows
                    for (int i = 0; i < rows; i++) {
                        if (i < mr) System.arraycopy(a, ao + (i0 + i) * ars, part, i * k, k);
                        else java.util.Arrays.fill(part, i * k, (i + 1) * k, 0f);
                    }
                    GemmKernels.rowBlockInPlace(w, rows, k, part, 0, k, bp, 0, tile, 0, w, false);
                }
                for (int i = 0; i < mr; i++) {
                    int cr = co + (i0 + i) * ldc, tr = i * w;
                    if (accumulate) for (int j = 0; j < n; j++) c[cr + j] += tile[tr + j];
                    else System.arraycopy(tile, tr, c, cr, n);
                }
            }
        };
        if (parallel && (long) m * n * k >= PARALLEL_MIN_WORK && groups > 1) Parallel.forRange(groups, 1, body);
        else body.run(0, groups);
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
        run(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, crs, ccs, accumulate, parallel, true);
    }

    /** {@link #run} that may split a long depth ({@code mayDepthSplit}), or not (a slice of a split). */
    private static void run(int m, int n, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, int bcs,
                            float[] c, int co, int crs, int ccs, boolean accumulate, boolean parallel, boolean mayDepthSplit) {
        int threads = parallel && (long) m * n * k >= PARALLEL_MIN_WORK ? Parallel.threads() : 1;
        Scratch own = SCRATCH.get();
        int mTiles = (m + MR - 1) / MR;
        if (mTiles * MR <= ONE_BLOCK) {
            // Few rows (a conv layer's output channels, a small batch): all of A is one packed block, and each
            // B strip is packed just before its tiles use it, so it is read from memory once and stays in cache
            // (a whole packed panel would be written out to memory and read back).
            int strips = (n + NR - 1) / NR;
            // Chosen by the shape alone, not the thread count: the split changes each element's order of summation.
            if (mayDepthSplit && strips < 8 && k >= 512 && (long) m * n * k >= PARALLEL_MIN_WORK) {
                depthSplit(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, crs, ccs, accumulate, parallel);
                return;
            }
            boolean inPlace = inPlace(acs, ccs, n);
            int tp = inPlace ? inPlaceEnd(0, m) / MR : 0; // tiles from tp on are packed
            if (threads > 1 && k > KC && (long) (mTiles - tp) * MR * k <= ALL_DEPTH_MAX) {
                allDepths(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, crs, ccs, accumulate, threads, tp, own);
                return;
            }
            int groups = rowGroups(m, strips, threads), kb = depthBlock(k);
            boolean bIsStrip = isPackedStrip(n, brs, bcs);
            for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc), bOff = bo + pc * brs, aOff = ao + pc * acs;
                // Strips per task: enough tasks to balance the threads, and their packed copy (at most 512 KB) stays in L2.
                int chunk = Math.max(1, Math.min(strips / (4 * threads), (128 << 10) / (NR * kc)));
                boolean add = accumulate || pc > 0;
                float[] ap = own.a((mTiles - tp) * MR * kc);
                GroupPacking packing = new GroupPacking(groups, m, tp, mTiles,
                        (t0, t1) -> GemmPacking.packA(a, aOff, ars, acs, kc, m, t0, t1, ap, (t0 - tp) * MR * kc));
                shared(threads, (strips + chunk - 1) / chunk * groups, q -> {
                    Scratch scratch = SCRATCH.get();
                    int g = q % groups, s0 = q / groups * chunk, s1 = Math.min(strips, s0 + chunk);
                    packing.ensure(g);
                    float[] bs = bIsStrip ? b : scratch.b((s1 - s0) * NR * kc);
                    if (!bIsStrip) GemmPacking.packB(b, bOff, brs, bcs, kc, n, s0, s1, bs, 0);
                    for (int s = s0; s < s1; s++)
                        strip(m, n, kc, a, aOff, ars, ap, 0, tp, groupTile(g, groups, m), groupTile(g + 1, groups, m), bs,
                                (bIsStrip ? bOff : 0) + (s - s0) * NR * kc, s, c, co, crs, ccs, add, scratch.tile);
                });
            }
            return;
        }
        int kb = depthBlock(k);
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc), strips = (nc + NR - 1) / NR;
            if (threads > 1) {
                manyRows(m, nc, k, a, ao, ars, acs, b, bo + jc * bcs, brs, bcs, c, co + jc * ccs, crs, ccs, accumulate, threads, own);
                continue;
            }
            for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc);
                boolean add = accumulate || pc > 0;
                float[] bp = own.b(strips * NR * kc);
                int bOff = bo + pc * brs + jc * bcs;
                int aOff = ao + pc * acs;
                int cOff = co + jc * ccs;
                GemmPacking.packB(b, bOff, brs, bcs, kc, nc, 0, strips, bp, 0);
                block(m, nc, kc, a, aOff, ars, acs, bp, c, cOff, crs, ccs, add, 0, mTiles, 0, strips, own);
            }
        }
    }

    /**
     * Many rows on several threads, one panel of B's columns ({@code nc} wide from column 0 of {@code b} and {@code c}).
     * The work is a list of tasks, depth block p times row chunk r, that the threads claim in that order. A task runs
     * when its rows' previous depth block is done, so each element's sum goes through the depth blocks in order with
     * the same kernels as on one thread; and it packs the groups of B strips of its depth block that no task has packed
     * yet as it reaches them (tasks of odd chunks walk the strips from the end, so two tasks starting a block pack
     * different strips), waiting only for a group another task is packing. Two panel slots alternate between depth
     * blocks; a block's first packer waits until the block two before is done with the slot. So the threads never meet
     * at a barrier, and a thread the machine slows down (a busy or throttled core) takes fewer tasks rather than
     * holding the others at each depth block: with a barrier per depth block and per packing phase (16 per 1024^3
     * product with 8 lanes), two threads waited 6% of their time.
     */
    private static void manyRows(int m, int nc, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, int bcs,
                                 float[] c, int co, int crs, int ccs, boolean accumulate, int threads, Scratch own) {
        int mTiles = (m + MR - 1) / MR, strips = (nc + NR - 1) / NR, kb = depthBlock(k), depthBlocks = (k + kb - 1) / kb;
        // Row chunks: equal (to a tile), a multiple of the thread count, each at least one MC block.
        int blocks = Math.max(2 * threads, (mTiles + MC / MR - 1) / (MC / MR));
        int chunks = Math.min(mTiles, (blocks + threads - 1) / threads * threads);
        // Strips are packed in groups: rows of B copied across several strips at once read memory in longer runs.
        int group = Math.max(1, strips / (4 * threads)), groups = (strips + group - 1) / group;
        int panel = strips * NR * kb;
        float[] bp = own.b(Math.min(2, depthBlocks) * panel);
        var packed = new AtomicIntegerArray(depthBlocks * groups); // 0 to pack, 1 packing, 2 packed
        var done = new AtomicIntegerArray(depthBlocks * chunks);
        var finished = new AtomicIntegerArray(depthBlocks); // tasks done per depth block
        var failed = new AtomicBoolean();
        shared(threads, depthBlocks * chunks, q -> {
            int p = q / chunks, r = q % chunks;
            try {
                if (p > 0) await(done, q - chunks, 1, failed);
                int pc = p * kb, kc = Math.min(kb, k - pc), slot = (p & 1) * panel, bOff = bo + pc * brs;
                boolean add = accumulate || pc > 0, inPlace = inPlace(acs, ccs, nc), reverse = (r & 1) == 1;
                int t0 = evenTile(mTiles, r, chunks), t1 = evenTile(mTiles, r + 1, chunks);
                Scratch scratch = SCRATCH.get();
                int blockTiles = MC / MR;
                float[] ap = scratch.a(blockTiles * MR * kc);
                for (int tb = t0; tb < t1; tb += blockTiles) {
                    int te = Math.min(t1, tb + blockTiles);
                    int tp = inPlace ? inPlaceEnd(tb * MR, Math.min(m, te * MR)) / MR : tb; // tiles from tp on are packed
                    GemmPacking.packA(a, ao + pc * acs, ars, acs, kc, m, tp, te, ap);
                    for (int i = 0; i < groups; i++) {
                        int g = reverse ? groups - 1 - i : i, s0 = g * group, s1 = Math.min(strips, s0 + group);
                        int state = p * groups + g;
                        if (packed.get(state) != 2) {
                            if (packed.compareAndSet(state, 0, 1)) {
                                if (p >= 2) await(finished, p - 2, chunks, failed); // the slot's last readers
                                GemmPacking.packB(b, bOff, brs, bcs, kc, nc, s0, s1, bp, slot + s0 * NR * kc);
                                packed.set(state, 2);
                            } else await(packed, state, 2, failed);
                        }
                        for (int s = s0; s < s1; s++)
                            strip(m, nc, kc, a, ao + pc * acs, ars, ap, 0, tp, tb, te, bp, slot + s * NR * kc, s, c, co, crs,
                                    ccs, add, scratch.tile);
                    }
                }
                finished.incrementAndGet(p);
                done.set(q, 1);
            } catch (RuntimeException | Error e) {
                failed.set(true);
                throw e;
            }
        });
    }

    /**
     * Start of row chunk r of {@code chunks} over mTiles tiles: an even tile (or mTiles), so that with 16 lanes a chunk
     * starts on a multiple of 8 rows, where the in-place kernels' row groups (4 or 8 rows) start in every chunking: each
     * row goes through the same kernel on any thread count.
     */
    private static int evenTile(int mTiles, int r, int chunks) {
        return r >= chunks ? mTiles : (int) ((long) mTiles * r / chunks) & ~1;
    }

    /** Waits until {@code a[i] >= value}; gives up when another task has failed (it would never get there). */
    private static void await(AtomicIntegerArray a, int i, int value, AtomicBoolean failed) {
        for (int spins = 0; a.get(i) < value; spins++) {
            if (failed.get()) throw new IllegalStateException("matmul: a parallel task failed");
            Parallel.backOff(spins);
        }
    }

    /** Most floats of packed A (1 MB) for which {@link #allDepths} packs every depth block at once. */
    private static final long ALL_DEPTH_MAX = 256 << 10;

    /**
     * Few rows, more than one depth block, several threads (a conv layer as GEMM: 64 x 288 x 196 is three depth
     * blocks with 16 lanes): A is packed for every depth block at once, and each task takes a group of B strips
     * through all the depth blocks, so the threads meet once per product rather than once per depth block (with
     * the packing of A between, on one thread). Each element's sum runs over the depth blocks in order with the
     * same kernels as the loop in {@link #run}, so results do not depend on the path or the thread count.
     */
    private static void allDepths(int m, int n, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs,
                                  int bcs, float[] c, int co, int crs, int ccs, boolean accumulate, int threads, int tp,
                                  Scratch own) {
        int mTiles = (m + MR - 1) / MR, strips = (n + NR - 1) / NR, blockSize = (mTiles - tp) * MR, kb = depthBlock(k);
        float[] ap = own.a(blockSize * k);
        int chunk = Math.max(1, Math.min(strips / (4 * threads), (128 << 10) / (NR * kb)));
        int groups = rowGroups(m, strips, threads);
        boolean bIsStrip = isPackedStrip(n, brs, bcs);
        // Depth block pc's tiles start at ap[blockSize * pc]: the layout packA gives one block, for every depth block.
        GroupPacking packing = new GroupPacking(groups, m, tp, mTiles, (t0, t1) -> {
            for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc);
                GemmPacking.packA(a, ao + pc * acs, ars, acs, kc, m, t0, t1, ap, blockSize * pc + (t0 - tp) * MR * kc);
            }
        });
        shared(threads, (strips + chunk - 1) / chunk * groups, q -> {
            Scratch scratch = SCRATCH.get();
            int g = q % groups, s0 = q / groups * chunk, s1 = Math.min(strips, s0 + chunk);
            packing.ensure(g);
            int tb = groupTile(g, groups, m), te = groupTile(g + 1, groups, m);
            float[] bs = bIsStrip ? b : scratch.b((s1 - s0) * NR * kb);
            for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc), bOff = bo + pc * brs, aOff = ao + pc * acs;
                if (!bIsStrip) GemmPacking.packB(b, bOff, brs, bcs, kc, n, s0, s1, bs, 0);
                for (int s = s0; s < s1; s++)
                    strip(m, n, kc, a, aOff, ars, ap, blockSize * pc, tp, tb, te, bs, (bIsStrip ? bOff : 0) + (s - s0) * NR * kc,
                            s, c, co, crs, ccs, accumulate || pc > 0, scratch.tile);
            }
        });
    }

    /**
     * The packing of A in the few-rows path, shared among its tasks by row group: with one group, all of A is packed on
     * the calling thread before the fork; with several, the first task of a group packs that group's tiles (those from
     * {@code tp} on: earlier ones are read in place) and the group's later tasks wait for it, so the threads pack A
     * together (at two threads, 64 x 288 x 196 spent a tenth of its time packing A on the calling thread). Packing
     * moves data only: the results are the same bits.
     */
    private static final class GroupPacking {
        private final java.util.concurrent.atomic.AtomicIntegerArray state; // 0 to pack, 1 packing, 2 packed
        private final int groups, m, tp;
        private final Parallel.Range pack;

        /** {@code pack.run(t0, t1)} packs tiles {@code [t0, t1)}; with one group it runs now, for tiles {@code [tp, mTiles)}. */
        GroupPacking(int groups, int m, int tp, int mTiles, Parallel.Range pack) {
            this.state = groups > 1 ? new java.util.concurrent.atomic.AtomicIntegerArray(groups) : null;
            this.groups = groups;
            this.m = m;
            this.tp = tp;
            this.pack = pack;
            if (state == null) pack.run(tp, mTiles);
        }

        /** Makes sure group g's tiles are packed: packs them unless another task has (then waits for it). */
        void ensure(int g) {
            if (state == null || state.get(g) == 2) return;
            if (state.compareAndSet(g, 0, 1)) {
                int t0 = Math.max(tp, groupTile(g, groups, m)), t1 = Math.max(t0, groupTile(g + 1, groups, m));
                try {
                    pack.run(t0, t1);
                } finally {
                    state.set(g, 2);
                }
                return;
            }
            // A group's packing is a few microseconds; past that the packing thread has lost its core (backOff yields).
            for (int spins = 0; state.get(g) != 2; spins++) Parallel.backOff(spins);
        }
    }

    /**
     * Row groups for the few-rows path: with fewer than four B strips per thread the strips alone cannot balance the
     * threads (192 x 400 x 128 is three strips with 8 lanes), so tasks also split the rows; each group packs its own
     * copy of the strip (a few percent of its work). That product on two threads (Zen 5, {@code -XX:UseAVX=2}): 228-238
     * us before, no faster than one thread (210-217), and 162-178 us with row groups; 96 x 400 x 128 121-127 -> 88-91.
     */
    private static int rowGroups(int m, int strips, int threads) {
        return threads > 1 && strips < 4 * threads ? Math.max(1, Math.min(threads, m / 16)) : 1;
    }

    /**
     * First row tile of group g of {@code groups} (the end for g = groups). Boundaries fall on multiples of 8 rows, a
     * multiple of every in-place kernel's rows, so each row is computed by the same kernel whatever the split: the
     * results do not depend on the thread count.
     */
    private static int groupTile(int g, int groups, int m) {
        return g == groups ? (m + MR - 1) / MR : (int) ((long) m * g / groups) / 8 * 8 / MR;
    }

    /**
     * A small C over a long depth (a weight gradient: {@code dY @ X^T} summed over a batch): there are too few
     * B strips to share evenly, so the depth is cut into slices, each computed into its own copy of C (the first
     * into C), and the copies are summed at the end in slice order. The slices depend on the depth alone (2, or 4
     * from a depth of 1024), never on the thread count, so that each element's sum is the same on 1 thread as on
     * many: threads take whole slices, and one thread computes them one after another.
     */
    private static void depthSplit(int m, int n, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs,
                                   int bcs, float[] c, int co, int crs, int ccs, boolean accumulate, boolean parallel) {
        int slices = k >= 1024 ? 4 : 2, size = m * n;
        // Slices 1.. go to the calling thread's reused buffer (they overwrite it whole), and a slice is not split
        // again: a split in a split multiplied the partial products (39 of them for a depth of 25,000).
        float[] parts = SCRATCH.get().parts((slices - 1) * size);
        Parallel.Range body = (q0, q1) -> {
            for (int q = q0; q < q1; q++) {
                int k0 = (int) ((long) k * q / slices), k1 = (int) ((long) k * (q + 1) / slices);
                if (q == 0) run(m, n, k1 - k0, a, ao, ars, acs, b, bo, brs, bcs, c, co, crs, ccs, accumulate, false, false);
                else run(m, n, k1 - k0, a, ao + k0 * acs, ars, acs, b, bo + k0 * brs, brs, bcs, parts, (q - 1) * size, n, 1,
                        false, false, false);
            }
        };
        if (parallel) Parallel.forRange(slices, 1, body);
        else body.run(0, slices);
        for (int q = 1; q < slices; q++) {
            int po = (q - 1) * size;
            for (int i = 0; i < m; i++) {
                int cr = co + i * crs;
                if (ccs == 1) SimdKernels.axpy(1f, parts, po + i * n, c, cr, n);
                else for (int j = 0; j < n; j++) c[cr + j * ccs] += parts[po + i * n + j];
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

    /** C rows of tiles {@code [t0, t1)} x B strips {@code [s0, s1)} (packed at {@code bp}) for one depth block. */
    private static void block(int m, int n, int kc, float[] a, int ao, int ars, int acs, float[] bp, float[] c, int co, int crs,
                              int ccs, boolean add, int t0, int t1, int s0, int s1, Scratch scratch) {
        int blockTiles = MC / MR;
        boolean inPlace = inPlace(acs, ccs, n);
        float[] ap = scratch.a(blockTiles * MR * kc);
        for (int tb = t0; tb < t1; tb += blockTiles) {
            int te = Math.min(t1, tb + blockTiles);
            int tp = inPlace ? inPlaceEnd(tb * MR, Math.min(m, te * MR)) / MR : tb; // tiles from tp on are packed
            GemmPacking.packA(a, ao, ars, acs, kc, m, tp, te, ap);
            for (int s = s0; s < s1; s++) strip(m, n, kc, a, ao, ars, ap, 0, tp, tb, te, bp, s * NR * kc, s, c, co, crs, ccs, add, scratch.tile);
        }
    }

    /**
     * Whether A is read in place rather than packed: row-major, C stored directly, and B narrow enough
     * ({@link GemmKernels#inPlace}) that each packed A float would be used once or twice, so that packing costs as
     * much as the product (a 128 x 128 A packs in about 2 us; an attention-sized product takes 5 to 7).
     */
    private static boolean inPlace(int acs, int ccs, int n) {
        return acs == 1 && ccs == 1 && GemmKernels.inPlace(n);
    }

    /**
     * Whether B (n columns, strides brs and bcs) already is its one packed strip: exactly one kernel wide, rows
     * contiguous and back to back (an attention product's [128, 32] V), so the kernels can read it where it is.
     * ({@code stripWidth(n) == n} also bounds n: no strip is wider than NR.)
     */
    private static boolean isPackedStrip(int n, int brs, int bcs) {
        return bcs == 1 && brs == n && GemmKernels.stripWidth(n) == n;
    }

    /** End of the rows in {@code [r0, r1)} that every in-place kernel covers (a multiple of the largest row count from r0). */
    private static int inPlaceEnd(int r0, int r1) {
        int rows = GemmKernels.inPlaceRows(GemmKernels.L);
        return r0 + (r1 - r0) / rows * rows;
    }

    /**
     * Row tiles {@code [tb, te)} times the B strip {@code s} packed at {@code bp[bOff]}. Tiles from {@code tp} on are
     * packed from {@code ap[0]}; the rows before tile tp are read in place from A.
     */
    private static void strip(int m, int n, int kc, float[] a, int ao, int ars, float[] ap, int apo, int tp, int tb, int te,
                              float[] bp, int bOff, int s, float[] c, int co, int crs, int ccs, boolean add, float[] tile) {
        int t = tb;
        if (tp > tb) {
            int j0 = s * NR, w = GemmKernels.stripWidth(Math.min(NR, n - j0)), rows = GemmKernels.inPlaceRows(w);
            int i = tb * MR, end = i + (Math.min(m, te * MR) - i) / rows * rows;
            GemmKernels.rowBlockInPlace(w, end - i, kc, a, ao + i * ars, ars, bp, bOff, c, co + i * crs + j0, crs, add);
            t = end / MR;
        }
        tiles(m, n, kc, ap, apo, tp, t, te, bp, bOff, s, c, co, crs, ccs, add, null, tile);
    }

    /** Row tiles {@code [tb, te)} (tile {@code tp} packed at {@code ap[0]}) times the B strip {@code s} packed at {@code bp[bOff]}. */
    static void tiles(int m, int n, int kc, float[] ap, int tp, int tb, int te, float[] bp, int bOff, int s, float[] c,
                              int co, int crs, int ccs, boolean add, float[] tile) {
        tiles(m, n, kc, ap, 0, tp, tb, te, bp, bOff, s, c, co, crs, ccs, add, null, tile);
    }

    /**
     * {@link #tiles(int, int, int, float[], int, int, int, float[], int, int, float[], int, int, int, boolean, float[])} with
     * tile tp at {@code ap[apo]}, and, when not {@code add}, {@code rowBias[i]} (or nothing, if null) added to row i of C:
     * the bias is added to the finished sums in registers, the same arithmetic as filling C with it and accumulating,
     * without the fill and the loads of C. {@code rowBias} holds {@code te * MR} floats (pad the rows past m).
     */
    static void tiles(int m, int n, int kc, float[] ap, int apo, int tp, int tb, int te, float[] bp, int bOff, int s, float[] c,
                      int co, int crs, int ccs, boolean add, float[] rowBias, float[] tile) {
        int j0 = s * NR, nr = Math.min(NR, n - j0), w = GemmKernels.stripWidth(nr);
        boolean fullWidth = nr == w && ccs == 1;
        for (int t = tb; t < te; t++) {
            int i0 = t * MR, mr = Math.min(MR, m - i0), aOff = apo + (t - tp) * MR * kc;
            if (mr == MR && fullWidth) {
                GemmKernels.tile(w, kc, ap, aOff, bp, bOff, c, co + i0 * crs + j0, crs, add, rowBias, i0);
                continue;
            }
            // A partial tile (or a transposed C) goes through a scratch tile, copied in and out; the kernel's results
            // for the padding rows and columns are dropped.
            if (add) copyTile(c, co + i0 * crs + j0 * ccs, crs, ccs, tile, w, mr, nr, true);
            GemmKernels.tile(w, kc, ap, aOff, bp, bOff, tile, 0, w, add, rowBias, i0);
            copyTile(c, co + i0 * crs + j0 * ccs, crs, ccs, tile, w, mr, nr, false);
        }
    }

    /** Copies {@code rows x cols} of C (at {@code cOff}, strides crs and ccs) into a tile of row length w, or back. */
    private static void copyTile(float[] c, int cOff, int crs, int ccs, float[] tile, int w, int rows, int cols, boolean in) {
        for (int i = 0; i < rows; i++) {
            int cr = cOff + i * crs, tr = i * w;
            for (int j = 0; j < cols; j++) {
                if (in) tile[tr + j] = c[cr + j * ccs];
                else c[cr + j * ccs] = tile[tr + j];
            }
        }
    }
}
