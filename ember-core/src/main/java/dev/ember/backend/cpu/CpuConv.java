package dev.ember.backend.cpu;

import dev.ember.backend.ConvGeometry;
import dev.ember.backend.Strided;

/**
 * im2col and its adjoint col2im, parallel over (image, channel) planes; and the fused conv2d forward and input
 * gradient ({@link ConvGemm}) where they apply.
 */
final class CpuConv {
    private CpuConv() {}

    /**
     * Whether the fused kernels serve this geometry: float32 with SIMD, stride 1 and the output as wide as the
     * input (same padding), where an image row of the columns is the plane shifted by a constant.
     */
    private static boolean fused(ConvGeometry g, Object... arrays) {
        if (!Simd.AVAILABLE || g.strideH() != 1 || g.strideW() != 1 || g.outW() != g.inW() || g.outH() <= 0) return false;
        for (Object a : arrays) if (a != null && !(a instanceof float[])) return false;
        return true;
    }

    private static boolean contiguous(Strided t) {
        int[] shape = t.shape32(), st = t.strides32();
        for (int d = shape.length - 1, want = 1; d >= 0; want *= shape[d], d--) if (shape[d] > 1 && st[d] != want) return false;
        return true;
    }

    /** {@link dev.ember.backend.FusedConv#conv2d}: the implicit GEMM of {@link ConvGemm}, or false. */
    static boolean conv2d(Strided x, Strided w, Strided bias, ConvGeometry g, Strided out) {
        if (!fused(g, CpuBackend.arr(x), CpuBackend.arr(w), bias == null ? null : CpuBackend.arr(bias), CpuBackend.arr(out))
                || !contiguous(w) || !contiguous(out)) return false;
        int[] xs = x.shape32();
        ConvGemm.forward((float[]) CpuBackend.arr(x), x.offset32(), x.strides32(), xs[0], xs[1], (float[]) CpuBackend.arr(w), w.offset32(),
                w.shape32()[0], bias == null ? null : (float[]) CpuBackend.arr(bias), bias == null ? 0 : bias.offset32(),
                bias == null ? 0 : bias.strides32()[0], g, (float[]) CpuBackend.arr(out), out.offset32());
        return true;
    }

    /**
     * {@link dev.ember.backend.FusedConv#conv2dInputGrad}: with stride 1, the input gradient is itself a convolution of
     * the output gradient, with the kernel flipped in both axes and its channel axes swapped, and padding
     * {@code dilation * (k - 1) - pad} (the same width again).
     */
    static boolean conv2dInputGrad(Strided grad, Strided w, ConvGeometry g, Strided dx) {
        if (!fused(g, CpuBackend.arr(grad), CpuBackend.arr(w), CpuBackend.arr(dx)) || !contiguous(w) || !contiguous(dx)) return false;
        int kh = g.kernelH(), kw = g.kernelW();
        int padH = g.dilationH() * (kh - 1) - g.padH(), padW = g.dilationW() * (kw - 1) - g.padW();
        if (padH < 0 || padW < 0) return false;
        ConvGeometry t = new ConvGeometry(g.outH(), g.outW(), kh, kw, 1, 1, padH, padW, g.dilationH(), g.dilationW());
        if (t.outH() != g.inH() || t.outW() != g.inW()) return false;
        int cout = w.shape32()[0], cin = w.shape32()[1], kk = kh * kw;
        float[] wf = (float[]) CpuBackend.arr(w), flipped = new float[cin * cout * kk];
        for (int co = 0; co < cout; co++)
            for (int ci = 0; ci < cin; ci++)
                for (int q = 0; q < kk; q++) flipped[(ci * cout + co) * kk + (kk - 1 - q)] = wf[w.offset32() + (co * cin + ci) * kk + q];
        int[] gs = grad.shape32();
        ConvGemm.forward((float[]) CpuBackend.arr(grad), grad.offset32(), grad.strides32(), gs[0], cout, flipped, 0, cin, null, 0, 0, t,
                (float[]) CpuBackend.arr(dx), dx.offset32());
        return true;
    }

    /** {@link dev.ember.backend.FusedConv#conv2dWeightGrad}: {@link ConvWeightGrad}, or false. */
    static boolean conv2dWeightGrad(Strided grad, Strided x, ConvGeometry g, Strided dw) {
        return weightGrad(grad, x, g, dw, null);
    }

    /**
     * {@link dev.ember.backend.FusedConv#conv2dWeightAndBiasGrad}: {@link ConvWeightGrad} where it forms the weight gradient
     * as dot products (few column rows), which sum the bias gradient in the same pass; false otherwise.
     */
    static boolean conv2dWeightAndBiasGrad(Strided grad, Strided x, ConvGeometry g, Strided dw, Strided db) {
        return weightGrad(grad, x, g, dw, db);
    }

    private static boolean weightGrad(Strided grad, Strided x, ConvGeometry g, Strided dw, Strided db) {
        if (!fused(g, CpuBackend.arr(grad), CpuBackend.arr(x), CpuBackend.arr(dw), db == null ? null : CpuBackend.arr(db))
                || !contiguous(grad) || !contiguous(dw) || (db != null && !contiguous(db))) return false;
        int[] gs = grad.shape32(), xs = x.shape32();
        if (gs[0] == 0 || gs[1] == 0 || xs[1] == 0 || gs[2] * gs[3] == 0) return false;
        if (db != null && !ConvWeightGrad.dotProducts(xs[1] * g.kernelH() * g.kernelW(), gs[1])) return false;
        ConvWeightGrad.compute((float[]) CpuBackend.arr(grad), grad.offset32(), gs[0], gs[1], (float[]) CpuBackend.arr(x), x.offset32(),
                x.strides32(), xs[1], g, (float[]) CpuBackend.arr(dw), dw.offset32(), db == null ? null : (float[]) CpuBackend.arr(db),
                db == null ? 0 : db.offset32());
        return true;
    }

    static void im2col(Strided x, ConvGeometry g, double padValue, Strided cols) {
        int n = x.shape32()[0], c = x.shape32()[1];
        int[] xs = x.strides32(), cs = cols.strides32();
        int oh = g.outH(), ow = g.outW(), kh = g.kernelH(), kw = g.kernelW(), l = oh * ow;
        Object xa = CpuBackend.arr(x), ca = CpuBackend.arr(cols);
        // cols may be any view (the conv layer passes a [n, c*kh*kw, L] view of a [c*kh*kw, n, L] buffer);
        // its L axis must be unit-stride.
        if (cs[2] != 1 && l > 1) throw new IllegalArgumentException("im2col: the columns' last axis must be contiguous");
        // Stride 1 with "same" width and contiguous input rows: each kernel offset's column row is the input
        // plane shifted by a constant, so it is one long copy plus padding at the edges.
        boolean flat = g.strideH() == 1 && g.strideW() == 1 && ow == g.inW() && xs[3] == 1 && xs[2] == g.inW();
        Parallel.forRange(n * c, Math.max(1, 4096 / Math.max(1, l * kh * kw)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int img = p / c, ch = p % c;
                int xBase = x.offset32() + img * xs[0] + ch * xs[1];
                for (int ki = 0; ki < kh; ki++)
                    for (int kj = 0; kj < kw; kj++) {
                        int row = (ch * kh + ki) * kw + kj;
                        int dst = cols.offset32() + img * cs[0] + row * cs[1];
                        // output columns j whose input column j*sw + off lies inside the image
                        int sw = g.strideW(), off = kj * g.dilationW() - g.padW();
                        int j0 = Math.min(ow, Math.max(0, -Math.floorDiv(off, sw)));
                        int j1 = Math.max(j0, Math.min(ow, Math.floorDiv(g.inW() - 1 - off, sw) + 1));
                        if (flat && xa instanceof float[] xf && ca instanceof float[] cf) {
                            shiftedPlane(xf, xBase, cf, dst, oh, ow, g.inH(), ki * g.dilationH() - g.padH(), off, j0, j1, (float) padValue);
                            continue;
                        }
                        for (int i = 0; i < oh; i++) {
                            int ih = i * g.strideH() - g.padH() + ki * g.dilationH();
                            boolean rowIn = ih >= 0 && ih < g.inH();
                            int d0 = dst + i * ow;
                            if (xa instanceof float[] xf && ca instanceof float[] cf) {
                                float pad = (float) padValue;
                                if (!rowIn) {
                                    java.util.Arrays.fill(cf, d0, d0 + ow, pad);
                                    continue;
                                }
                                java.util.Arrays.fill(cf, d0, d0 + j0, pad);
                                java.util.Arrays.fill(cf, d0 + j1, d0 + ow, pad);
                                int src = xBase + ih * xs[2] + off * xs[3];
                                // No column inside (a window wider than the input, held by padding): src + j0 may
                                // then be negative, which arraycopy refuses even for a length of 0.
                                if (j1 == j0) continue;
                                if (sw == 1 && xs[3] == 1) System.arraycopy(xf, src + j0, cf, d0 + j0, j1 - j0);
                                else for (int j = j0; j < j1; j++) cf[d0 + j] = xf[src + j * sw * xs[3]];
                            } else {
                                for (int j = 0; j < ow; j++) {
                                    int iw = j * g.strideW() - g.padW() + kj * g.dilationW();
                                    boolean in = rowIn && iw >= 0 && iw < g.inW();
                                    Elements.setD(ca, d0 + j, in ? Elements.getD(xa, xBase + ih * xs[2] + iw * xs[3]) : padValue);
                                }
                            }
                        }
                    }
            }
        });
    }

    /**
     * One column row for stride 1 when the output is as wide as the input ({@code ow == w}): output pixel
     * {@code (i, j)} reads input {@code (i + dy, j + dx)}, a constant flat offset. Output rows {@code [r0, r1)}
     * and columns {@code [j0, j1)} are inside the input; the rest is padding.
     */
    private static void shiftedPlane(float[] x, int xBase, float[] c, int dst, int oh, int ow, int h, int dy, int dx,
                                     int j0, int j1, float pad) {
        int r0 = Math.min(oh, Math.max(0, -dy)), r1 = Math.max(r0, Math.min(oh, h - dy));
        if (j1 <= j0) r1 = r0;
        java.util.Arrays.fill(c, dst, dst + r0 * ow, pad);
        java.util.Arrays.fill(c, dst + r1 * ow, dst + oh * ow, pad);
        if (r1 == r0) return;
        int q0 = r0 * ow + j0, q1 = (r1 - 1) * ow + j1;
        System.arraycopy(x, xBase + q0 + dy * ow + dx, c, dst + q0, q1 - q0);
        // Columns outside [j0, j1) were copied from the neighbouring input row: overwrite them with padding.
        if (j0 > 0 || j1 < ow) {
            for (int i = r0; i < r1; i++) {
                int d = dst + i * ow;
                for (int j = 0; j < j0; j++) c[d + j] = pad;
                for (int j = j1; j < ow; j++) c[d + j] = pad;
            }
        }
    }

    static void col2im(Strided cols, ConvGeometry g, Strided x) {
        int n = x.shape32()[0], c = x.shape32()[1], h = g.inH(), w = g.inW();
        int oh = g.outH(), ow = g.outW(), kh = g.kernelH(), kw = g.kernelW(), l = oh * ow;
        Object xa = CpuBackend.arr(x), ca = CpuBackend.arr(cols);
        int[] cs = cols.strides32();
        boolean flat = g.strideH() == 1 && g.strideW() == 1 && ow == w && (cs[2] == 1 || l == 1)
                && xa instanceof float[] && ca instanceof float[];
        Parallel.forRange(n * c, Math.max(1, 4096 / Math.max(1, l * kh * kw)), (p0, p1) -> {
            float[] saved = flat ? new float[l] : null;
            for (int p = p0; p < p1; p++) {
                int img = p / c, ch = p % c;
                int xBase = x.offset32() + (img * c + ch) * h * w;
                for (int ki = 0; ki < kh; ki++)
                    for (int kj = 0; kj < kw; kj++) {
                        int row = (ch * kh + ki) * kw + kj;
                        int src = cols.offset32() + img * cs[0] + row * cs[1];
                        // the valid output columns for this kernel column, so the inner loop has no bounds test
                        int sw = g.strideW(), off = kj * g.dilationW() - g.padW();
                        int j0 = Math.max(0, -Math.floorDiv(off, sw)), j1 = Math.min(ow, Math.floorDiv(w - 1 - off, sw) + 1);
                        if (flat) {
                            addShiftedPlane((float[]) ca, src, (float[]) xa, xBase, oh, ow, h, ki * g.dilationH() - g.padH(), off,
                                    j0, j1, saved);
                            continue;
                        }
                        for (int i = 0; i < oh; i++) {
                            int ih = i * g.strideH() - g.padH() + ki * g.dilationH();
                            if (ih < 0 || ih >= h) continue;
                            int srow = src + i * ow * cs[2], drow = xBase + ih * w + off;
                            if (xa instanceof float[] xf && ca instanceof float[] cf) {
                                if (sw == 1 && cs[2] == 1) addRow(xf, drow + j0, cf, srow + j0, j1 - j0);
                                else for (int j = j0; j < j1; j++) xf[drow + j * sw] += cf[srow + j * cs[2]];
                            } else {
                                for (int j = j0; j < j1; j++) {
                                    int sIdx = srow + j * cs[2], d = drow + j * sw;
                                    Elements.setD(xa, d, Elements.getD(xa, d) + Elements.getD(ca, sIdx));
                                }
                            }
                        }
                    }
            }
        });
    }

    /**
     * The adjoint of {@link #shiftedPlane}: adds one column row into the input plane as one long vectorizable
     * add over the flat range. Positions of that range whose column is padding land on a neighbouring input
     * row; their values are saved before and put back after, so they receive nothing.
     */
    private static void addShiftedPlane(float[] c, int src, float[] x, int xBase, int oh, int ow, int h, int dy, int dx,
                                        int j0, int j1, float[] saved) {
        int r0 = Math.min(oh, Math.max(0, -dy)), r1 = Math.max(r0, Math.min(oh, h - dy));
        if (j1 <= j0 || r1 == r0) return;
        int q0 = r0 * ow + j0, q1 = (r1 - 1) * ow + j1, base = xBase + dy * ow + dx;
        boolean edges = j0 > 0 || j1 < ow;
        int k = 0;
        if (edges) {
            for (int i = r0; i < r1; i++) {
                int q = i * ow;
                if (i > r0) for (int j = 0; j < j0; j++) saved[k++] = x[base + q + j];
                if (i < r1 - 1) for (int j = j1; j < ow; j++) saved[k++] = x[base + q + j];
            }
        }
        addRow(x, base + q0, c, src + q0, q1 - q0);
        if (edges) {
            k = 0;
            for (int i = r0; i < r1; i++) {
                int q = i * ow;
                if (i > r0) for (int j = 0; j < j0; j++) x[base + q + j] = saved[k++];
                if (i < r1 - 1) for (int j = j1; j < ow; j++) x[base + q + j] = saved[k++];
            }
        }
    }

    /** {@code x[xo ..] += c[co ..]} over {@code len} floats, a loop simple enough for the JIT to vectorize. */
    private static void addRow(float[] x, int xo, float[] c, int co, int len) {
        for (int j = 0; j < len; j++) x[xo + j] += c[co + j];
    }
}
