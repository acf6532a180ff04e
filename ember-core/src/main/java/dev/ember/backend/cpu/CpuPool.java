package dev.ember.backend.cpu;

import dev.ember.backend.ConvGeometry;
import dev.ember.backend.Strided;

/**
 * Fused 2-D max pooling, one pass each way, parallel over (image, channel) planes. The pick in each
 * window is the composed path's ({@code unfold} then {@code max(dim)}): the first NaN, else the first
 * maximum in row-major window order. It is always an input element: a window whose inputs are all -inf
 * picks its first input, as PyTorch does, where the composed path may pick a padding -inf before it.
 */
final class CpuPool {
    private CpuPool() {}

    /** Elements of work per parallel part, as in {@link CpuConv}. */
    private static final int GRAIN = 4096;

    static boolean maxPool2d(Strided x, ConvGeometry g, Strided out, Strided indices) {
        Object xa = CpuBackend.arr(x), oa = CpuBackend.arr(out);
        if (!(CpuBackend.arr(indices) instanceof int[] ia) || xa.getClass() != oa.getClass()
                || !(xa instanceof float[] || xa instanceof double[]) || g.dilationH() != 1 || g.dilationW() != 1) return false;
        int n = x.shape32()[0], c = x.shape32()[1], l = g.outH() * g.outW();
        int[] xs = x.strides32();
        boolean pairs = xa instanceof float[] && Simd.AVAILABLE && g.kernelH() == 2 && g.kernelW() == 2 && g.strideH() == 2
                && g.strideW() == 2 && g.padH() == 0 && g.padW() == 0 && xs[3] == 1;
        Parallel.forRange(n * c, Math.max(1, GRAIN / Math.max(1, l * g.kernelH() * g.kernelW())), (p0, p1) -> {
            // per-part scratch for the SIMD path: the running maxima, their window offsets, one window offset's inputs
            float[] best = null, slice = null, lastOut = pairs ? new float[64] : null;
            int[] pick = null, corner = null, lastIdx = pairs ? new int[64] : null;
            if (!pairs && xa instanceof float[] && Simd.AVAILABLE) {
                best = new float[l];
                slice = new float[l];
                pick = new int[l];
                corner = corners(g);
            }
            for (int p = p0; p < p1; p++) {
                int xBase = x.offset32() + (p / c) * xs[0] + (p % c) * xs[1];
                int o = out.offset32() + p * l, io = indices.offset32() + p * l;
                if (pairs) SimdKernels.maxPool2x2((float[]) xa, xBase, xs[2], g, (float[]) oa, o, ia, io, lastOut, lastIdx);
                else if (best != null) planeMaxSimd((float[]) xa, xBase, xs[2], xs[3], g, corner, best, pick, slice, (float[]) oa, o, ia, io);
                else if (xa instanceof float[] xf) planeMax(xf, xBase, xs[2], xs[3], g, (float[]) oa, o, ia, io);
                else planeMax((double[]) xa, xBase, xs[2], xs[3], g, (double[]) oa, o, ia, io);
            }
        });
        return true;
    }

    /** Each output's window corner {@code ih0 * w + iw0} as a flat position in the plane (negative in the padding). */
    private static int[] corners(ConvGeometry g) {
        int ow = g.outW();
        int[] corner = new int[g.outH() * ow];
        for (int i = 0; i < g.outH(); i++)
            for (int j = 0; j < ow; j++) corner[i * ow + j] = (i * g.strideH() - g.padH()) * g.inW() + j * g.strideW() - g.padW();
        return corner;
    }

    /**
     * One plane, float32 with SIMD. For each window offset in row-major order, its inputs for every
     * output are copied into {@code slice} (-inf where the offset falls in the padding), then merged
     * into the running maxima by the vector arg-max step of the composed path's {@code max(dim)}, so
     * ties and NaN resolve as there.
     */
    private static void planeMaxSimd(float[] x, int xBase, int sh, int sw, ConvGeometry g, int[] corner, float[] best,
                                     int[] pick, float[] slice, float[] out, int o, int[] idx, int io) {
        int h = g.inH(), w = g.inW(), oh = g.outH(), ow = g.outW(), kw = g.kernelW(), l = oh * ow;
        java.util.Arrays.fill(pick, 0);
        for (int k = 0; k < g.kernelH() * kw; k++) {
            int ki = k / kw, kj = k % kw, off = kj - g.padW(), s = g.strideW();
            float[] dst = k == 0 ? best : slice;
            // the outputs j whose input column j*s + off lies inside the image, as in CpuConv.im2col
            int j0 = Math.min(ow, Math.max(0, -Math.floorDiv(off, s)));
            int j1 = Math.max(j0, Math.min(ow, Math.floorDiv(w - 1 - off, s) + 1));
            for (int i = 0; i < oh; i++) {
                int ih = i * g.strideH() - g.padH() + ki, d = i * ow;
                if (ih < 0 || ih >= h) {
                    java.util.Arrays.fill(dst, d, d + ow, Float.NEGATIVE_INFINITY);
                    continue;
                }
                if (j0 > 0) java.util.Arrays.fill(dst, d, d + j0, Float.NEGATIVE_INFINITY);
                if (j1 < ow) java.util.Arrays.fill(dst, d + j1, d + ow, Float.NEGATIVE_INFINITY);
                int src = xBase + ih * sh + off * sw;
                for (int j = j0; j < j1; j++) dst[d + j] = x[src + j * s * sw];
            }
            // the label is the offset's flat distance from the window's corner (see corners)
            if (k > 0) SimdKernels.argExtremeStep(best, pick, slice, 0, l, ki * w + kj, true);
        }
        System.arraycopy(best, 0, out, o, l);
        for (int q = 0; q < l; q++) idx[io + q] = corner[q] + pick[q];
        if (g.padH() == 0 && g.padW() == 0) return;
        // Only an all -inf window can pick padding; it takes its first input element, as PyTorch does.
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
                if (best[i * ow + j] == Float.NEGATIVE_INFINITY)
                    idx[io + i * ow + j] = Math.max(0, i * g.strideH() - g.padH()) * w + Math.max(0, j * g.strideW() - g.padW());
    }

    /** One plane, float32 without SIMD: each window scanned in row-major order over its in-image part. */
    private static void planeMax(float[] x, int xBase, int sh, int sw, ConvGeometry g, float[] out, int o, int[] idx, int io) {
        int h = g.inH(), w = g.inW(), ow = g.outW();
        for (int i = 0; i < g.outH(); i++) {
            int ih0 = i * g.strideH() - g.padH(), r0 = Math.max(0, ih0), r1 = Math.min(h, ih0 + g.kernelH());
            for (int j = 0; j < ow; j++) {
                int iw0 = j * g.strideW() - g.padW(), c0 = Math.max(0, iw0), c1 = Math.min(w, iw0 + g.kernelW());
                int best = r0 * w + c0;
                float b = x[xBase + r0 * sh + c0 * sw];
                scan:
                for (int r = r0; r < r1 && b == b; r++)
                    for (int col = c0; col < c1; col++) {
                        float v = x[xBase + r * sh + col * sw];
                        if (!(v <= b)) { // greater, or NaN: the first NaN wins and ends the scan
                            b = v;
                            best = r * w + col;
                            if (v != v) break scan;
                        }
                    }
                out[o + i * ow + j] = b;
                idx[io + i * ow + j] = best;
            }
        }
    }

    /** One plane, float64: the same loop as the float32 one (written twice so each reads its array directly). */
    private static void planeMax(double[] x, int xBase, int sh, int sw, ConvGeometry g, double[] out, int o, int[] idx, int io) {
        int h = g.inH(), w = g.inW(), ow = g.outW();
        for (int i = 0; i < g.outH(); i++) {
            int ih0 = i * g.strideH() - g.padH(), r0 = Math.max(0, ih0), r1 = Math.min(h, ih0 + g.kernelH());
            for (int j = 0; j < ow; j++) {
                int iw0 = j * g.strideW() - g.padW(), c0 = Math.max(0, iw0), c1 = Math.min(w, iw0 + g.kernelW());
                int best = r0 * w + c0;
                double b = x[xBase + r0 * sh + c0 * sw];
                scan:
                for (int r = r0; r < r1 && b == b; r++)
                    for (int col = c0; col < c1; col++) {
                        double v = x[xBase + r * sh + col * sw];
                        if (!(v <= b)) {
                            b = v;
                            best = r * w + col;
                            if (v != v) break scan;
                        }
                    }
                out[o + i * ow + j] = b;
                idx[io + i * ow + j] = best;
            }
        }
    }

    static boolean maxPool2dBackward(Strided grad, Strided indices, ConvGeometry g, Strided dx) {
        Object ga = CpuBackend.arr(grad), da = CpuBackend.arr(dx);
        if (!(CpuBackend.arr(indices) instanceof int[] ia) || ga.getClass() != da.getClass()
                || !(ga instanceof float[] || ga instanceof double[])) return false;
        int n = dx.shape32()[0], c = dx.shape32()[1], hw = g.inH() * g.inW(), oh = g.outH(), ow = g.outW();
        int[] gs = grad.strides32();
        // 2 x 2 windows at stride 2 without padding cover each input element at most once: every element is written
        // once, with its gradient or zero, instead of zeroing the plane and adding into it.
        boolean pairs = ga instanceof float[] && g.kernelH() == 2 && g.kernelW() == 2 && g.strideH() == 2 && g.strideW() == 2
                && g.padH() == 0 && g.padW() == 0;
        // Planes are disjoint, so parallel parts never add into the same element.
        Parallel.forRange(n * c, Math.max(1, GRAIN / Math.max(1, oh * ow)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int gBase = grad.offset32() + (p / c) * gs[0] + (p % c) * gs[1];
                int io = indices.offset32() + p * oh * ow, d = dx.offset32() + p * hw;
                if (pairs) {
                    unpool2x2((float[]) ga, gBase, gs[2], gs[3], ia, io, g, (float[]) da, d);
                    continue;
                }
                if (da instanceof float[] df) java.util.Arrays.fill(df, d, d + hw, 0f);
                else java.util.Arrays.fill((double[]) da, d, d + hw, 0.0);
                for (int i = 0; i < oh; i++) {
                    int src = gBase + i * gs[2], at = io + i * ow;
                    if (ga instanceof float[] gf && da instanceof float[] df)
                        for (int j = 0; j < ow; j++) df[d + ia[at + j]] += gf[src + j * gs[3]];
                    else if (ga instanceof double[] gd && da instanceof double[] dd)
                        for (int j = 0; j < ow; j++) dd[d + ia[at + j]] += gd[src + j * gs[3]];
                }
            }
        });
        return true;
    }

    /**
     * One plane's gradient of 2 x 2, stride 2 pooling: the windows do not overlap, so each pick receives exactly one
     * gradient element; the plane is zeroed (in cache, just before) and the picks written.
     */
    private static void unpool2x2(float[] grad, int gBase, int gRow, int gCol, int[] idx, int io, ConvGeometry g, float[] dx, int d) {
        int oh = g.outH(), ow = g.outW();
        java.util.Arrays.fill(dx, d, d + g.inH() * g.inW(), 0f);
        for (int i = 0; i < oh; i++) {
            int at = io + i * ow, src = gBase + i * gRow;
            for (int j = 0; j < ow; j++) dx[d + idx[at + j]] = grad[src + j * gCol];
        }
    }
}
