package dev.ember.backend.gpu;

import dev.ember.DType;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ConvGeometry;
import dev.ember.backend.Philox;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import dev.ember.backend.gpu.KernelSource.Family;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Which kernel serves a primitive, on which grid, with which arguments. Free of driver calls, so the plans
 * are the same on every runtime and testable on the host: dim coalescing ({@link Layout}), the vectorised
 * float32 paths, reduction plans ({@link ReducePlan}), deterministic or atomic scatter-add, GEMM tiles.
 *
 * @param threads    threads per block of every launch but GEMM's
 * @param units      the device's compute units (multiprocessors), which size grid-stride grids
 * @param gemmTile   threads per side of a GEMM block
 * @param dialect    the kernel language (which atomics exist)
 * @param fp64       whether the device has double precision (random transforms in double)
 */
record LaunchPlanner(int threads, int units, int gemmTile, Dialect dialect, boolean fp64) {

    /** Index extents along the scatter dim above which scatter-add adds atomically, where the dialect can. */
    static final int ATOMIC_SCATTER_EXTENT = 64;
    /** The most blocks a grid's z dimension takes (CUDA's limit), so batches are launched in slices. */
    static final int MAX_GRID_Z = 65535;

    static String suffix(DType t) { return GpuType.of(t).suffix; }

    Launch copy(Strided src, Strided dst) {
        Layout l = Layout.of("copy", dst.shape(), new long[][]{src.strides(), dst.strides()}, new long[]{src.offset(), dst.offset()});
        return Launch.stride(Family.COPY, "copy_" + suffix(src.dtype()) + "_" + suffix(dst.dtype()), l.numel(), threads,
                new KernelArgs().layout(l).buffer(src.storage()).buffer(dst.storage()));
    }

    Launch fill(Strided dst, double value) {
        Layout l = Layout.of("fill", dst.shape(), new long[][]{dst.strides()}, new long[]{dst.offset()});
        return Launch.stride(Family.ELEMENTWISE, "fill_" + suffix(dst.dtype()), l.numel(), threads,
                new KernelArgs().layout(l).buffer(dst.storage()).element(dst.dtype(), value));
    }

    Launch unary(UnaryOp op, Strided x, Strided out, double a, double b) {
        String name = op.name().toLowerCase(Locale.ROOT);
        Layout l = Layout.of(name, out.shape(), new long[][]{x.strides(), out.strides()}, new long[]{x.offset(), out.offset()});
        long n = l.numel();
        if (x.dtype() == DType.FLOAT32 && out.dtype() == DType.FLOAT32 && l.dense(0) && l.dense(1)
                && x.offset() % 4 == 0 && out.offset() % 4 == 0) {
            return Launch.stride(Family.ELEMENTWISE, "unary_f32_vec4", (n + 3) / 4, threads, new KernelArgs().i32(op.ordinal()).index(n)
                    .buffer(x.storage()).index(x.offset()).buffer(out.storage()).index(out.offset()).f32((float) a).f32((float) b)
                    .errorSlot());
        }
        var args = new KernelArgs().i32(op.ordinal()).layout(l).buffer(x.storage()).buffer(out.storage());
        if (x.dtype().isFloatingPoint()) {
            args.real(x.dtype(), a).real(x.dtype(), b);
        } else {
            for (long p : op.integerParams(a, b)) args.i64(p);
        }
        return Launch.stride(Family.ELEMENTWISE, "unary_" + suffix(x.dtype()) + boolVariant(x, out), n, threads, args.errorSlot());
    }

    Launch binary(BinaryOp op, Strided x, Strided y, Strided out) {
        String name = op.name().toLowerCase(Locale.ROOT);
        Layout l = Layout.of(name, out.shape(), new long[][]{x.strides(), y.strides(), out.strides()},
                new long[]{x.offset(), y.offset(), out.offset()});
        long n = l.numel();
        if (x.dtype() == DType.FLOAT32 && out.dtype() == DType.FLOAT32 && l.dense(0) && l.dense(2)
                && (l.scalar(1) || (l.dense(1) && y.offset() % 4 == 0)) && x.offset() % 4 == 0 && out.offset() % 4 == 0) {
            return Launch.stride(Family.ELEMENTWISE, "binary_f32_vec4", (n + 3) / 4, threads, new KernelArgs().i32(op.ordinal())
                    .index(n).buffer(x.storage()).index(x.offset()).buffer(y.storage()).index(y.offset()).i32(l.scalar(1) ? 0 : 1)
                    .buffer(out.storage()).index(out.offset()).errorSlot());
        }
        return Launch.stride(Family.ELEMENTWISE, "binary_" + suffix(x.dtype()) + boolVariant(x, out), n, threads,
                new KernelArgs().i32(op.ordinal()).layout(l).buffer(x.storage()).buffer(y.storage()).buffer(out.storage()).errorSlot());
    }

    /** The {@code _b8} kernels write BOOL from a non-BOOL input. */
    private static String boolVariant(Strided x, Strided out) {
        return out.dtype() == DType.BOOL && x.dtype() != DType.BOOL ? "_b8" : "";
    }

    Launch where(Strided cond, Strided x, Strided y, Strided out) {
        Layout l = Layout.of("where", out.shape(), new long[][]{cond.strides(), x.strides(), y.strides(), out.strides()},
                new long[]{cond.offset(), x.offset(), y.offset(), out.offset()});
        return Launch.stride(Family.ELEMENTWISE, "where_" + suffix(out.dtype()), l.numel(), threads, new KernelArgs().layout(l)
                .buffer(cond.storage()).buffer(x.storage()).buffer(y.storage()).buffer(out.storage()));
    }

    /** How a last-axis reduction of {@code x} runs (arg reductions are never split). */
    ReducePlan reducePlan(ReduceOp op, Strided x) {
        int rank = x.rank();
        long r = x.shape()[rank - 1], outer = 1;
        for (int d = 0; d < rank - 1; d++) outer *= x.shape()[d];
        if (op.isArg()) return new ReducePlan(1, r);
        return ReducePlan.of(outer, r, units);
    }

    /**
     * The (first) pass of reducing {@code x [..., r]} into {@code out [...]}: with one chunk per row it writes
     * {@code out}; otherwise {@code outer * chunks} partials, contiguous, into {@code partials} (of out's dtype,
     * or FLOAT32 for a 16-bit out).
     */
    Launch reduce(ReduceOp op, Strided x, Strided out, ReducePlan plan, Storage partials) {
        int rank = x.rank();
        long r = x.shape()[rank - 1], rs = x.strides()[rank - 1];
        Layout l = Layout.of("reduce", Arrays.copyOf(x.shape(), rank - 1),
                new long[][]{Arrays.copyOf(x.strides(), rank - 1), out.strides()}, new long[]{x.offset(), out.offset()});
        long outer = l.numel();
        if (op.isArg()) {
            int tpr = ReducePlan.threadsPerRow(r, threads);
            return Launch.grid(Family.REDUCE, "argreduce_" + suffix(x.dtype()), ReducePlan.blocks(outer, tpr, threads, units), 1, 1,
                    threads, new KernelArgs().i32(op.ordinal()).layout(l).index(r).index(rs).buffer(x.storage())
                            .buffer(out.storage()).errorSlot());
        }
        int tpr = ReducePlan.threadsPerRow(plan.chunk(), threads);
        DType dest = plan.chunks() == 1 ? out.dtype() : partials.dtype();
        return Launch.grid(Family.REDUCE, "reduce_" + suffix(x.dtype()) + "_" + suffix(dest),
                ReducePlan.blocks(outer * plan.chunks(), tpr, threads, units), 1, 1, threads,
                new KernelArgs().i32(op.ordinal()).layout(l).index(r).index(rs).index(plan.chunks()).index(plan.chunk())
                        .buffer(x.storage()).buffer(plan.chunks() == 1 ? out.storage() : partials).errorSlot());
    }

    /** Softmax or log-softmax along the last axis of {@code x} into contiguous {@code out} (one launch; rows as reductions). */
    Launch softmax(Strided x, Strided out, boolean log) {
        int rank = x.rank();
        long r = x.shape()[rank - 1], rs = x.strides()[rank - 1];
        Layout l = Layout.of("softmax", Arrays.copyOf(x.shape(), rank - 1), new long[][]{Arrays.copyOf(x.strides(), rank - 1)},
                new long[]{x.offset()});
        int tpr = ReducePlan.threadsPerRow(r, threads);
        return Launch.grid(Family.REDUCE, "softmax_" + suffix(x.dtype()), ReducePlan.blocks(l.numel(), tpr, threads, units), 1, 1,
                threads, new KernelArgs().i32(log ? 1 : 0).layout(l).index(r).index(rs).buffer(x.storage()).index(out.offset())
                        .buffer(out.storage()).errorSlot());
    }

    /** LayerNorm/RMSNorm forward over contiguous rows of {@code n} (see {@link dev.ember.backend.FusedNorm}); absent operands as null. */
    Launch normForward(Strided x, int n, Strided w, Strided b, double eps, boolean rms, Strided out, Strided mean, Strided rstd) {
        long rows = x.numel() / n;
        int tpr = ReducePlan.threadsPerRow(n, threads);
        return Launch.grid(Family.REDUCE, "norm_forward_" + suffix(x.dtype()), ReducePlan.blocks(rows, tpr, threads, units), 1, 1,
                threads, optional(optional(new KernelArgs().index(rows).index(n).buffer(x.storage()).index(x.offset()), w, rstd), b, rstd)
                        .f32((float) eps).i32(rms ? 1 : 0).buffer(out.storage()).index(out.offset())
                        .buffer((mean == null ? rstd : mean).storage()).index(mean == null ? 0 : mean.offset())
                        .buffer(rstd.storage()).index(rstd.offset()));
    }

    /** The input gradient of {@link #normForward}. */
    Launch normInputGrad(Strided g, Strided x, int n, Strided w, Strided mean, Strided rstd, boolean rms, Strided dx) {
        long rows = x.numel() / n;
        int tpr = ReducePlan.threadsPerRow(n, threads);
        return Launch.grid(Family.REDUCE, "norm_backward_" + suffix(x.dtype()), ReducePlan.blocks(rows, tpr, threads, units), 1, 1,
                threads, optional(new KernelArgs().index(rows).index(n).buffer(g.storage()).index(g.offset()).buffer(x.storage())
                        .index(x.offset()), w, rstd).buffer((mean == null ? rstd : mean).storage()).index(mean == null ? 0 : mean.offset())
                        .buffer(rstd.storage()).index(rstd.offset()).i32(rms ? 1 : 0).buffer(dx.storage()).index(dx.offset()));
    }

    /** The weight and bias gradients of {@link #normForward}, one thread per column. */
    Launch normParamGrads(Strided g, Strided x, int n, Strided mean, Strided rstd, boolean rms, Strided dw, Strided db) {
        long rows = x.numel() / n;
        Strided any = dw != null ? dw : db;
        return Launch.stride(Family.REDUCE, "norm_params_" + suffix(x.dtype()), n, threads, new KernelArgs().index(rows).index(n)
                .buffer(g.storage()).index(g.offset()).buffer(x.storage()).index(x.offset())
                .buffer((mean == null ? rstd : mean).storage()).index(mean == null ? 0 : mean.offset()).buffer(rstd.storage())
                .index(rstd.offset()).i32(rms ? 1 : 0).buffer((dw == null ? any : dw).storage()).index(dw == null ? 0 : dw.offset())
                .i32(dw == null ? 0 : 1).buffer((db == null ? any : db).storage()).index(db == null ? 0 : db.offset())
                .i32(db == null ? 0 : 1));
    }

    /** An optional float operand: its buffer, offset and 1, or a stand-in buffer, 0 and 0. */
    private static KernelArgs optional(KernelArgs args, Strided operand, Strided standIn) {
        return operand == null ? args.buffer(standIn.storage()).index(0).i32(0)
                : args.buffer(operand.storage()).index(operand.offset()).i32(1);
    }

    /** The shape of the partials {@code [..., chunks]} that the second pass reduces. */
    static long[] partialShape(Strided x, ReducePlan plan) {
        long[] s = x.shape().clone();
        s[s.length - 1] = plan.chunks();
        return s;
    }

    Launch gather(Strided x, int dim, Strided index, Strided out) {
        long[] xs = x.strides().clone();
        xs[dim] = 0; // the index supplies the position along dim
        Layout l = Layout.of("gather", index.shape(), new long[][]{xs, index.strides(), out.strides()},
                new long[]{x.offset(), index.offset(), out.offset()});
        return Launch.stride(Family.INDEX, "gather_" + suffix(x.dtype()), l.numel(), threads, new KernelArgs().layout(l)
                .index(x.shape()[dim]).index(x.strides()[dim]).i32(dim).buffer(x.storage()).buffer(index.storage())
                .buffer(out.storage()).errorSlot());
    }

    /** Whether a scatter-add into {@code dtype} over an index extent of {@code extent} adds atomically. */
    boolean atomicScatter(DType dtype, long extent) { return extent > ATOMIC_SCATTER_EXTENT && dialect.hasAtomicAdd(dtype); }

    /** Null when there is nothing to do. */
    Launch scatterAdd(Strided dst, int dim, Strided index, Strided src) {
        long jn = index.shape()[dim];
        if (atomicScatter(dst.dtype(), jn)) {
            long[] ds = dst.strides().clone();
            ds[dim] = 0;
            Layout l = Layout.of("scatterAdd", index.shape(), new long[][]{ds, index.strides(), src.strides()},
                    new long[]{dst.offset(), index.offset(), src.offset()});
            if (l.numel() == 0) return null;
            return Launch.stride(Family.INDEX, "scatter_add_atomic_" + suffix(dst.dtype()), l.numel(), threads, new KernelArgs()
                    .layout(l).index(dst.shape()[dim]).index(dst.strides()[dim]).i32(dim).buffer(dst.storage())
                    .buffer(index.storage()).buffer(src.storage()).errorSlot());
        }
        long[] iter = index.shape().clone();
        iter[dim] = dst.shape()[dim]; // one thread per destination the index can reach
        long[] is = index.strides().clone(), ss = src.strides().clone();
        is[dim] = 0;
        ss[dim] = 0;
        Layout l = Layout.unmerged("scatterAdd", iter, new long[][]{dst.strides(), is, ss},
                new long[]{dst.offset(), index.offset(), src.offset()});
        if (l.numel() == 0) return null;
        long inner = 1;
        for (int d = dim + 1; d < iter.length; d++) inner *= iter[d];
        return Launch.stride(Family.INDEX, "scatter_add_" + suffix(dst.dtype()), l.numel(), threads, new KernelArgs().layout(l)
                .index(inner).index(dst.shape()[dim]).index(jn).index(index.strides()[dim]).index(src.strides()[dim]).i32(dim)
                .buffer(dst.storage()).buffer(index.storage()).buffer(src.storage()).errorSlot());
    }

    /**
     * {@code size} as an int, for a kernel or BLAS parameter of C type {@code int} (a matrix dimension); a larger one is
     * refused by name rather than truncated.
     */
    static int int32(String op, long size) {
        if (size > Integer.MAX_VALUE)
            throw new UnsupportedOperationException(op + ": a size of " + size + " passes 2^31 - 1, the most this GPU path takes "
                    + "(an int parameter of its kernel or BLAS); split the tensor");
        return (int) size;
    }

    private static int[] geometry(ConvGeometry g) {
        return new int[]{g.inH(), g.inW(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(),
                g.dilationH(), g.dilationW(), g.outH(), g.outW()};
    }

    /** {@code cols} may be any strided view of {@code [n, c * kh * kw, L]}. */
    Launch im2col(Strided x, ConvGeometry g, double padValue, Strided cols) {
        long[] xs = x.strides(), cs = cols.strides();
        return Launch.stride(Family.CONV, "im2col_" + suffix(x.dtype()), cols.numel(), threads, new KernelArgs()
                .index(x.shape()[0]).index(x.shape()[1]).intStruct(geometry(g)).index(x.offset()).index(xs[0]).index(xs[1])
                .index(xs[2]).index(xs[3]).buffer(x.storage()).element(x.dtype(), padValue).index(cols.offset()).index(cs[0])
                .index(cs[1]).index(cs[2]).buffer(cols.storage()));
    }

    /** {@code x} is contiguous and zeroed by the caller. */
    Launch col2im(Strided cols, ConvGeometry g, Strided x) {
        long[] cs = cols.strides();
        return Launch.stride(Family.CONV, "col2im_" + suffix(x.dtype()), x.numel(), threads, new KernelArgs()
                .index(x.shape()[0]).index(x.shape()[1]).intStruct(geometry(g)).index(cols.offset()).index(cs[0]).index(cs[1])
                .index(cs[2]).buffer(cols.storage()).index(x.offset()).buffer(x.storage()));
    }

    /** {@code out} is contiguous. */
    Launch random(Strided out, Philox.Distribution dist, long seed, long offset, double a, double b) {
        long n = out.numel();
        var args = new KernelArgs().index(n).buffer(out.storage()).index(out.offset()).i32(dist == Philox.Distribution.NORMAL ? 1 : 0)
                .i64(seed).i64(offset);
        if (fp64) args.f64(a).f64(b); else args.f32((float) a).f32((float) b);
        return Launch.stride(Family.RANDOM, "random_" + suffix(out.dtype()), (n + 1) / 2, threads, args);
    }

    Launch sgd(Strided param, Strided grad, Strided buf, double lr, double momentum, double dampening, double weightDecay,
               boolean nesterov, boolean firstStep) {
        DType t = param.dtype();
        Strided b = buf == null ? param : buf; // a placeholder argument without a momentum buffer
        return Launch.stride(Family.OPTIM, "sgd_" + suffix(t), param.numel(), threads, new KernelArgs().index(param.numel())
                .buffer(param.storage()).index(param.offset()).buffer(grad.storage()).index(grad.offset()).buffer(b.storage())
                .index(b.offset()).i32(buf == null ? 0 : 1).real(t, lr).real(t, momentum).real(t, 1 - dampening)
                .real(t, weightDecay).i32(nesterov ? 1 : 0).i32(firstStep ? 1 : 0));
    }

    Launch adam(Strided param, Strided grad, Strided expAvg, Strided expAvgSq, double lr, double beta1, double beta2,
                double eps, double weightDecay, boolean decoupled, long step) {
        DType t = param.dtype();
        double stepSize = lr / (1 - Math.pow(beta1, step)), bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        var args = new KernelArgs().index(param.numel()).buffer(param.storage()).index(param.offset()).buffer(grad.storage())
                .index(grad.offset()).buffer(expAvg.storage()).index(expAvg.offset()).buffer(expAvgSq.storage()).index(expAvgSq.offset());
        for (double s : new double[]{beta1, 1 - beta1, beta2, 1 - beta2, eps, stepSize, bc2Sqrt,
                decoupled ? 1 - lr * weightDecay : 1, decoupled ? 0 : weightDecay}) args.real(t, s);
        return Launch.stride(Family.OPTIM, "adam_" + suffix(t), param.numel(), threads, args);
    }

    /**
     * Ember's tiled GEMM: {@code out [b, m, n] = a [b, m, k] @ b [b, k, n]}, any strides, out contiguous; batches in slices.
     * The kernel takes {@code int} sizes; offsets and strides are index-typed, so operands past 2^31 elements run at 64 bits.
     */
    List<Launch> gemm(Strided a, Strided b, Strided out) {
        long batch = a.shape()[0];
        int m = int32("matmul", a.shape()[1]), k = int32("matmul", a.shape()[2]), n = int32("matmul", b.shape()[2]);
        long[] as = a.strides(), bs = b.strides();
        int tile = 4 * gemmTile;
        List<Launch> launches = new ArrayList<>();
        for (long b0 = 0; b0 < batch; b0 += MAX_GRID_Z) {
            int nb = (int) Math.min(MAX_GRID_Z, batch - b0);
            var args = new KernelArgs().i32(m).i32(n).i32(k)
                    .buffer(a.storage()).index(a.offset() + b0 * as[0]).index(as[0]).index(as[1]).index(as[2])
                    .buffer(b.storage()).index(b.offset() + b0 * bs[0]).index(bs[0]).index(bs[1]).index(bs[2])
                    .buffer(out.storage()).index(out.offset() + b0 * m * n);
            launches.add(Launch.grid(Family.GEMM, "gemm_" + suffix(out.dtype()), (n + tile - 1) / tile, (m + tile - 1) / tile, nb,
                    gemmTile * gemmTile, args));
        }
        return launches;
    }
}
