package dev.ember.backend.cpu;

import dev.ember.backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d ({@code groups = 1}, float32) as an implicit GEMM, for stride 1 with the output as wide as the input (3 x 3
 * with padding 1, 5 x 5 with padding 2, ...): for each image, {@code out[cout, L] = W[cout, R] @ cols[R, L] + bias}
 * with {@code R = cin * kh * kw} and {@code L = outH * outW}, written straight into the NCHW output. The column
 * matrix is never built: each B strip is packed from the image, because with stride 1 and equal widths a row of the
 * columns (one channel and kernel offset) is the image plane shifted by a constant, read as contiguous vectors. The
 * image is first copied into a buffer with zero rows above and below, so that vertical padding reads zeros, and
 * positions that the shift wraps into a neighbouring image row (horizontal padding) are cleared with a bit mask of
 * the strip's columns.
 *
 * <p>Against im2col + GEMM + NCHW copy-out, this drops the write and re-read of the column matrix and the copy-out
 * pass, and the images are independent tasks: no barrier between phases (docs/bench.md, "Convolution").
 * {@link #forward} hands the 3 x 3 layers that {@link Winograd#supports} to Winograd's algorithm instead, and those with
 * at most four input channels to {@link DirectConv}.
 */
final class ConvGemm {
    private ConvGemm() {}

    private static final VectorSpecies<Float> S = GemmKernels.S;
    /** Lane masks as ints of the same width: all ones keeps a float, zero clears it (0 * Inf would be NaN). */
    private static final VectorSpecies<Integer> BITS = VectorSpecies.of(int.class, S.vectorShape());
    private static final int L = GemmKernels.L;
    private static final int MR = GemmKernels.MR;
    private static final int NR = GemmKernels.NR;

    /** Whether {@link #forward} handles this geometry: stride 1 and the output as wide as the input. */
    static boolean supports(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.outW() == g.inW() && g.outH() > 0;
    }

    /** Per-thread scratch: the padded image, a packed B strip, and an edge tile ({@link DirectConv} pads into the image too). */
    static final class Scratch {
        float[] image = new float[0], strip = new float[0];
        final float[] tile = new float[MR * NR];

        float[] image(int n) { if (image.length < n) image = new float[n]; return image; }
        float[] strip(int n) { if (strip.length < n) strip = new float[n]; return strip; }
    }

    static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@code out[img, co, :, :] = sum over (ci, ki, kj) of w[co, ci, ki, kj] * x[img, ci, shifted] + bias[co]}: x is
     * {@code [n, cin, inH, inW]} with strides {@code xs}, w contiguous {@code [cout, cin, kh, kw]}, bias (or null)
     * with stride {@code biasStride}, out contiguous {@code [n, cout, outH, outW]}; out is overwritten.
     */
    static void forward(float[] x, int xo, int[] xs, int n, int cin, float[] w, int wo, int cout, float[] bias, int biasO,
                        int biasStride, ConvGeometry g, float[] out, int oo) {
        if (Winograd.supports(g, cin, cout)) Winograd.forward(x, xo, xs, n, cin, w, wo, cout, bias, biasO, biasStride, g, out, oo);
        else if (DirectConv.ENABLED && DirectConv.supports(g, cin)) DirectConv.forward(x, xo, xs, n, cin, w, wo, cout, bias, biasO, biasStride, g, out, oo);
        else implicitGemm(x, xo, xs, n, cin, w, wo, cout, bias, biasO, biasStride, g, out, oo);
    }

    /** {@link #forward} by the implicit GEMM, whatever the shape. */
    static void implicitGemm(float[] x, int xo, int[] xs, int n, int cin, float[] w, int wo, int cout, float[] bias, int biasO,
                             int biasStride, ConvGeometry g, float[] out, int oo) {
        int kh = g.kernelH(), kw = g.kernelW(), rows = cin * kh * kw, l = g.outH() * g.outW();
        Geometry geo = new Geometry(g, cin);
        // The weight is A, packed once: depth block pc at blocks[pc / kcb].
        int mTiles = (cout + MR - 1) / MR;
        int kcb = SimdGemm.depthBlock(rows);
        float[][] blocks = new float[(rows + kcb - 1) / kcb][];
        for (int pc = 0, q = 0; pc < rows; pc += kcb, q++) {
            int kc = Math.min(kcb, rows - pc);
            blocks[q] = new float[mTiles * MR * kc];
            GemmPacking.packA(w, wo + pc, rows, 1, kc, cout, 0, mTiles, blocks[q]);
        }
        // The bias as one float per row of A's tiles, added by the micro-kernel to its finished sums.
        float[] rowBias = bias == null ? null : new float[mTiles * MR];
        for (int c = 0; rowBias != null && c < cout; c++) rowBias[c] = bias[biasO + c * biasStride];
        int strips = (l + NR - 1) / NR;
        int threads = Parallel.threads();
        if (n >= threads || (long) cout * rows * l < 1_000_000L) {
            // Images are independent: each task pads one image and computes all its strips.
            Parallel.forRange(n, 1, (i0, i1) -> {
                Scratch scratch = SCRATCH.get();
                for (int img = i0; img < i1; img++) {
                    float[] padded = scratch.image(geo.size);
                    geo.pad(x, xo + img * xs[0], xs, padded);
                    for (int s = 0; s < strips; s++)
                        strip(geo, padded, blocks, mTiles, cout, rows, l, s, rowBias, out, oo + img * cout * l, scratch);
                }
            });
        } else {
            // Fewer images than threads: pad each image once, then share its strips.
            float[] padded = new float[geo.size];
            for (int img = 0; img < n; img++) {
                geo.pad(x, xo + img * xs[0], xs, padded);
                int co = oo + img * cout * l;
                Parallel.forRange(strips, 1, (s0, s1) -> {
                    Scratch scratch = SCRATCH.get();
                    for (int s = s0; s < s1; s++) strip(geo, padded, blocks, mTiles, cout, rows, l, s, rowBias, out, co, scratch);
                });
            }
        }
    }

    /**
     * Columns {@code [s*NR, s*NR + NR)} of one image's output, all depth blocks: the first block writes its sums plus
     * {@code rowBias} (null: none), the others accumulate.
     */
    private static void strip(Geometry geo, float[] padded, float[][] blocks, int mTiles, int cout, int rows, int l, int s,
                              float[] rowBias, float[] out, int co, Scratch scratch) {
        int j0 = s * NR, nr = Math.min(NR, l - j0), w = GemmKernels.stripWidth(nr);
        int kcb = SimdGemm.depthBlock(rows);
        float[] bp = scratch.strip(kcb * w);
        for (int pc = 0, q = 0; pc < rows; pc += kcb, q++) {
            int kc = Math.min(kcb, rows - pc);
            geo.packStrip(padded, pc, kc, j0, w, bp);
            SimdGemm.tiles(cout, l, kc, blocks[q], 0, 0, 0, mTiles, bp, 0, s, out, co, l, 1, pc > 0, rowBias, scratch.tile);
        }
    }

    /**
     * Where each row of the implicit column matrix reads the padded image. The padded buffer holds each channel's
     * plane with {@code padH} zero rows above and enough below, plus {@code margin} zeros on both sides, so that every
     * strip's vector loads stay inside it; {@code shift[r]} is the buffer index of column 0 of row r.
     */
    private static final class Geometry {
        final ConvGeometry g;
        final int cin, width, plane, margin, size;
        final int[] shift, maskOf;
        /** {@code masks[kj][j]}: all ones where output column {@code j % width} reads inside the image for kernel column kj. */
        final int[][] masks;

        Geometry(ConvGeometry g, int cin) {
            this.g = g;
            this.cin = cin;
            int kh = g.kernelH(), kw = g.kernelW();
            width = g.inW();
            int rowsAbove = g.padH(), rowsBelow = Math.max(0, g.outH() - 1 + (kh - 1) * g.dilationH() - g.padH() - (g.inH() - 1));
            margin = NR + kw * g.dilationW() + L;
            plane = (rowsAbove + g.inH() + rowsBelow) * width;
            size = cin * (plane + 2 * margin) + margin;
            shift = new int[cin * kh * kw];
            maskOf = new int[cin * kh * kw];
            for (int ci = 0, r = 0; ci < cin; ci++)
                for (int ki = 0; ki < kh; ki++)
                    for (int kj = 0; kj < kw; kj++, r++) {
                        shift[r] = margin + ci * (plane + 2 * margin) + ki * g.dilationH() * width + kj * g.dilationW() - g.padW();
                        int dx = kj * g.dilationW() - g.padW();
                        maskOf[r] = dx == 0 ? -1 : kj;
                    }
            // A mask row long enough for any strip start: column j of the output has x = j % width.
            int span = width + NR + L;
            masks = new int[kw][span];
            for (int kj = 0; kj < kw; kj++) {
                int dx = kj * g.dilationW() - g.padW();
                for (int j = 0; j < span; j++) {
                    int ix = j % width + dx;
                    masks[kj][j] = ix >= 0 && ix < width ? -1 : 0;
                }
            }
        }

        /** Copies image {@code x[xb ...]} (strides xs[1..3]) into {@code padded} below {@code padH} zero rows per channel. */
        void pad(float[] x, int xb, int[] xs, float[] padded) {
            java.util.Arrays.fill(padded, 0, size, 0f);
            int h = g.inH(), top = g.padH() * width;
            for (int ci = 0; ci < cin; ci++) {
                int dst = margin + ci * (plane + 2 * margin) + top, src = xb + ci * xs[1];
                if (xs[3] == 1 && xs[2] == width) System.arraycopy(x, src, padded, dst, h * width);
                else
                    for (int y = 0; y < h; y++)
                        for (int xx = 0; xx < width; xx++) padded[dst + y * width + xx] = x[src + y * xs[2] + xx * xs[3]];
            }
        }

        /** Rows {@code [r0, r0 + kc)} of the column matrix, columns {@code [j0, j0 + w)}, as a packed B strip. */
        void packStrip(float[] padded, int r0, int kc, int j0, int w, float[] bp) {
            int m0 = j0 % width;
            for (int p = 0; p < kc; p++) {
                int r = r0 + p, src = shift[r] + j0, dst = p * w, mk = maskOf[r];
                if (mk < 0) {
                    for (int v = 0; v < w; v += L) FloatVector.fromArray(S, padded, src + v).intoArray(bp, dst + v);
                } else {
                    int[] mask = masks[mk];
                    for (int v = 0; v < w; v += L) {
                        var bits = FloatVector.fromArray(S, padded, src + v).reinterpretAsInts();
                        bits.and(IntVector.fromArray(BITS, mask, m0 + v)).reinterpretAsFloats().intoArray(bp, dst + v);
                    }
                }
            }
        }
    }
}
