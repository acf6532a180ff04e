package dev.ember.backend.cpu;

import dev.ember.backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The weight gradient of conv2d ({@code groups = 1}, float32) for the geometries of {@link ConvGemm} (stride 1, the
 * output as wide as the input), without a column matrix. {@code dW[co, r] = sum over images and positions p of
 * dY[img, co, p] * cols[r, p]} is computed as its transpose, {@code dW^T [rows, cout] = cols [rows, L] @ dY^T [L, cout]},
 * one image after another into the same accumulators.
 *
 * <p>Row {@code r = (ci, ki, kj)} of an image's columns is channel ci's plane shifted by {@code ki} rows and by kernel
 * column kj's horizontal offset. So each image is copied once per kernel column into planes already shifted by that
 * column's offset, with zeros wherever the shift leaves the image (rows above and below, columns that would wrap into
 * the neighbouring row), and the micro-kernels read every row of the columns in place from there
 * ({@link GemmKernels#rowsAt}): {@code kw} copies of the image instead of {@code kh * kw}, and no packing of A. dY^T
 * is packed strip by strip with register transposes ({@link GemmPacking#packColumns}). With fewer column rows than
 * output channels and at most a strip of them (a first layer, {@code cin} 1 or 3), a product shaped like that would
 * leave most lanes of its narrow B strip idle; there each {@code dW[co, r]} is a dot product instead, summed in vectors
 * along the positions straight from dY and the shifted planes ({@link #dotBlock}): conv1 of the demo CNN 1.1-1.6 ms
 * before, 0.66-0.73 after (one thread, 16 lanes, Zen 5; docs/bench.md).
 *
 * <p>Against im2col + GEMM per chunk of images (what the tensor layer does otherwise): no column matrix is written,
 * packed and read back, no copy of dY is made, and the accumulators of one thread's rows stay in cache over the
 * whole batch. Threads take blocks of rows (outputs); each sums over every image in order, so the result does not
 * depend on the number of threads.
 */
final class ConvWeightGrad {
    private ConvWeightGrad() {}

    private static final int L = GemmKernels.L;
    /** Row blocks start at multiples of this: a multiple of every {@link GemmKernels#inPlaceRows}. */
    private static final int ROW_ALIGN = 8;
    /** Columns (output channels) per dY^T strip: the widest strip an in-place kernel takes. */
    private static final int STRIP = GemmKernels.IN_PLACE_MAX;
    private static final int KC = Integer.getInteger("ember.wg.kc", 512);
    private static final VectorSpecies<Float> S = GemmKernels.S;
    /**
     * Output channels and column rows per call of the few-rows kernel {@link #dot4x3}. At 8 lanes its 12 accumulators
     * and 7 loaded vectors pass the 16 registers, yet it ran 6% faster than a 4 x 2 kernel that fits (conv1's weight
     * gradient, Zen 5 with {@code -XX:UseAVX=2}).
     */
    private static final int DOT_CHANNELS = 4, DOT_ROWS = 3;

    /** Per-thread scratch: the shifted planes of one image, a packed B strip, the row offsets of a block. */
    private static final class Scratch {
        float[] planes = new float[0], strip = new float[0];
        int[] offsets = new int[0];

        float[] planes(int n) { if (planes.length < n) planes = new float[n]; return planes; }
        float[] strip(int n) { if (strip.length < n) strip = new float[n]; return strip; }
        int[] offsets(int n) { if (offsets.length < n) offsets = new int[n]; return offsets; }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    /** The calling thread's {@code dW^T} accumulators (shared by the workers of one call). */
    private static final ThreadLocal<float[][]> ACCUMULATORS = ThreadLocal.withInitial(() -> new float[][]{new float[0]});

    /**
     * {@code dw[co, r]} (contiguous {@code [cout, cin * kh * kw]} at {@code dw[dwo]}, overwritten) from {@code gy}
     * (contiguous {@code [n, cout, outH, outW]} at {@code gy[go]}) and {@code x [n, cin, inH, inW]} with strides
     * {@code xs}; {@code g} must satisfy {@link ConvGemm#supports}, and {@code n, cout, cin} and the output positive.
     */
    static void compute(float[] gy, int go, int n, int cout, float[] x, int xo, int[] xs, int cin, ConvGeometry g,
                        float[] dw, int dwo) {
        compute(gy, go, n, cout, x, xo, xs, cin, g, dw, dwo, null, 0);
    }

    /**
     * Whether {@link #compute} forms dW as dot products for {@code rows = cin * kh * kw} column rows and {@code cout}
     * output channels, and so can sum the bias gradient in the same pass over dY (it reads dY's rows anyway).
     */
    static boolean dotProducts(int rows, int cout) {
        return rows <= STRIP && rows < cout;
    }

    /**
     * {@link #compute}, and, when {@code db} is not null, the bias gradient {@code db[dbo + co] = sum of dY[:, co]}
     * from the same pass; {@code db} requires {@link #dotProducts}.
     */
    static void compute(float[] gy, int go, int n, int cout, float[] x, int xo, int[] xs, int cin, ConvGeometry g,
                        float[] dw, int dwo, float[] db, int dbo) {
        int kk = g.kernelH() * g.kernelW(), rows = cin * kk;
        if (db != null && !dotProducts(rows, cout))
            throw new IllegalArgumentException("conv2d weight gradient: no bias gradient with " + rows + " column rows and "
                    + cout + " channels");
        Planes planes = new Planes(g);
        float[][] holder = ACCUMULATORS.get();
        if (dotProducts(rows, cout)) { // before Winograd: the one form that also gives db
            // Few rows (a first layer: cin = 1 or 3): each dW[co, r] is a long dot product of dY's row co with column
            // row r, summed in vectors along the positions, so that every lane does useful work and nothing is
            // transposed; the lanes are added up once at the end.
            int coutP = (cout + DOT_CHANNELS - 1) / DOT_CHANNELS * DOT_CHANNELS;
            int rowsP = (rows + DOT_ROWS - 1) / DOT_ROWS * DOT_ROWS;
            // acc: the lane sums of dW[co, r] at (co * rowsP + r) * L, then those of db[co] at biasAt + co * L.
            int biasAt = coutP * rowsP * L, size = biasAt + (db == null ? 0 : coutP * L);
            if (holder[0].length < size) holder[0] = new float[size];
            float[] acc = holder[0];
            Parallel.forRange(coutP / DOT_CHANNELS, Math.max(1, 16 / DOT_CHANNELS), (b0, b1) -> dotBlock(gy, go, n, cout, x, xo,
                    xs, cin, planes, kk, rows, rowsP, b0 * DOT_CHANNELS, b1 * DOT_CHANNELS, acc, db == null ? -1 : biasAt));
            for (int co = 0; co < cout; co++) {
                for (int r = 0; r < rows; r++) dw[dwo + co * rows + r] = laneSum(acc, (co * rowsP + r) * L);
                if (db != null) db[dbo + co] = laneSum(acc, biasAt + co * L);
            }
            return;
        }
        if (Winograd.supports(g, cin, cout) && Winograd.weightGrad(gy, go, n, cout, x, xo, xs, cin, g, dw, dwo)) return;
        int rowsP = (rows + ROW_ALIGN - 1) / ROW_ALIGN * ROW_ALIGN, coutP = (cout + STRIP - 1) / STRIP * STRIP;
        if (holder[0].length < rowsP * coutP) holder[0] = new float[rowsP * coutP];
        float[] ct = holder[0];
        // Each part's cost is its rows' products plus a copy of dY^T per image: blocks of at least 64 rows.
        Parallel.forRange(rowsP / ROW_ALIGN, 64 / ROW_ALIGN, (t0, t1) -> block(gy, go, n, cout, x, xo, xs, planes, kk,
                rows, t0 * ROW_ALIGN, t1 * ROW_ALIGN, ct, coutP));
        for (int co = 0; co < cout; co++)
            for (int r = 0; r < rows; r++) dw[dwo + co * rows + r] = ct[r * coutP + co];
    }

    /** The lanes at {@code a[at ...]} added in a fixed order (reduceLanes leaves the order open; results must not depend on it). */
    private static float laneSum(float[] a, int at) {
        float sum = 0f;
        for (int i = 0; i < L; i++) sum += a[at + i];
        return sum;
    }

    /**
     * Output channels {@code [c0, c1)} of dW, every row, over every image: {@code acc[(co * rowsP + r) * L ...]} holds
     * the lane sums of {@code dW[co, r]}, and, unless {@code biasAt < 0}, {@code acc[biasAt + co * L ...]} those of
     * channel co of dY (the bias gradient), summed while the channels' rows of dY are in the L1 cache. Channels past
     * cout read channel 0 and rows past {@code rows} read row 0; both are computed and dropped.
     */
    private static void dotBlock(float[] gy, int go, int n, int cout, float[] x, int xo, int[] xs, int cin, Planes pl,
                                 int kk, int rows, int rowsP, int c0, int c1, float[] acc, int biasAt) {
        ConvGeometry g = pl.g;
        int l = g.outH() * g.outW(), full = l / L * L, ars = rowsP * L;
        VectorMask<Float> tail = S.indexInRange(full, l);
        float[] planes = SCRATCH.get().planes(g.kernelW() * cin * pl.size);
        int[] rowAt = new int[rowsP];
        for (int r = 0; r < rowsP; r++) rowAt[r] = pl.offset(r < rows ? r : 0, kk, 0, cin);
        java.util.Arrays.fill(acc, c0 * ars, c1 * ars, 0f);
        if (biasAt >= 0) java.util.Arrays.fill(acc, biasAt + c0 * L, biasAt + c1 * L, 0f);
        for (int img = 0; img < n; img++) {
            pl.copy(x, xo + img * xs[0], xs, 0, cin, planes);
            int gb = go + img * cout * l;
            for (int co = c0; co < c1; co += DOT_CHANNELS) {
                int g0 = gb + channel(co, cout) * l, g1 = gb + channel(co + 1, cout) * l;
                int g2 = gb + channel(co + 2, cout) * l, g3 = gb + channel(co + 3, cout) * l;
                for (int r = 0; r < rowsP; r += DOT_ROWS) {
                    int ao = co * ars + r * L;
                    dot4x3(full, gy, g0, g1, g2, g3, planes, rowAt[r], rowAt[r + 1], rowAt[r + 2], acc, ao, ars);
                }
                if (full < l)
                    for (int i = 0; i < DOT_CHANNELS; i++)
                        for (int r = 0; r < rowsP; r++)
                            dotTail(tail, gy, gb + channel(co + i, cout) * l + full, planes, rowAt[r] + full, acc, (co + i) * ars + r * L);
                if (biasAt >= 0) {
                    sum4(full, gy, g0, g1, g2, g3, acc, biasAt + co * L);
                    if (full < l)
                        for (int i = 0; i < DOT_CHANNELS; i++)
                            sumTail(tail, gy, gb + channel(co + i, cout) * l + full, acc, biasAt + (co + i) * L);
                }
            }
        }
    }

    private static int channel(int co, int cout) { return co < cout ? co : 0; }

    /**
     * {@code acc[ao + i * ars + j * L ...] += a_i * b_j} over positions {@code [0, full)} for dY rows a_0..a_3 at
     * {@code gy[g_i]} and column rows b_0..b_2 at {@code pl[r_j]}: 12 accumulators, 7 loads per 12 FMAs.
     */
    private static void dot4x3(int full, float[] gy, int g0, int g1, int g2, int g3,
                               float[] pl, int r0, int r1, int r2, float[] acc, int ao, int ars) {
        var c00 = FloatVector.fromArray(S, acc, ao); var c01 = FloatVector.fromArray(S, acc, ao + L);
        var c02 = FloatVector.fromArray(S, acc, ao + 2 * L);
        var c10 = FloatVector.fromArray(S, acc, ao + ars); var c11 = FloatVector.fromArray(S, acc, ao + ars + L);
        var c12 = FloatVector.fromArray(S, acc, ao + ars + 2 * L);
        var c20 = FloatVector.fromArray(S, acc, ao + 2 * ars); var c21 = FloatVector.fromArray(S, acc, ao + 2 * ars + L);
        var c22 = FloatVector.fromArray(S, acc, ao + 2 * ars + 2 * L);
        var c30 = FloatVector.fromArray(S, acc, ao + 3 * ars); var c31 = FloatVector.fromArray(S, acc, ao + 3 * ars + L);
        var c32 = FloatVector.fromArray(S, acc, ao + 3 * ars + 2 * L);
        for (int p = 0; p < full; p += L) {
            var b0 = FloatVector.fromArray(S, pl, r0 + p);
            var b1 = FloatVector.fromArray(S, pl, r1 + p);
            var b2 = FloatVector.fromArray(S, pl, r2 + p);
            var a0 = FloatVector.fromArray(S, gy, g0 + p); c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02);
            var a1 = FloatVector.fromArray(S, gy, g1 + p); c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12);
            var a2 = FloatVector.fromArray(S, gy, g2 + p); c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22);
            var a3 = FloatVector.fromArray(S, gy, g3 + p); c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32);
        }
        c00.intoArray(acc, ao); c01.intoArray(acc, ao + L); c02.intoArray(acc, ao + 2 * L);
        c10.intoArray(acc, ao + ars); c11.intoArray(acc, ao + ars + L); c12.intoArray(acc, ao + ars + 2 * L);
        c20.intoArray(acc, ao + 2 * ars); c21.intoArray(acc, ao + 2 * ars + L); c22.intoArray(acc, ao + 2 * ars + 2 * L);
        c30.intoArray(acc, ao + 3 * ars); c31.intoArray(acc, ao + 3 * ars + L); c32.intoArray(acc, ao + 3 * ars + 2 * L);
    }

    /** {@code s[so + i * L ...] += a_i} over positions {@code [0, full)} for dY rows a_0..a_3 at {@code gy[g_i]}. */
    private static void sum4(int full, float[] gy, int g0, int g1, int g2, int g3, float[] s, int so) {
        var s0 = FloatVector.fromArray(S, s, so); var s1 = FloatVector.fromArray(S, s, so + L);
        var s2 = FloatVector.fromArray(S, s, so + 2 * L); var s3 = FloatVector.fromArray(S, s, so + 3 * L);
        for (int p = 0; p < full; p += L) {
            s0 = s0.add(FloatVector.fromArray(S, gy, g0 + p)); s1 = s1.add(FloatVector.fromArray(S, gy, g1 + p));
            s2 = s2.add(FloatVector.fromArray(S, gy, g2 + p)); s3 = s3.add(FloatVector.fromArray(S, gy, g3 + p));
        }
        s0.intoArray(s, so); s1.intoArray(s, so + L); s2.intoArray(s, so + 2 * L); s3.intoArray(s, so + 3 * L);
    }

    /** The last, partial vector of {@link #sum4} for one channel. */
    private static void sumTail(VectorMask<Float> tail, float[] gy, int g, float[] s, int si) {
        FloatVector.fromArray(S, gy, g, tail).add(FloatVector.fromArray(S, s, si)).intoArray(s, si);
    }

    /**
     * The last, partial vector of positions for one channel and row. Apart from the kernels, which hold only full
     * vectors: with the masked loads in them, the 16-lane kernel outgrew C1's register allocator ("out of virtual
     * registers"), and the method then stayed in code that boxes every vector, 40 times slower, in some runs.
     */
    private static void dotTail(VectorMask<Float> tail, float[] gy, int g, float[] pl, int r, float[] acc, int ai) {
        var a = FloatVector.fromArray(S, gy, g, tail);
        a.fma(FloatVector.fromArray(S, pl, r, tail), FloatVector.fromArray(S, acc, ai)).intoArray(acc, ai);
    }

    /** Rows {@code [r0, rEnd)} of {@code dW^T} over every image (rows past {@code rows} are padding, computed and dropped). */
    private static void block(float[] gy, int go, int n, int cout, float[] x, int xo, int[] xs, Planes pl, int kk,
                              int rows, int r0, int rEnd, float[] ct, int coutP) {
        ConvGeometry g = pl.g;
        int kw = g.kernelW(), l = g.outH() * g.outW();
        int c0 = r0 / kk, c1 = (Math.min(rows, rEnd) - 1) / kk + 1, channels = c1 - c0;
        Scratch s = SCRATCH.get();
        float[] planes = s.planes(kw * channels * pl.size);
        int[] offsets = s.offsets(rEnd - r0);
        for (int r = r0; r < rEnd; r++) offsets[r - r0] = pl.offset(r < rows ? r : r0, kk, c0, channels);
        float[] bp = s.strip(KC * STRIP);
        for (int img = 0; img < n; img++) {
            pl.copy(x, xo + img * xs[0], xs, c0, channels, planes);
            for (int pc = 0; pc < l; pc += KC) {
                int kc = Math.min(KC, l - pc);
                boolean add = img > 0 || pc > 0;
                for (int j0 = 0; j0 < cout; j0 += STRIP) {
                    int nr = Math.min(STRIP, cout - j0), w = GemmKernels.inPlaceWidth(nr), tile = GemmKernels.inPlaceRows(w);
                    // dY^T rows [pc, pc + kc), columns [j0, j0 + nr): dY read down its rows (column-major B).
                    GemmPacking.packColumns(gy, go + (img * cout + j0) * l + pc, 1, l, kc, nr, w, bp, 0);
                    for (int r = r0; r < rEnd; r += tile)
                        GemmKernels.rowsAt(w, kc, planes, offsets, r - r0, pc, bp, 0, ct, r * coutP + j0, coutP, add);
                }
            }
        }
    }

    /**
     * Where the shifted planes are: for kernel column kj and channel c of a block, a plane of {@code top + inH + bottom}
     * rows of {@code inW} floats at {@code (kj * channels + c) * size}, whose row {@code top + y} holds input row y
     * shifted left by {@code kj * dilationW - padW} columns. Output position {@code p = i * outW + j} of column row
     * {@code (ci, ki, kj)} is then at {@code p + ki * dilationH * inW} of that plane.
     */
    private static final class Planes {
        final ConvGeometry g;
        final int width, top, size;

        Planes(ConvGeometry g) {
            this.g = g;
            width = g.inW();
            top = g.padH();
            int bottom = Math.max(0, g.outH() - 1 + (g.kernelH() - 1) * g.dilationH() - g.padH() - (g.inH() - 1));
            size = (top + g.inH() + bottom) * width;
        }

        /** Where column row {@code r = (ci, ki, kj)} starts in the planes of channels {@code [c0, c0 + channels)}. */
        int offset(int r, int kk, int c0, int channels) {
            int kw = g.kernelW(), ci = r / kk, ki = r % kk / kw, kj = r % kw;
            return (kj * channels + ci - c0) * size + ki * g.dilationH() * width;
        }

        /** Channels {@code [c0, c0 + channels)} of the image at {@code x[xb]} (strides xs[1..3]), once per kernel column. */
        void copy(float[] x, int xb, int[] xs, int c0, int channels, float[] planes) {
            int h = g.inH();
            for (int kj = 0; kj < g.kernelW(); kj++) {
                int dx = kj * g.dilationW() - g.padW();
                int j0 = Math.min(width, Math.max(0, -dx)), j1 = Math.max(j0, Math.min(width, width - dx));
                for (int c = 0; c < channels; c++) {
                    int base = (kj * channels + c) * size, src = xb + (c0 + c) * xs[1];
                    java.util.Arrays.fill(planes, base, base + top * width, 0f);
                    java.util.Arrays.fill(planes, base + (top + h) * width, base + size, 0f);
                    if (xs[3] == 1 && xs[2] == width) {
                        // One copy of the whole plane shifted by dx, then the columns that came from the neighbouring
                        // row (or from before the plane's start or past its end) cleared.
                        int d = base + top * width, qa = Math.max(0, -dx), qb = Math.min(h * width, h * width - dx);
                        if (qb > qa) System.arraycopy(x, src + qa + dx, planes, d + qa, qb - qa);
                        for (int y = 0, r = d; y < h; y++, r += width) {
                            for (int j = 0; j < j0; j++) planes[r + j] = 0f;
                            for (int j = j1; j < width; j++) planes[r + j] = 0f;
                        }
                        continue;
                    }
                    for (int y = 0; y < h; y++) {
                        int d = base + (top + y) * width, sr = src + y * xs[2];
                        java.util.Arrays.fill(planes, d, d + j0, 0f);
                        java.util.Arrays.fill(planes, d + j1, d + width, 0f);
                        if (j1 == j0) continue;
                        if (xs[3] == 1) System.arraycopy(x, sr + j0 + dx, planes, d + j0, j1 - j0);
                        else for (int j = j0; j < j1; j++) planes[d + j] = x[sr + (j + dx) * xs[3]];
                    }
                }
            }
        }
    }
}
