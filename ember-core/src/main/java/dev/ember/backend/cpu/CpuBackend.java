package dev.ember.backend.cpu;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.backend.Backend;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ConvGeometry;
import dev.ember.backend.FusedConv;
import dev.ember.backend.FusedMaxPool;
import dev.ember.backend.FusedNorm;
import dev.ember.backend.FusedOptimizer;
import dev.ember.backend.FusedGeluBackward;
import dev.ember.backend.FusedSoftmax;
import dev.ember.backend.HalfScratch;
import dev.ember.backend.KernelError;
import dev.ember.backend.MemoryStats;
import dev.ember.backend.Philox;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;

/**
 * The reference backend: heap arrays, Vector API fast paths for contiguous float32
 * rows, a general strided path for everything else, and one shared thread pool. It has every
 * optional capability (fused softmax, max pooling, GELU backward, layer/RMS norms and optimizer steps).
 *
 * <p>Determinism: an op on the same input gives the same bits on every call, however warm
 * the JIT is, for a given vector width and thread count (docs/determinism.md); kernels use
 * no compiler-dependent math ({@link FloatMath}, {@code StrictMath}) and sum in a fixed order.
 */
public final class CpuBackend implements Backend, FusedSoftmax, FusedMaxPool, FusedConv, FusedOptimizer, FusedGeluBackward, FusedNorm {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    @Override
    public String name() {
        return "cpu (" + (Simd.AVAILABLE ? "Vector API, " + Simd.FLOAT_LANES + " float lanes" : "scalar, no Vector API")
                + ", " + Parallel.threads() + " threads)";
    }

    @Override
    public Device device() { return Device.cpu(); }

    /** True when the SIMD kernels are in use. */
    public static boolean simd() { return Simd.AVAILABLE; }

    // ---- memory ------------------------------------------------------------------------------

    @Override
    public Storage allocate(DType dtype, long length) {
        return length > segmentAbove ? new SegmentStorage(dtype, length) : CpuStorage.allocate(dtype, (int) length);
    }

    @Override
    public Storage allocateUninitialized(DType dtype, long length) {
        return length > segmentAbove ? new SegmentStorage(dtype, length) : CpuStorage.allocateUninitialized(dtype, (int) length);
    }

    /**
     * Storages longer than this many elements live off the heap ({@link SegmentStorage}, run by {@link Indexing64}):
     * a Java array's limit; tests lower it to run the 64-bit path on small tensors.
     */
    static volatile long segmentAbove = Long.getLong("ember.cpu.segmentAbove", SegmentStorage.ARRAY_LIMIT);

    @Override
    public Storage fromHost(DType dtype, Object hostArray) {
        if (!(hostArray instanceof float[] || hostArray instanceof double[] || hostArray instanceof int[] || hostArray instanceof long[]
                || hostArray instanceof byte[] || hostArray instanceof short[]))
            throw new IllegalArgumentException("fromHost: unsupported array " + hostArray.getClass());
        int n = java.lang.reflect.Array.getLength(hostArray);
        if (n > segmentAbove) { // only when tests lower the threshold: no host array is that long
            Storage s = allocateUninitialized(dtype, n);
            copy(Strided.contiguous(wrap(dtype, hostArray), n), Strided.contiguous(s, n));
            return s;
        }
        CpuStorage s = CpuStorage.allocateUninitialized(dtype, n);
        System.arraycopy(hostArray, 0, s.array, 0, n);
        return s;
    }

    /** The caching allocator's counters: bytes of live storages, bytes held (live plus cached), peak live bytes. */
    @Override
    public MemoryStats memoryStats() { return CpuAllocator.INSTANCE.stats(); }

    /** Drops the caching allocator's unused arrays (the garbage collector then reclaims them). */
    @Override
    public void emptyCache() { CpuAllocator.INSTANCE.emptyCache(); }

    @Override
    public void resetPeakMemoryStats() { CpuAllocator.INSTANCE.resetPeak(); }

    /** Wraps a host array without copying (the caller gives it up). */
    public Storage wrap(DType dtype, Object array) {
        return new CpuStorage(dtype, array, java.lang.reflect.Array.getLength(array));
    }

    @Override
    public void toHost(Strided src, Object hostArray) {
        copy(src, Strided.contiguous(wrap(src.dtype(), hostArray), src.shape()));
    }

    @Override
    public void copy(Strided src, Strided dst) {
        if (Indexing64.needed(src, dst)) {
            Indexing64.copy(src, dst);
            return;
        }
        if (HalfScratch.any(src, dst)) {
            HalfCopy.copy(src, dst);
            return;
        }
        Object s = arr(src), d = arr(dst);
        var loop = StridedLoop.of(dst.shape(), new long[][]{src.strides(), dst.strides()}, new long[]{src.offset(), dst.offset()});
        int ss = loop.innerStrides[0], ds = loop.innerStrides[1];
        boolean longs = Elements.integral(s) && Elements.integral(d);
        loop.run(true, (off, n) -> {
            int so = off[0], o = off[1];
            if (s.getClass() == d.getClass() && ss == 1 && ds == 1) {
                System.arraycopy(s, so, d, o, n);
            } else if (s instanceof float[] fs && d instanceof float[] fd) {
                for (int i = 0; i < n; i++) fd[o + i * ds] = fs[so + i * ss];
            } else if (longs) {
                for (int i = 0; i < n; i++) Elements.setL(d, o + i * ds, Elements.getL(s, so + i * ss));
            } else {
                for (int i = 0; i < n; i++) Elements.setD(d, o + i * ds, Elements.getD(s, so + i * ss));
            }
        });
    }

    @Override
    public void fill(Strided dst, double value) {
        if (Indexing64.needed(dst)) {
            Indexing64.fill(dst, value);
            return;
        }
        if (HalfScratch.isHalf(dst)) {
            HalfCopy.fill(dst, value);
            return;
        }
        Object d = arr(dst);
        var loop = StridedLoop.of(dst.shape(), new long[][]{dst.strides()}, new long[]{dst.offset()});
        int ds = loop.innerStrides[0];
        loop.run(true, (off, n) -> {
            if (d instanceof float[] f && ds == 1) java.util.Arrays.fill(f, off[0], off[0] + n, (float) value);
            else for (int i = 0; i < n; i++) Elements.setD(d, off[0] + i * ds, value);
        });
    }

    // ---- elementwise -------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, Strided x, Strided out, double a, double b) {
        if (Indexing64.needed(x, out)) {
            Indexing64.unary(op, x, out, a, b);
            return;
        }
        if (HalfScratch.any(x, out)) {
            try (var h = new HalfScratch(this)) {
                Strided o = h.out(out, false);
                unary(op, h.in(x), o, a, b);
                h.writeBack();
            }
            return;
        }
        Object xs = arr(x), os = arr(out);
        var loop = StridedLoop.of(out.shape(), new long[][]{x.strides(), out.strides()}, new long[]{x.offset(), out.offset()});
        int sx = loop.innerStrides[0], so = loop.innerStrides[1];
        boolean longs = Elements.integral(xs);
        loop.run(true, (off, n) -> {
            if (xs instanceof float[] xf && os instanceof float[] of) {
                if (sx == 1 && so == 1 && Simd.AVAILABLE && SimdKernels.unary(op, xf, off[0], of, off[1], n, (float) a, (float) b)) return;
                for (int i = 0; i < n; i++) of[off[1] + i * so] = ScalarMath.unaryFloat(op, xf[off[0] + i * sx], a, b);
            } else if (xs instanceof double[] xd && os instanceof double[] od) {
                for (int i = 0; i < n; i++) od[off[1] + i * so] = ScalarMath.unary(op, xd[off[0] + i * sx], a, b);
            } else if (longs) {
                for (int i = 0; i < n; i++) Elements.setL(os, off[1] + i * so, ScalarMath.unaryLong(op, Elements.getL(xs, off[0] + i * sx), a, b));
            } else {
                for (int i = 0; i < n; i++) Elements.setD(os, off[1] + i * so, ScalarMath.unary(op, Elements.getD(xs, off[0] + i * sx), a, b));
            }
        });
    }

    @Override
    public void binary(BinaryOp op, Strided x, Strided y, Strided out) {
        if (Indexing64.needed(x, y, out)) {
            Indexing64.binary(op, x, y, out);
            return;
        }
        if (HalfScratch.any(x, y, out)) {
            try (var h = new HalfScratch(this)) {
                Strided o = h.out(out, false);
                binary(op, h.in(x), h.in(y), o);
                h.writeBack();
            }
            return;
        }
        Object xs = arr(x), ys = arr(y), os = arr(out);
        var loop = StridedLoop.of(out.shape(), new long[][]{x.strides(), y.strides(), out.strides()},
                new long[]{x.offset(), y.offset(), out.offset()});
        int sx = loop.innerStrides[0], sy = loop.innerStrides[1], so = loop.innerStrides[2];
        boolean longs = Elements.integral(xs);
        loop.run(true, (off, n) -> {
            if (os instanceof byte[] ob && xs instanceof float[] cx && ys instanceof float[] cy && so == 1 && Simd.AVAILABLE
                    && SimdKernels.compare(op, cx, off[0], sx, cy, off[1], sy, ob, off[2], n)) return;
            if (xs instanceof float[] xf && ys instanceof float[] yf && os instanceof float[] of) {
                if (so == 1 && Simd.AVAILABLE && SimdKernels.binary(op, xf, off[0], sx, yf, off[1], sy, of, off[2], n)) return;
                for (int i = 0; i < n; i++) of[off[2] + i * so] = (float) ScalarMath.binary(op, xf[off[0] + i * sx], yf[off[1] + i * sy]);
            } else if (xs instanceof double[] xd && ys instanceof double[] yd && os instanceof double[] od) {
                for (int i = 0; i < n; i++) od[off[2] + i * so] = ScalarMath.binary(op, xd[off[0] + i * sx], yd[off[1] + i * sy]);
            } else if (longs) {
                for (int i = 0; i < n; i++)
                    Elements.setL(os, off[2] + i * so, ScalarMath.binaryLong(op, Elements.getL(xs, off[0] + i * sx), Elements.getL(ys, off[1] + i * sy)));
            } else {
                for (int i = 0; i < n; i++)
                    Elements.setD(os, off[2] + i * so, ScalarMath.binary(op, Elements.getD(xs, off[0] + i * sx), Elements.getD(ys, off[1] + i * sy)));
            }
        });
    }

    @Override
    public void where(Strided cond, Strided x, Strided y, Strided out) {
        if (Indexing64.needed(cond, x, y, out)) {
            Indexing64.where(cond, x, y, out);
            return;
        }
        if (HalfScratch.any(x, y, out)) {
            try (var h = new HalfScratch(this)) {
                Strided o = h.out(out, false);
                where(cond, h.in(x), h.in(y), o);
                h.writeBack();
            }
            return;
        }
        byte[] c = (byte[]) arr(cond);
        Object xs = arr(x), ys = arr(y), os = arr(out);
        var loop = StridedLoop.of(out.shape(), new long[][]{cond.strides(), x.strides(), y.strides(), out.strides()},
                new long[]{cond.offset(), x.offset(), y.offset(), out.offset()});
        int[] st = loop.innerStrides;
        loop.run(true, (off, n) -> {
            if (xs instanceof float[] xf && ys instanceof float[] yf && os instanceof float[] of) {
                if (st[0] == 1 && st[3] == 1 && Simd.AVAILABLE
                        && SimdKernels.where(c, off[0], xf, off[1], st[1], yf, off[2], st[2], of, off[3], n)) return;
                for (int i = 0; i < n; i++)
                    of[off[3] + i * st[3]] = c[off[0] + i * st[0]] != 0 ? xf[off[1] + i * st[1]] : yf[off[2] + i * st[2]];
            } else {
                for (int i = 0; i < n; i++) {
                    boolean t = c[off[0] + i * st[0]] != 0;
                    if (Elements.integral(os)) Elements.setL(os, off[3] + i * st[3], t ? Elements.getL(xs, off[1] + i * st[1]) : Elements.getL(ys, off[2] + i * st[2]));
                    else Elements.setD(os, off[3] + i * st[3], t ? Elements.getD(xs, off[1] + i * st[1]) : Elements.getD(ys, off[2] + i * st[2]));
                }
            }
        });
    }

    // ---- reductions --------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, Strided x, Strided out) {
        if (Indexing64.needed(x, out)) {
            Indexing64.reduce(op, x, out);
            return;
        }
        if (HalfScratch.any(x, out)) { // accumulates in float32 (or wider), rounds once
            try (var h = new HalfScratch(this)) {
                Strided o = h.out(out, false);
                reduce(op, h.in(x), o);
                h.writeBack();
            }
            return;
        }
        int rank = x.rank();
        int r = x.shape32()[rank - 1], rs = x.strides32()[rank - 1];
        Object xs = arr(x), os = arr(out);
        int[] outerShape = java.util.Arrays.copyOf(x.shape32(), rank - 1);
        int[] outerStrides = java.util.Arrays.copyOf(x.strides32(), rank - 1);
        int outer = 1;
        for (int s : outerShape) outer *= s;
        if (outer == 1 && r >= StridedLoop.PARALLEL_GRAIN * 2 && rs == 1 && xs instanceof float[] xf && Simd.AVAILABLE
                && (op == ReduceOp.SUM || op == ReduceOp.MAX || op == ReduceOp.MIN)) {
            reduceLongRow(op, xf, x.offset32(), r, os, out.offset32());
            return;
        }
        if (op == ReduceOp.SUM && rank == 2 && x.strides32()[0] == 1 && rs != 1 && xs instanceof float[] xf
                && os instanceof float[] of && out.isContiguous() && Simd.AVAILABLE) {
            // Summing a strided axis into a contiguous output (a bias gradient, a column sum):
            // add whole rows with vectors instead of walking each strided column.
            int oo = out.offset32();
            java.util.Arrays.fill(of, oo, oo + outer, 0f);
            Parallel.forRange(outer, Math.max(64, StridedLoop.PARALLEL_GRAIN / Math.max(1, r)), 64, (o0, o1) -> {
                for (int i = 0; i < r; i++) SimdKernels.axpy(1f, xf, x.offset32() + i * rs + o0, of, oo + o0, o1 - o0);
            });
            return;
        }
        if (rank >= 2 && xs instanceof float[] xf && x.strides32()[rank - 2] == 1 && rs != 1 && out.isContiguous()
                && op != ReduceOp.PROD) {
            reduceAcrossRows(op, x, xf, os, out.offset32());
            return;
        }
        // Each output element reduces one row of x; rows are visited through a loop over x's outer dims.
        var loop = StridedLoop.of(outerShape, new int[][]{outerStrides, out.strides32()}, new int[]{x.offset32(), out.offset32()});
        int sx = loop.innerStrides[0], so = loop.innerStrides[1];
        boolean par = (long) outer * r >= StridedLoop.PARALLEL_GRAIN;
        loop.run(par, r, (off, n) -> { // each element of the loop reduces a row of r
            for (int i = 0; i < n; i++) reduceRow(op, xs, off[0] + i * sx, rs, r, os, off[1] + i * so);
        });
    }

    /** One long contiguous row (a full reduction): each thread reduces a chunk, then the partials combine. */
    private static void reduceLongRow(ReduceOp op, float[] x, int xo, int r, Object os, int oo) {
        int parts = Parallel.threads(), chunk = (r + parts - 1) / parts; // r >= 2 * grain, so no chunk is empty
        float[] partial = new float[parts];
        Parallel.forRange(parts, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) partial[p] = SimdKernels.reduce(op, x, xo + p * chunk, Math.min(r, (p + 1) * chunk) - p * chunk);
        });
        float acc = partial[0];
        for (int p = 1; p < parts; p++) // Math.max/min propagate NaN, as torch does
            acc = switch (op) { case SUM -> acc + partial[p]; case MAX -> Math.max(acc, partial[p]); default -> Math.min(acc, partial[p]); };
        ((float[]) os)[oo] = acc;
    }

    private static void reduceRow(ReduceOp op, Object xs, int xo, int rs, int r, Object os, int oo) {
        if (xs instanceof float[] xf && rs == 1 && Simd.AVAILABLE && r >= 16
                && (op == ReduceOp.SUM || op == ReduceOp.MAX || op == ReduceOp.MIN)) {
            Elements.setD(os, oo, SimdKernels.reduce(op, xf, xo, r));
            return;
        }
        if (xs instanceof float[] xf) {
            reduceFloatRow(op, xf, xo, rs, r, os, oo);
            return;
        }
        boolean integral = Elements.integral(xs);
        switch (op) {
            case SUM, PROD -> {
                boolean sum = op == ReduceOp.SUM;
                if (integral) {
                    long acc = sum ? 0 : 1;
                    for (int i = 0; i < r; i++) { long v = Elements.getL(xs, xo + i * rs); acc = sum ? acc + v : acc * v; }
                    Elements.setL(os, oo, acc);
                } else {
                    double acc = sum ? 0 : 1;
                    for (int i = 0; i < r; i++) { double v = Elements.getD(xs, xo + i * rs); acc = sum ? acc + v : acc * v; }
                    Elements.setD(os, oo, acc);
                }
            }
            case MAX, MIN, ARGMAX, ARGMIN -> {
                boolean max = op == ReduceOp.MAX || op == ReduceOp.ARGMAX;
                int best = 0;
                double bv = Elements.getD(xs, xo);
                long bl = Elements.getL(xs, xo);
                for (int i = 1; i < r && !Double.isNaN(bv); i++) {
                    if (integral) {
                        long v = Elements.getL(xs, xo + i * rs);
                        if (max ? v > bl : v < bl) { bl = v; best = i; }
                    } else {
                        double v = Elements.getD(xs, xo + i * rs);
                        if (Double.isNaN(v) || (max ? v > bv : v < bv)) { bv = v; best = i; }
                    }
                }
                if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) Elements.setL(os, oo, best);
                else if (integral) Elements.setL(os, oo, bl);
                else Elements.setD(os, oo, bv);
            }
        }
    }

    @Override
    public boolean softmaxLastDim(Strided x, Strided out, boolean log) {
        if (Indexing64.needed(x, out)) // staged when each operand fits a heap array, else composed from chunked primitives
            return Indexing64.stageable(x, out) && staged("softmax", st -> softmaxLastDim(st.in(x), st.out(out, false), log));
        if (HalfScratch.any(x, out)) return inFloat32(out, false, (h, o) -> softmaxLastDim(h.in(x), o, log));
        if (!(arr(x) instanceof float[] xf) || !Simd.AVAILABLE || !x.isContiguous()) return false;
        float[] of = (float[]) arr(out);
        int cols = x.shape32()[x.rank() - 1];
        if (cols == 0) return true;
        int rows = x.numel32() / cols, xo = x.offset32(), oo = out.offset32();
        Parallel.forRange(rows, Math.max(1, StridedLoop.PARALLEL_GRAIN / cols),
                (r0, r1) -> SimdKernels.softmaxRows(xf, xo + r0 * cols, of, oo + r0 * cols, r1 - r0, cols, log));
        return true;
    }

    @Override
    public boolean geluBackward(Strided g, Strided x, Strided y, Strided out) {
        if (Indexing64.needed(g, x, y, out))
            return Indexing64.stageable(g, x, y, out) && staged("geluBackward", st -> geluBackward(st.in(g), st.in(x), st.in(y), st.out(out, false)));
        if (!Simd.AVAILABLE || !g.isContiguous() || !x.isContiguous() || !y.isContiguous() || !out.isContiguous()) return false;
        if (!(arr(g) instanceof float[] gf && arr(x) instanceof float[] xf && arr(y) instanceof float[] yf && arr(out) instanceof float[] of))
            return false;
        int n = out.numel32(), go = g.offset32(), xo = x.offset32(), yo = y.offset32(), oo = out.offset32();
        Parallel.forRange(n, StridedLoop.PARALLEL_GRAIN, (i0, i1) -> SimdKernels.geluBackward(gf, go + i0, xf, xo + i0, yf, yo + i0, of, oo + i0, i1 - i0));
        return true;
    }

    /** {@link CpuNorm}'s rows (float32 or 16-bit); without the Vector API, the tensor layer composes. */
    @Override
    public boolean normForward(Strided x, int n, Strided weight, Strided bias, double eps, boolean rms, Strided out, Strided mean, Strided rstd) {
        if (Indexing64.needed(x, weight, bias, out, mean, rstd))
            return Indexing64.stageable(x, weight, bias, out, mean, rstd) && staged("layerNorm", st -> normForward(st.in(x), n,
                    st.in(weight), st.in(bias), eps, rms, st.out(out, false), st.out(mean, false), st.out(rstd, false)));
        return Simd.AVAILABLE && CpuNorm.forward(x, n, weight, bias, eps, rms, out, mean, rstd);
    }

    @Override
    public boolean normBackward(Strided grad, Strided x, int n, Strided weight, Strided mean, Strided rstd, boolean rms,
                                Strided dx, Strided dweight, Strided dbias) {
        if (Indexing64.needed(grad, x, weight, mean, rstd, dx, dweight, dbias))
            return Indexing64.stageable(grad, x, weight, mean, rstd, dx, dweight, dbias) && staged("layerNorm", st -> normBackward(
                    st.in(grad), st.in(x), n, st.in(weight), st.in(mean), st.in(rstd), rms, st.out(dx, false), st.out(dweight, false),
                    st.out(dbias, false)));
        return Simd.AVAILABLE && CpuNorm.backward(grad, x, n, weight, mean, rstd, rms, dx, dweight, dbias);
    }

    /**
     * Reduces a strided axis whose neighbouring output axis is contiguous (pooling windows, column
     * reductions): for each segment of {@code seg} outputs, combine {@code r} contiguous input rows
     * element by element, so memory is read in order and no per-output call is made.
     */
    private static void reduceAcrossRows(ReduceOp op, Strided x, float[] xf, Object os, int oo) {
        int rank = x.rank(), r = x.shape32()[rank - 1], rs = x.strides32()[rank - 1], seg = x.shape32()[rank - 2];
        int[] segShape = java.util.Arrays.copyOf(x.shape32(), rank - 2);
        int[] segStrides = java.util.Arrays.copyOf(x.strides32(), rank - 2);
        int segments = 1;
        for (int d : segShape) segments *= d;
        boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
        boolean max = op == ReduceOp.MAX || op == ReduceOp.ARGMAX;
        Parallel.forRange(segments, Math.max(1, StridedLoop.PARALLEL_GRAIN / Math.max(1, seg * r)), (s0, s1) -> {
            float[] best = new float[seg];
            int[] bestIdx = arg ? new int[seg] : null;
            for (int sgm = s0; sgm < s1; sgm++) {
                int base = x.offset32(), rem = sgm;
                for (int d = segShape.length - 1; d >= 0; d--) { base += (rem % segShape[d]) * segStrides[d]; rem /= segShape[d]; }
                System.arraycopy(xf, base, best, 0, seg);
                if (arg) java.util.Arrays.fill(bestIdx, 0);
                for (int i = 1; i < r; i++) {
                    int row = base + i * rs;
                    if (op == ReduceOp.SUM) {
                        for (int j = 0; j < seg; j++) best[j] += xf[row + j];
                        continue;
                    }
                    if (arg && Simd.AVAILABLE) {
                        SimdKernels.argExtremeStep(best, bestIdx, xf, row, seg, i, max);
                        continue;
                    }
                    for (int j = 0; j < seg; j++) {
                        float v = xf[row + j], b = best[j];
                        // NaN wins and then stays, as in torch.max
                        if (!Float.isNaN(b) && (Float.isNaN(v) || (max ? v > b : v < b))) {
                            best[j] = v;
                            if (arg) bestIdx[j] = i;
                        }
                    }
                }
                int o = oo + sgm * seg;
                if (arg) for (int j = 0; j < seg; j++) ((long[]) os)[o + j] = bestIdx[j];
                else System.arraycopy(best, 0, os, o, seg);
            }
        });
    }

    /** The float32 case of {@link #reduceRow} with direct array access (strided rows, e.g. pooling windows). */
    private static void reduceFloatRow(ReduceOp op, float[] x, int xo, int rs, int r, Object os, int oo) {
        switch (op) {
            case SUM -> {
                double acc = 0;
                for (int i = 0; i < r; i++) acc += x[xo + i * rs];
                ((float[]) os)[oo] = (float) acc;
            }
            case PROD -> {
                double acc = 1;
                for (int i = 0; i < r; i++) acc *= x[xo + i * rs];
                ((float[]) os)[oo] = (float) acc;
            }
            case MAX, MIN, ARGMAX, ARGMIN -> {
                boolean max = op == ReduceOp.MAX || op == ReduceOp.ARGMAX;
                int best = 0;
                float bv = x[xo];
                for (int i = 1; i < r && !Float.isNaN(bv); i++) {
                    float v = x[xo + i * rs];
                    if (Float.isNaN(v) || (max ? v > bv : v < bv)) { bv = v; best = i; }
                }
                if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) ((long[]) os)[oo] = best;
                else ((float[]) os)[oo] = bv;
            }
        }
    }

    // ---- linear algebra ----------------------------------------------------------------------

    @Override
    public void matmul(Strided a, Strided b, Strided out) {
        if (Indexing64.needed(a, b, out)) {
            staged("matmul", st -> {
                Strided o = st.out(out, false);
                matmul(st.in(a), st.in(b), o);
                return true;
            });
            return;
        }
        if (HalfScratch.any(a, b, out)) { // float32 GEMM, one rounding per output element, as PyTorch's CPU
            try (var h = new HalfScratch(this)) {
                Strided o = h.out(out, false);
                int m = a.shape32()[1], k = a.shape32()[2], n = b.shape32()[2];
                if (Simd.AVAILABLE && a.shape32()[0] == 1 && m <= HalfGemv.MAX_ROWS && HalfScratch.isHalf(b) && b.strides32()[2] == 1
                        && arr(o) instanceof float[]) { // a few rows (a token): B is read in 16 bits, not copied to float32
                    Strided fa = h.in(a);
                    HalfGemv.gemm(m, n, k, (float[]) arr(fa), fa.offset32(), fa.strides32()[1], fa.strides32()[2], b.dtype(),
                            (short[]) arr(b), b.offset32(), b.strides32()[1], (float[]) arr(o), o.offset32());
                    h.writeBack();
                    return;
                }
                CpuGemm.matmul(h.in(a), h.in(b), o);
                h.writeBack();
            }
            return;
        }
        CpuGemm.matmul(a, b, out);
    }

    // ---- indexing ----------------------------------------------------------------------------

    @Override
    public void gather(Strided x, int dim, Strided index, Strided out) {
        if (Indexing64.needed(x, index, out)) {
            Indexing64.gather(x, dim, index, out);
            return;
        }
        Object xs = arr(x), is = arr(index), os = arr(out);
        int size = x.shape32()[dim], step = x.strides32()[dim];
        long[] xStr = x.strides().clone();
        xStr[dim] = 0; // the index supplies the position along dim
        var loop = StridedLoop.of(out.shape(), new long[][]{xStr, index.strides(), out.strides()},
                new long[]{x.offset(), index.offset(), out.offset()});
        int[] st = loop.innerStrides;
        loop.run(true, (off, n) -> {
            if (st[1] == 0 && st[0] == 1 && st[2] == 1 && xs.getClass() == os.getClass()) {
                // One index for the whole row (indexSelect of contiguous rows, as batching does): copy it at once.
                long idx = Elements.getL(is, off[1]);
                if (idx < 0 || idx >= size)
                    throw KernelError.GATHER_INDEX.exception(idx, dim, size, "");
                System.arraycopy(xs, off[0] + (int) idx * step, os, off[2], n);
                return;
            }
            for (int i = 0; i < n; i++) {
                long idx = Elements.getL(is, off[1] + i * st[1]);
                if (idx < 0 || idx >= size)
                    throw KernelError.GATHER_INDEX.exception(idx, dim, size, "");
                int src = off[0] + i * st[0] + (int) idx * step;
                if (xs instanceof float[] xf) ((float[]) os)[off[2] + i * st[2]] = xf[src];
                else if (xs instanceof short[] xh) ((short[]) os)[off[2] + i * st[2]] = xh[src]; // 16-bit: the bits move unchanged
                else if (Elements.integral(xs)) Elements.setL(os, off[2] + i * st[2], Elements.getL(xs, src));
                else Elements.setD(os, off[2] + i * st[2], Elements.getD(xs, src));
            }
        });
    }

    @Override
    public void scatterAdd(Strided dst, int dim, Strided index, Strided src) {
        if (Indexing64.needed(dst, index, src)) {
            Indexing64.scatterAdd(dst, dim, index, src);
            return;
        }
        if (HalfScratch.any(dst, src)) {
            try (var h = new HalfScratch(this)) {
                Strided d = h.out(dst, true);
                scatterAdd(d, dim, index, h.in(src));
                h.writeBack();
            }
            return;
        }
        Object ds = arr(dst), is = arr(index), ss = arr(src);
        int size = dst.shape32()[dim], step = dst.strides32()[dim];
        int[] dStr = dst.strides32().clone();
        dStr[dim] = 0;
        var loop = StridedLoop.of(index.shape32(), new int[][]{dStr, index.strides32(), src.strides32()},
                new int[]{dst.offset32(), index.offset32(), src.offset32()});
        int[] st = loop.innerStrides;
        // Sequential: two positions may add into the same destination element.
        loop.run(false, (off, n) -> {
            for (int i = 0; i < n; i++) {
                long idx = Elements.getL(is, off[1] + i * st[1]);
                if (idx < 0 || idx >= size)
                    throw KernelError.SCATTER_INDEX.exception(idx, dim, size, "");
                int d = off[0] + i * st[0] + (int) idx * step;
                if (ds instanceof float[] df) df[d] += ((float[]) ss)[off[2] + i * st[2]];
                else if (Elements.integral(ds)) Elements.setL(ds, d, Elements.getL(ds, d) + Elements.getL(ss, off[2] + i * st[2]));
                else Elements.setD(ds, d, Elements.getD(ds, d) + Elements.getD(ss, off[2] + i * st[2]));
            }
        });
    }

    // ---- convolution helpers -----------------------------------------------------------------

    @Override
    public void im2col(Strided x, ConvGeometry g, double padValue, Strided cols) {
        if (Indexing64.needed(x, cols)) {
            staged("im2col", st -> {
                Strided c = st.out(cols, false);
                im2col(st.in(x), g, padValue, c);
                return true;
            });
            return;
        }
        if (HalfScratch.any(x, cols)) {
            try (var h = new HalfScratch(this)) {
                Strided c = h.out(cols, false);
                CpuConv.im2col(h.in(x), g, padValue, c);
                h.writeBack();
            }
            return;
        }
        CpuConv.im2col(x, g, padValue, cols);
    }

    @Override
    public void col2im(Strided cols, ConvGeometry g, Strided x) {
        if (Indexing64.needed(cols, x)) {
            staged("col2im", st -> {
                Strided d = st.out(x, true);
                col2im(st.in(cols), g, d);
                return true;
            });
            return;
        }
        if (HalfScratch.any(cols, x)) {
            try (var h = new HalfScratch(this)) {
                Strided d = h.out(x, true);
                CpuConv.col2im(h.in(cols), g, d);
                h.writeBack();
            }
            return;
        }
        CpuConv.col2im(cols, g, x);
    }

    /**
     * Runs a 32-bit-only kernel on heap stand-ins of its operands ({@link Indexing64.Staged}); the outputs are written
     * back if it ran (a capability may return false; the primitives always return true).
     */
    private static boolean staged(String op, java.util.function.Predicate<Indexing64.Staged> kernel) {
        try (var st = new Indexing64.Staged(op)) {
            boolean done = kernel.test(st);
            if (done) st.writeBack();
            return done;
        }
    }

    /**
     * A fused kernel that takes 16-bit operands: run in float32 scratch ({@code out}'s old values copied in when
     * {@code keep}), the result written back if the kernel ran.
     */
    private boolean inFloat32(Strided out, boolean keep, java.util.function.BiPredicate<HalfScratch, Strided> kernel) {
        try (var h = new HalfScratch(this)) {
            Strided o = h.out(out, keep);
            boolean done = kernel.test(h, o);
            if (done) h.writeBack();
            return done;
        }
    }

    @Override
    public boolean maxPool2d(Strided x, ConvGeometry g, Strided out, Strided indices) {
        if (Indexing64.needed(x, out, indices))
            return staged("maxPool2d", st -> maxPool2d(st.in(x), g, st.out(out, false), st.out(indices, false)));
        if (HalfScratch.any(x, out)) return inFloat32(out, false, (h, o) -> CpuPool.maxPool2d(h.in(x), g, o, indices));
        return CpuPool.maxPool2d(x, g, out, indices);
    }

    @Override
    public boolean maxPool2dBackward(Strided grad, Strided indices, ConvGeometry g, Strided dx) {
        if (Indexing64.needed(grad, indices, dx))
            return staged("maxPool2dBackward", st -> maxPool2dBackward(st.in(grad), st.in(indices), g, st.out(dx, true)));
        if (HalfScratch.any(grad, dx)) return inFloat32(dx, false, (h, d) -> CpuPool.maxPool2dBackward(h.in(grad), indices, g, d));
        return CpuPool.maxPool2dBackward(grad, indices, g, dx);
    }

    @Override
    public boolean conv2d(Strided x, Strided w, Strided bias, ConvGeometry g, Strided out) {
        if (Indexing64.needed(x, w, bias, out))
            return staged("conv2d", st -> conv2d(st.in(x), st.in(w), st.in(bias), g, st.out(out, false)));
        if (HalfScratch.any(x, w, bias, out)) return inFloat32(out, false, (h, o) -> CpuConv.conv2d(h.in(x), h.in(w), h.in(bias), g, o));
        return CpuConv.conv2d(x, w, bias, g, out);
    }

    @Override
    public boolean conv2dInputGrad(Strided grad, Strided w, ConvGeometry g, Strided dx) {
        if (Indexing64.needed(grad, w, dx))
            return staged("conv2dInputGrad", st -> conv2dInputGrad(st.in(grad), st.in(w), g, st.out(dx, true)));
        if (HalfScratch.any(grad, w, dx)) return inFloat32(dx, false, (h, d) -> CpuConv.conv2dInputGrad(h.in(grad), h.in(w), g, d));
        return CpuConv.conv2dInputGrad(grad, w, g, dx);
    }

    @Override
    public boolean conv2dWeightGrad(Strided grad, Strided x, ConvGeometry g, Strided dw) {
        if (Indexing64.needed(grad, x, dw))
            return staged("conv2dWeightGrad", st -> conv2dWeightGrad(st.in(grad), st.in(x), g, st.out(dw, true)));
        if (HalfScratch.any(grad, x, dw)) return inFloat32(dw, false, (h, d) -> CpuConv.conv2dWeightGrad(h.in(grad), h.in(x), g, d));
        return CpuConv.conv2dWeightGrad(grad, x, g, dw);
    }

    @Override
    public boolean conv2dWeightAndBiasGrad(Strided grad, Strided x, ConvGeometry g, Strided dw, Strided db) {
        // Plain float32 heap operands only; the staged and 16-bit cases take the two-call path.
        if (Indexing64.needed(grad, x, dw, db) || HalfScratch.any(grad, x, dw, db)) return false;
        return CpuConv.conv2dWeightAndBiasGrad(grad, x, g, dw, db);
    }

    // ---- random ------------------------------------------------------------------------------

    @Override
    public void random(Strided out, Philox.Distribution dist, long seed, long offset, double a, double b) {
        if (Indexing64.needed(out)) {
            Indexing64.random(out, dist, seed, offset, a, b);
            return;
        }
        if (HalfScratch.isHalf(out)) { // drawn as float32 (the same stream as a FLOAT32 tensor), then rounded
            try (var h = new HalfScratch(this)) {
                Strided o = h.out(out, false);
                random(o, dist, seed, offset, a, b);
                h.writeBack();
            }
            return;
        }
        Object o = arr(out);
        int n = out.numel32(), base = out.offset32();
        int blocks = (n + 1) / 2;
        Parallel.forRange(blocks, 4096, (b0, b1) -> {
            int[] w = new int[4];
            for (int blk = b0; blk < b1; blk++) {
                Philox.block(seed, offset + blk, w);
                for (int h = 0; h < 2; h++) {
                    int i = 2 * blk + h;
                    if (i < n) Elements.setD(o, base + i, Philox.transform(dist, w, h, a, b));
                }
            }
        });
    }

    // ---- optimizers --------------------------------------------------------------------------

    @Override
    public void sgdStep(Strided param, Strided grad, Strided buf, double lr, double momentum, double dampening,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        if (Indexing64.needed(param, grad, buf)) {
            staged("sgdStep", st -> {
                Strided p = st.out(param, true), m = st.out(buf, true);
                sgdStep(p, st.in(grad), m, lr, momentum, dampening, weightDecay, nesterov, firstStep);
                return true;
            });
            return;
        }
        if (HalfScratch.any(param, grad, buf)) {
            try (var h = new HalfScratch(this)) {
                Strided p = h.out(param, true), m = h.out(buf, true);
                CpuOptim.sgd(p, h.in(grad), m, lr, momentum, dampening, weightDecay, nesterov, firstStep);
                h.writeBack();
            }
            return;
        }
        CpuOptim.sgd(param, grad, buf, lr, momentum, dampening, weightDecay, nesterov, firstStep);
    }

    @Override
    public void adamStep(Strided param, Strided grad, Strided expAvg, Strided expAvgSq, double lr, double beta1,
                         double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        if (Indexing64.needed(param, grad, expAvg, expAvgSq)) {
            staged("adamStep", st -> {
                Strided p = st.out(param, true), m = st.out(expAvg, true), v = st.out(expAvgSq, true);
                adamStep(p, st.in(grad), m, v, lr, beta1, beta2, eps, weightDecay, decoupled, step);
                return true;
            });
            return;
        }
        if (HalfScratch.any(param, grad, expAvg, expAvgSq)) {
            try (var h = new HalfScratch(this)) {
                Strided p = h.out(param, true), m = h.out(expAvg, true), v = h.out(expAvgSq, true);
                CpuOptim.adam(p, h.in(grad), m, v, lr, beta1, beta2, eps, weightDecay, decoupled, step);
                h.writeBack();
            }
            return;
        }
        CpuOptim.adam(param, grad, expAvg, expAvgSq, lr, beta1, beta2, eps, weightDecay, decoupled, step);
    }

    /** The heap array behind a view; a view that needs 64-bit indexing (or lives off the heap) gets {@link Indexing64#unsupported}. */
    static Object arr(Strided s) {
        if (s.storage() instanceof CpuStorage c && s.fits32()) return c.array;
        throw Indexing64.unsupported(s);
    }
}
