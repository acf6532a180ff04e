package dev.ember.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Float64 references of the tensor ops beyond {@link Ref}'s elementwise, reduction, matmul, conv and pool:
 * the group reductions, softmax, views and shape ops, indexing, triangles, unfold/fold. Each is the naive
 * loop over output positions, written from the op's definition, never from Ember's code.
 */
public final class RefOps {
    private RefOps() {}

    // ---- reductions of one group of values -----------------------------------------------------

    public static double sum(double[] g) { double s = 0; for (double x : g) s += x; return s; }

    public static double prod(double[] g) { double s = 1; for (double x : g) s *= x; return s; }

    /** NaN propagates, as PyTorch's max. */
    public static double max(double[] g) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : g) { if (Double.isNaN(x)) return x; m = Math.max(m, x); }
        return m;
    }

    public static double min(double[] g) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : g) { if (Double.isNaN(x)) return x; m = Math.min(m, x); }
        return m;
    }

    /** Index of the first largest (or smallest) value; a NaN counts as the extreme, as in PyTorch. */
    public static double argExtreme(double[] g, boolean max) {
        int best = 0;
        for (int i = 0; i < g.length; i++) {
            if (Double.isNaN(g[i])) return i;
            if (max ? g[i] > g[best] : g[i] < g[best]) best = i;
        }
        return best;
    }

    public static double variance(double[] g, int correction) {
        double m = sum(g) / g.length, s = 0;
        for (double x : g) s += (x - m) * (x - m);
        return s / Math.max(0, g.length - correction);
    }

    public static double logsumexp(double[] g) {
        double m = max(g);
        if (Double.isInfinite(m)) m = 0;
        double s = 0;
        for (double x : g) s += Math.exp(x - m);
        return m + Math.log(s);
    }

    /** All dims of a rank, {@code [0, 1, .., rank - 1]}. */
    public static int[] allDims(int rank) {
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) d[i] = i;
        return d;
    }

    /** Non-negative, sorted dims. */
    public static int[] normDims(int[] dims, int rank) {
        int[] d = new int[dims.length];
        for (int i = 0; i < d.length; i++) d[i] = dims[i] < 0 ? dims[i] + Math.max(rank, 1) : dims[i];
        Arrays.sort(d);
        return rank == 0 ? new int[0] : d;
    }

    public static int normDim(int dim, int rank) { return dim < 0 ? dim + Math.max(rank, 1) : dim; }

    /** Softmax (or log-softmax) along {@code dim}, shifted by the maximum. */
    public static Ref softmax(Ref in, int dim, boolean log) {
        int[] d = in.shape.length == 0 ? new int[0] : new int[]{normDim(dim, in.shape.length)};
        Ref m = in.reduce(d, true, RefOps::max);
        Ref shifted = Ref.zip(in, m, (a, b) -> a - b);
        Ref s = shifted.reduce(d, true, g -> { double t = 0; for (double x : g) t += Math.exp(x); return t; });
        return Ref.zip(shifted, s, (a, b) -> log ? a - Math.log(b) : Math.exp(a) / b);
    }

    // ---- views and shape ops -------------------------------------------------------------------

    /** The same values in a new shape. */
    public static Ref reshape(Ref in, int... shape) { return new Ref(in.v.clone(), shape); }

    /** {@code out[i0, .., in] = in[i_perm^-1]}: output dim k is input dim {@code dims[k]}. */
    public static Ref permute(Ref in, int... dims) {
        int r = in.shape.length;
        int[] shape = new int[r], st = Ref.strides(in.shape), pst = new int[r];
        for (int k = 0; k < r; k++) {
            int d = normDim(dims[k], r);
            shape[k] = in.shape[d];
            pst[k] = st[d];
        }
        return strided(in, shape, pst, 0);
    }

    public static Ref transpose(Ref in, int a, int b) {
        int r = in.shape.length;
        if (r == 0) return in;
        int[] p = allDims(r);
        a = normDim(a, r);
        b = normDim(b, r);
        p[a] = b;
        p[b] = a;
        return permute(in, p);
    }

    /** The elements at {@code offset + sum(idx * strides)} for each position of {@code shape}. */
    public static Ref strided(Ref in, int[] shape, int[] strides, int offset) {
        double[] o = new double[Ref.numel(shape)];
        int[] idx = new int[shape.length];
        for (int i = 0; i < o.length; i++) {
            int off = offset;
            for (int d = 0; d < shape.length; d++) off += idx[d] * strides[d];
            o[i] = in.v[off];
            Ref.increment(idx, shape);
        }
        return new Ref(o, shape);
    }

    public static Ref narrow(Ref in, int dim, int start, int length) {
        int d = normDim(dim, in.shape.length);
        if (start < 0) start += in.shape[d];
        int[] shape = in.shape.clone();
        shape[d] = length;
        int[] st = Ref.strides(in.shape);
        return strided(in, shape, st, start * st[d]);
    }

    public static Ref select(Ref in, int dim, int index) {
        int d = normDim(dim, in.shape.length);
        if (index < 0) index += in.shape[d];
        Ref n = narrow(in, d, index, 1);
        return new Ref(n.v, remove(n.shape, d));
    }

    /** Broadcasts to {@code shape} (trailing alignment; -1 keeps a size). */
    public static Ref expand(Ref in, int... shape) {
        int[] s = shape.clone();
        int lead = s.length - in.shape.length;
        for (int i = 0; i < s.length; i++) if (s[i] == -1) s[i] = in.shape[i - lead];
        return strided(in, s, Ref.broadcastStrides(in.shape, s), 0);
    }

    public static Ref cat(List<Ref> parts, int dim) {
        int d = normDim(dim, parts.get(0).shape.length);
        int[] shape = parts.get(0).shape.clone();
        shape[d] = 0;
        for (Ref p : parts) shape[d] += p.shape[d];
        double[] o = new double[Ref.numel(shape)];
        int[] idx = new int[shape.length];
        for (int i = 0; i < o.length; i++) {
            int k = 0, along = idx[d];
            while (along >= parts.get(k).shape[d]) along -= parts.get(k++).shape[d];
            Ref p = parts.get(k);
            int[] st = Ref.strides(p.shape);
            int off = 0;
            for (int q = 0; q < shape.length; q++) off += (q == d ? along : idx[q]) * st[q];
            o[i] = p.v[off];
            Ref.increment(idx, shape);
        }
        return new Ref(o, shape);
    }

    public static Ref stack(List<Ref> parts, int dim) {
        int d = normDim(dim, parts.get(0).shape.length + 1);
        List<Ref> u = new ArrayList<>();
        for (Ref p : parts) u.add(new Ref(p.v, insert(p.shape, d, 1)));
        return cat(u, d);
    }

    /** Splits into pieces of {@code size} along {@code dim} (the last may be smaller). */
    public static List<Ref> split(Ref in, int size, int dim) {
        int d = normDim(dim, in.shape.length);
        List<Ref> out = new ArrayList<>();
        for (int s = 0; s < in.shape[d]; s += size) out.add(narrow(in, d, s, Math.min(size, in.shape[d] - s)));
        if (out.isEmpty()) out.add(in);
        return out;
    }

    public static int[] remove(int[] shape, int d) {
        int[] o = new int[shape.length - 1];
        for (int i = 0, k = 0; i < shape.length; i++) if (i != d) o[k++] = shape[i];
        return o;
    }

    public static int[] insert(int[] shape, int d, int size) {
        int[] o = new int[shape.length + 1];
        for (int i = 0, k = 0; i < o.length; i++) o[i] = i == d ? size : shape[k++];
        return o;
    }

    // ---- indexing ------------------------------------------------------------------------------

    /** {@code out[..i..] = in[.. index[..i..] at dim ..]}. */
    public static Ref gather(Ref in, int dim, Ref index) {
        int d = normDim(dim, in.shape.length);
        int[] st = Ref.strides(in.shape);
        double[] o = new double[index.v.length];
        int[] idx = new int[index.shape.length];
        for (int i = 0; i < o.length; i++) {
            int off = 0;
            for (int q = 0; q < idx.length; q++) off += (q == d ? (int) index.v[i] : idx[q]) * st[q];
            o[i] = in.v[off];
            Ref.increment(idx, index.shape);
        }
        return new Ref(o, index.shape.clone());
    }

    /** A copy of {@code in} with {@code src[..i..]} added at {@code index[..i..]} along {@code dim} (src read in index's shape). */
    public static Ref scatterAdd(Ref in, int dim, Ref index, Ref src) {
        int d = normDim(dim, in.shape.length);
        int[] st = Ref.strides(in.shape), ss = Ref.strides(src.shape);
        double[] o = in.v.clone();
        int[] idx = new int[index.shape.length];
        for (int i = 0; i < index.v.length; i++) {
            int off = 0, so = 0;
            for (int q = 0; q < idx.length; q++) {
                off += (q == d ? (int) index.v[i] : idx[q]) * st[q];
                so += idx[q] * ss[q];
            }
            o[off] += src.v[so];
            Ref.increment(idx, index.shape);
        }
        return new Ref(o, in.shape.clone());
    }

    public static Ref indexSelect(Ref in, int dim, Ref index) {
        int d = normDim(dim, in.shape.length);
        if (in.shape.length == 0) return new Ref(new double[]{in.v[0]});
        int[] shape = in.shape.clone();
        shape[d] = index.v.length;
        int[] st = Ref.strides(in.shape);
        double[] o = new double[Ref.numel(shape)];
        int[] idx = new int[shape.length];
        for (int i = 0; i < o.length; i++) {
            int off = 0;
            for (int q = 0; q < shape.length; q++) off += (q == d ? (int) index.v[idx[q]] : idx[q]) * st[q];
            o[i] = in.v[off];
            Ref.increment(idx, shape);
        }
        return new Ref(o, shape);
    }

    /** {@code cond ? a : b}, all three broadcast. */
    public static Ref where(Ref cond, Ref a, Ref b) {
        int[] shape = Ref.broadcast(Ref.broadcast(cond.shape, a.shape), b.shape);
        int[] sc = Ref.broadcastStrides(cond.shape, shape), sa = Ref.broadcastStrides(a.shape, shape), sb = Ref.broadcastStrides(b.shape, shape);
        double[] o = new double[Ref.numel(shape)];
        int[] idx = new int[shape.length];
        for (int i = 0; i < o.length; i++) {
            int oc = 0, oa = 0, ob = 0;
            for (int q = 0; q < shape.length; q++) { oc += idx[q] * sc[q]; oa += idx[q] * sa[q]; ob += idx[q] * sb[q]; }
            o[i] = cond.v[oc] != 0 ? a.v[oa] : b.v[ob];
            Ref.increment(idx, shape);
        }
        return new Ref(o, shape);
    }

    /** Keeps elements with {@code col - row >= diagonal} (upper) or {@code <= diagonal} (lower) of the last two dims. */
    public static Ref triangle(Ref in, int diagonal, boolean upper) {
        int r = in.shape.length, rows = in.shape[r - 2], cols = in.shape[r - 1];
        double[] o = in.v.clone();
        for (int i = 0; i < o.length; i++) {
            int c = i % cols, row = (i / cols) % rows;
            boolean keep = upper ? c - row >= diagonal : c - row <= diagonal;
            if (!keep) o[i] = 0;
        }
        return new Ref(o, in.shape.clone());
    }

    public static Ref oneHot(Ref labels, int classes) {
        double[] o = new double[labels.v.length * classes];
        for (int i = 0; i < labels.v.length; i++) o[i * classes + (int) labels.v[i]] = 1;
        return new Ref(o, insert(labels.shape, labels.shape.length, classes));
    }

    /** PyTorch's matmul for 1-D operands too: a vector is a row (left) or a column (right), then squeezed. */
    public static Ref matmul(Ref a, Ref b) {
        boolean va = a.shape.length == 1, vb = b.shape.length == 1;
        Ref a2 = va ? new Ref(a.v, 1, a.shape[0]) : a, b2 = vb ? new Ref(b.v, b.shape[0], 1) : b;
        Ref e = Ref.matmul(a2, b2);
        int[] s = e.shape;
        if (vb) s = remove(s, s.length - 1);
        if (va) s = remove(s, s.length - (vb ? 1 : 2));
        return new Ref(e.v, s);
    }

    // ---- sliding windows -----------------------------------------------------------------------

    /** {@code [n, c, h, w] -> [n, c * kh * kw, L]}: each column one window, padding read as {@code padValue}. */
    public static Ref unfold(Ref x, int[] k, int[] dil, int[] pad, int[] stride, double padValue) {
        int n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        int oh = (h + 2 * pad[0] - dil[0] * (k[0] - 1) - 1) / stride[0] + 1;
        int ow = (w + 2 * pad[1] - dil[1] * (k[1] - 1) - 1) / stride[1] + 1;
        int rows = c * k[0] * k[1], l = oh * ow;
        double[] o = new double[n * rows * l];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int ki = 0; ki < k[0]; ki++)
                    for (int kj = 0; kj < k[1]; kj++) {
                        int row = (ch * k[0] + ki) * k[1] + kj;
                        for (int i = 0; i < oh; i++)
                            for (int j = 0; j < ow; j++) {
                                int ih = i * stride[0] - pad[0] + ki * dil[0], iw = j * stride[1] - pad[1] + kj * dil[1];
                                boolean inside = ih >= 0 && ih < h && iw >= 0 && iw < w;
                                o[(b * rows + row) * l + i * ow + j] = inside ? x.at(b, ch, ih, iw) : padValue;
                            }
                    }
        return new Ref(o, n, rows, l);
    }

    /** The adjoint of unfold: {@code [n, c * kh * kw, L] -> [n, c, size]}, overlapping windows summed. */
    public static Ref fold(Ref cols, int[] size, int[] k, int[] dil, int[] pad, int[] stride) {
        int n = cols.shape[0], c = cols.shape[1] / (k[0] * k[1]), h = size[0], w = size[1];
        int oh = (h + 2 * pad[0] - dil[0] * (k[0] - 1) - 1) / stride[0] + 1;
        int ow = (w + 2 * pad[1] - dil[1] * (k[1] - 1) - 1) / stride[1] + 1;
        int rows = cols.shape[1], l = oh * ow;
        double[] o = new double[n * c * h * w];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int ki = 0; ki < k[0]; ki++)
                    for (int kj = 0; kj < k[1]; kj++) {
                        int row = (ch * k[0] + ki) * k[1] + kj;
                        for (int i = 0; i < oh; i++)
                            for (int j = 0; j < ow; j++) {
                                int ih = i * stride[0] - pad[0] + ki * dil[0], iw = j * stride[1] - pad[1] + kj * dil[1];
                                if (ih >= 0 && ih < h && iw >= 0 && iw < w)
                                    o[((b * c + ch) * h + ih) * w + iw] += cols.v[(b * rows + row) * l + i * ow + j];
                            }
                    }
        return new Ref(o, n, c, h, w);
    }
}
