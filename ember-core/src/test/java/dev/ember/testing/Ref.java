package dev.ember.testing;

import dev.ember.Tensor;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.ToDoubleFunction;

/**
 * A plain float64 n-d array with naive, obviously-correct implementations of the ops:
 * the independent reference the conformance tests compare Ember against.
 */
public final class Ref {
    public final double[] v;
    public final int[] shape;

    public Ref(double[] v, int... shape) {
        this.v = v;
        this.shape = shape;
        if (numel(shape) != v.length) throw new IllegalArgumentException("Ref: " + v.length + " values for shape " + Arrays.toString(shape));
    }

    public static Ref of(Tensor t) {
        long[] s = t.shape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) shape[i] = (int) s[i];
        return new Ref(t.toDoubleArray(), shape);
    }

    public static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    public static int[] strides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) { st[d] = s; s *= shape[d]; }
        return st;
    }

    /** The multi-index of flat position {@code flat} in a row-major {@code shape}. */
    public static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % Math.max(1, shape[d]);
            flat /= Math.max(1, shape[d]);
        }
        return idx;
    }

    public double at(int... idx) {
        int off = 0, s = 1;
        for (int d = shape.length - 1; d >= 0; d--) { off += idx[d] * s; s *= shape[d]; }
        return v[off];
    }

    /** Element at a multi-index of a broadcast shape (trailing alignment, size-1 dims repeat). */
    public double atBroadcast(int[] idx) {
        int lead = idx.length - shape.length;
        int off = 0, s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            int i = shape[d] == 1 ? 0 : idx[lead + d];
            off += i * s;
            s *= shape[d];
        }
        return v[off];
    }

    public static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    public Ref map(DoubleUnaryOperator f) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) o[i] = f.applyAsDouble(v[i]);
        return new Ref(o, shape);
    }

    public static Ref zip(Ref a, Ref b, DoubleBinaryOperator f) {
        int[] shape = broadcast(a.shape, b.shape);
        int[] sa = broadcastStrides(a.shape, shape), sb = broadcastStrides(b.shape, shape);
        double[] o = new double[numel(shape)];
        int[] idx = new int[shape.length];
        for (int i = 0; i < o.length; i++) {
            int oa = 0, ob = 0;
            for (int d = 0; d < shape.length; d++) { oa += idx[d] * sa[d]; ob += idx[d] * sb[d]; }
            o[i] = f.applyAsDouble(a.v[oa], b.v[ob]);
            increment(idx, shape);
        }
        return new Ref(o, shape);
    }

    /** Row-major strides of {@code shape} read as broadcast to {@code target} (0 where a dim repeats). */
    public static int[] broadcastStrides(int[] shape, int[] target) {
        int[] st = strides(shape), out = new int[target.length];
        int lead = target.length - shape.length;
        for (int d = 0; d < shape.length; d++) out[lead + d] = shape[d] == 1 ? 0 : st[d];
        return out;
    }

    /** Advances a row-major multi-index by one. */
    public static void increment(int[] idx, int[] shape) {
        for (int d = shape.length - 1; d >= 0; d--) {
            if (++idx[d] < shape[d]) return;
            idx[d] = 0;
        }
    }

    public static long[] toLong(int[] shape) {
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) out[i] = shape[i];
        return out;
    }

    /** Reduces {@code dims} (sorted, distinct) with {@code f} over the values of each output position. */
    public Ref reduce(int[] dims, boolean keepDim, ToDoubleFunction<double[]> f) {
        boolean[] red = new boolean[shape.length];
        for (int d : dims) red[d] = true;
        int[] kept = shape.clone();
        for (int d : dims) kept[d] = 1;
        int outN = numel(kept);
        int rN = 1;
        for (int d : dims) rN *= shape[d];
        double[][] groups = new double[outN][rN];
        int[] fill = new int[outN];
        int[] keptStrides = strides(kept);
        int[] idx = new int[shape.length];
        for (int i = 0; i < v.length; i++) {
            int o = 0;
            for (int d = 0; d < shape.length; d++) if (!red[d]) o += idx[d] * keptStrides[d];
            groups[o][fill[o]++] = v[i];
            increment(idx, shape);
        }
        double[] out = new double[outN];
        for (int o = 0; o < outN; o++) out[o] = f.applyAsDouble(groups[o]);
        int[] outShape;
        if (keepDim) outShape = kept;
        else {
            outShape = new int[shape.length - dims.length];
            for (int d = 0, k = 0; d < shape.length; d++) if (!red[d]) outShape[k++] = shape[d];
        }
        return new Ref(out, outShape);
    }

    /** {@code [.., m, k] @ [.., k, n]} with broadcast batch dims (both at least 2-D). */
    public static Ref matmul(Ref a, Ref b) {
        int ra = a.shape.length, rb = b.shape.length;
        int m = a.shape[ra - 2], k = a.shape[ra - 1], n = b.shape[rb - 1];
        int[] batchA = Arrays.copyOf(a.shape, ra - 2), batchB = Arrays.copyOf(b.shape, rb - 2);
        int[] batch = broadcast(batchA, batchB);
        int[] sa = broadcastStrides(batchA, batch), sb = broadcastStrides(batchB, batch);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        double[] o = new double[numel(outShape)];
        int[] idx = new int[batch.length];
        for (int p = 0, nb = numel(batch); p < nb; p++) {
            int oa = 0, ob = 0;
            for (int d = 0; d < batch.length; d++) { oa += idx[d] * sa[d]; ob += idx[d] * sb[d]; }
            oa *= m * k;
            ob *= k * n;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) s += a.v[oa + i * k + q] * b.v[ob + q * n + j];
                    o[(p * m + i) * n + j] = s;
                }
            increment(idx, batch);
        }
        return new Ref(o, outShape);
    }

    /** Direct 2-D convolution (cross-correlation) with stride, padding, dilation, groups. */
    public static Ref conv2d(Ref x, Ref w, Ref bias, int[] stride, int[] pad, int[] dil, int groups) {
        int n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
        int co = w.shape[0], cg = w.shape[1], kh = w.shape[2], kw = w.shape[3];
        int oh = (h + 2 * pad[0] - dil[0] * (kh - 1) - 1) / stride[0] + 1;
        int ow = (wd + 2 * pad[1] - dil[1] * (kw - 1) - 1) / stride[1] + 1;
        double[] o = new double[n * co * oh * ow];
        int outPerGroup = co / groups;
        for (int b = 0; b < n; b++)
            for (int oc = 0; oc < co; oc++) {
                int g = oc / outPerGroup;
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++) {
                        double s = bias == null ? 0 : bias.v[oc];
                        for (int ic = 0; ic < cg; ic++)
                            for (int ki = 0; ki < kh; ki++)
                                for (int kj = 0; kj < kw; kj++) {
                                    int ih = i * stride[0] - pad[0] + ki * dil[0], iw = j * stride[1] - pad[1] + kj * dil[1];
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                                    s += x.at(b, g * cg + ic, ih, iw) * w.at(oc, ic, ki, kj);
                                }
                        o[((b * co + oc) * oh + i) * ow + j] = s;
                    }
            }
        return new Ref(o, n, co, oh, ow);
    }

    /** Max or average pooling (average counts padding, as PyTorch's default). */
    public static Ref pool(Ref x, int[] k, int[] stride, int[] pad, boolean max) {
        int n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
        int oh = (h + 2 * pad[0] - k[0]) / stride[0] + 1, ow = (wd + 2 * pad[1] - k[1]) / stride[1] + 1;
        double[] o = new double[n * c * oh * ow];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++) {
                        double acc = max ? Double.NEGATIVE_INFINITY : 0;
                        for (int ki = 0; ki < k[0]; ki++)
                            for (int kj = 0; kj < k[1]; kj++) {
                                int ih = i * stride[0] - pad[0] + ki, iw = j * stride[1] - pad[1] + kj;
                                boolean in = ih >= 0 && ih < h && iw >= 0 && iw < wd;
                                double val = in ? x.at(b, ch, ih, iw) : (max ? Double.NEGATIVE_INFINITY : 0);
                                acc = max ? Math.max(acc, val) : acc + val;
                            }
                        o[((b * c + ch) * oh + i) * ow + j] = max ? acc : acc / (k[0] * k[1]);
                    }
        return new Ref(o, n, c, oh, ow);
    }
}
