package dev.ember.backend.cpu;

import dev.ember.backend.ConvGeometry;

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
 * is packed strip by strip with register transposes ({@link GemmPacking#packStrip}).
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
    private static final int STRIP = GemmKernels.WIDE ? GemmKernels.NR : 4 * L;
    private static final int KC = Integer.getInteger("ember.wg.kc", 512);

    /** Per-thread scratch: the shifted planes of one image, a packed B strip, column rows, the row offsets of a block. */
    private static final class Scratch {
        float[] planes = new float[0], strip = new float[0], cols = new float[0];
        int[] offsets = new int[0];

        float[] planes(int n) { if (planes.length < n) planes = new float[n]; return planes; }
        float[] strip(int n) { if (strip.length < n) strip = new float[n]; return strip; }
        float[] cols(int n) { if (cols.length < n) cols = new float[n]; return cols; }
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
        if (Winograd.supports(g, cin, cout) && Winograd.weightGrad(gy, go, n, cout, x, xo, xs, cin, g, dw, dwo)) return;
        int kk = g.kernelH() * g.kernelW(), rows = cin * kk;
        Planes planes = new Planes(g);
        float[][] holder = ACCUMULATORS.get();
        if (rows <= STRIP && rows < cout) {
            // Few rows (a first layer: cin = 1 or 3): dW [cout, rows] = dY [cout, L] @ cols^T [L, rows], with dY read in
            // place and only the smaller cols transposed.
            int w = GemmKernels.stripWidth(rows), coutP = (cout + ROW_ALIGN - 1) / ROW_ALIGN * ROW_ALIGN;
            if (holder[0].length < coutP * w) holder[0] = new float[coutP * w];
            float[] c = holder[0];
            Parallel.forRange(coutP / ROW_ALIGN, 2, (t0, t1) -> narrowBlock(gy, go, n, cout, x, xo, xs, cin, planes, kk, rows, w,
                    t0 * ROW_ALIGN, t1 * ROW_ALIGN, c));
            for (int co = 0; co < cout; co++) System.arraycopy(c, co * w, dw, dwo + co * rows, rows);
            return;
        }
        int rowsP = (rows + ROW_ALIGN - 1) / ROW_ALIGN * ROW_ALIGN, coutP = (cout + STRIP - 1) / STRIP * STRIP;
        if (holder[0].length < rowsP * coutP) holder[0] = new float[rowsP * coutP];
        float[] ct = holder[0];
        // Each part's cost is its rows' products plus a copy of dY^T per image: blocks of at least 64 rows.
        Parallel.forRange(rowsP / ROW_ALIGN, 64 / ROW_ALIGN, (t0, t1) -> block(gy, go, n, cout, x, xo, xs, planes, kk,
                rows, t0 * ROW_ALIGN, t1 * ROW_ALIGN, ct, coutP));
        for (int co = 0; co < cout; co++)
            for (int r = 0; r < rows; r++) dw[dwo + co * rows + r] = ct[r * coutP + co];
    }

    /**
     * Output channels {@code [o0, oEnd)} of {@code dW} ({@code [coutP, w]} at {@code c}; channels past cout read
     * channel 0 and are dropped), over every image: the column rows are copied from the shifted planes and transposed
     * into a packed B block {@code w} wide, zeros past {@code rows}.
     */
    private static void narrowBlock(float[] gy, int go, int n, int cout, float[] x, int xo, int[] xs, int cin, Planes pl,
                                    int kk, int rows, int w, int o0, int oEnd, float[] c) {
        ConvGeometry g = pl.g;
        int kw = g.kernelW(), l = g.outH() * g.outW(), tile = GemmKernels.inPlaceRows(w);
        Scratch s = SCRATCH.get();
        float[] planes = s.planes(kw * cin * pl.size), bp = s.strip(KC * w), cols = s.cols(w * KC);
        java.util.Arrays.fill(cols, rows * KC, w * KC, 0f);
        int[] offsets = s.offsets(Math.max(oEnd - o0, rows));
        int[] rowAt = new int[rows];
        for (int r = 0; r < rows; r++) rowAt[r] = pl.offset(r, kk, 0, cin);
        for (int co = o0; co < oEnd; co++) offsets[co - o0] = (co < cout ? co : 0) * l;
        for (int img = 0; img < n; img++) {
            pl.copy(x, xo + img * xs[0], xs, 0, cin, planes);
            for (int pc = 0; pc < l; pc += KC) {
                int kc = Math.min(KC, l - pc);
                // The block's column rows side by side, then transposed in registers into the packed B block.
                // (w rows, the ones past `rows` zero, so that whole vectors go through the transposes)
                for (int r = 0; r < rows; r++) System.arraycopy(planes, rowAt[r] + pc, cols, r * KC, kc);
                GemmPacking.packStrip(cols, 0, 1, KC, kc, w, 0, bp, 0);
                boolean add = img > 0 || pc > 0;
                for (int co = o0; co < oEnd; co += tile)
                    GemmKernels.rowsAt(w, kc, gy, offsets, co - o0, go + img * cout * l + pc, bp, 0, c, co * w, w, add);
            }
        }
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
                    int nr = Math.min(STRIP, cout - j0), w = GemmKernels.stripWidth(nr), tile = GemmKernels.inPlaceRows(w);
                    // dY^T rows [pc, pc + kc), columns [j0, j0 + nr): dY read down its rows (column-major B).
                    GemmPacking.packStrip(gy, go + (img * cout + j0) * l + pc, 1, l, kc, nr, 0, bp, 0);
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
