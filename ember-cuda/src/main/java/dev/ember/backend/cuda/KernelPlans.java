package dev.ember.backend.cuda;

import dev.ember.DType;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ConvGeometry;
import dev.ember.backend.Philox;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import dev.ember.backend.UnaryOp;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which kernel serves a primitive and with which arguments, for the 1-D grid-stride kernels.
 * Free of driver calls, so the same plans run on a GPU ({@link CudaBackend}) and, in tests, on
 * the kernels compiled for the host.
 */
final class KernelPlans {
    private KernelPlans() {}

    /** Unary ops defined on integer (and BOOL) tensors, as in the CPU backend. */
    static final Set<UnaryOp> INTEGER_UNARY = EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.SQUARE,
            UnaryOp.RELU, UnaryOp.FLOOR, UnaryOp.CEIL, UnaryOp.ROUND, UnaryOp.CLAMP, UnaryOp.NOT, UnaryOp.ISNAN);

    /** The kernel-name suffix of a dtype. */
    static String suffix(DType t) {
        return switch (t) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case INT32 -> "i32";
            case INT64 -> "i64";
            case BOOL -> "u8";
        };
    }

    static void requireFloat(String op, DType t) {
        if (!t.isFloatingPoint())
            throw new IllegalArgumentException(op + ": CUDA supports float32 and float64 here, got " + t.torchName());
    }

    /** Elementwise copy with conversion (the driver's memcpy serves same-dtype contiguous copies). */
    static Launch copy(Strided src, Strided dst) {
        var l = KernelLayout.of("copy", dst.shape(), new int[][]{src.strides(), dst.strides()}, new int[]{src.offset(), dst.offset()});
        return new Launch("copy_" + suffix(src.dtype()) + "_" + suffix(dst.dtype()), l.numel(), new KernelArgs()
                .struct(l.shapeStruct()).struct(l.stridesStruct(0)).struct(l.stridesStruct(1)).buf(src.storage()).buf(dst.storage()));
    }

    /** Fill with {@code value} converted as the CPU converts (saturating to integers, BOOL = value != 0). */
    static Launch fill(Strided dst, double value) {
        var l = KernelLayout.of("fill", dst.shape(), new int[][]{dst.strides()}, new int[]{dst.offset()});
        var args = new KernelArgs().struct(l.shapeStruct()).struct(l.stridesStruct(0)).buf(dst.storage());
        switch (dst.dtype()) {
            case FLOAT32 -> args.f((float) value);
            case FLOAT64 -> args.d(value);
            case INT32 -> args.i((int) value);
            case INT64 -> args.l((long) value);
            case BOOL -> args.b((byte) (value != 0 ? 1 : 0));
        }
        return new Launch("fill_" + suffix(dst.dtype()), l.numel(), args);
    }

    static Launch unary(UnaryOp op, Strided x, Strided out, double a, double b) {
        if (x.dtype().isIntegral() && !INTEGER_UNARY.contains(op))
            throw new IllegalArgumentException(op + " is not defined for integer tensors");
        int n = out.numel();
        var l = KernelLayout.of(op.name().toLowerCase(Locale.ROOT), out.shape(), new int[][]{x.strides(), out.strides()},
                new int[]{x.offset(), out.offset()});
        if (x.dtype() == DType.FLOAT32 && out.dtype() == DType.FLOAT32 && l.dense(0) && l.dense(1)
                && x.offset() % 4 == 0 && out.offset() % 4 == 0) {
            return new Launch("unary_f32_vec4", (n + 3) / 4, new KernelArgs().i(op.ordinal()).i(n).buf(x.storage()).i(x.offset())
                    .buf(out.storage()).i(out.offset()).d(a).d(b));
        }
        String kernel = "unary_" + suffix(x.dtype()) + (out.dtype() == DType.BOOL && x.dtype() != DType.BOOL ? "_u8" : "");
        return new Launch(kernel, n, new KernelArgs().i(op.ordinal()).struct(l.shapeStruct()).struct(l.stridesStruct(0))
                .struct(l.stridesStruct(1)).buf(x.storage()).buf(out.storage()).d(a).d(b));
    }

    /** True when the launch may record an integer arithmetic error in the error word. */
    static boolean mayRaise(BinaryOp op, DType t) {
        return t.isIntegral() && (op == BinaryOp.DIV || op == BinaryOp.POW || op == BinaryOp.REMAINDER);
    }

    static Launch binary(BinaryOp op, Strided x, Strided y, Strided out) {
        if (x.dtype().isIntegral() && op == BinaryOp.ATAN2)
            throw new IllegalArgumentException("atan2 is not defined for integer tensors");
        int n = out.numel();
        var l = KernelLayout.of(op.name().toLowerCase(Locale.ROOT), out.shape(),
                new int[][]{x.strides(), y.strides(), out.strides()}, new int[]{x.offset(), y.offset(), out.offset()});
        if (x.dtype() == DType.FLOAT32 && out.dtype() == DType.FLOAT32 && l.dense(0) && l.dense(2)
                && (l.scalar(1) || (l.dense(1) && y.offset() % 4 == 0)) && x.offset() % 4 == 0 && out.offset() % 4 == 0) {
            return new Launch("binary_f32_vec4", (n + 3) / 4, new KernelArgs().i(op.ordinal()).i(n).buf(x.storage()).i(x.offset())
                    .buf(y.storage()).i(y.offset()).i(l.scalar(1) ? 0 : 1).buf(out.storage()).i(out.offset()));
        }
        String kernel = "binary_" + suffix(x.dtype()) + (out.dtype() == DType.BOOL && x.dtype() != DType.BOOL ? "_u8" : "");
        return new Launch(kernel, n, new KernelArgs().i(op.ordinal()).struct(l.shapeStruct()).struct(l.stridesStruct(0))
                .struct(l.stridesStruct(1)).struct(l.stridesStruct(2)).buf(x.storage()).buf(y.storage()).buf(out.storage()).errorWord());
    }

    static Launch where(Strided cond, Strided x, Strided y, Strided out) {
        var l = KernelLayout.of("where", out.shape(), new int[][]{cond.strides(), x.strides(), y.strides(), out.strides()},
                new int[]{cond.offset(), x.offset(), y.offset(), out.offset()});
        return new Launch("where_" + suffix(out.dtype()), l.numel(), new KernelArgs().struct(l.shapeStruct()).struct(l.stridesStruct(0))
                .struct(l.stridesStruct(1)).struct(l.stridesStruct(2)).struct(l.stridesStruct(3))
                .buf(cond.storage()).buf(x.storage()).buf(y.storage()).buf(out.storage()));
    }

    static Launch gather(Strided x, int dim, Strided index, Strided out) {
        int[] xStr = x.strides().clone();
        xStr[dim] = 0; // the index supplies the position along dim
        var l = KernelLayout.of("gather", index.shape(), new int[][]{xStr, index.strides(), out.strides()},
                new int[]{x.offset(), index.offset(), out.offset()});
        return new Launch("gather_" + suffix(x.dtype()), l.numel(), new KernelArgs().struct(l.shapeStruct()).struct(l.stridesStruct(0))
                .struct(l.stridesStruct(1)).struct(l.stridesStruct(2)).i(x.shape()[dim]).i(x.strides()[dim])
                .buf(x.storage()).buf(index.storage()).buf(out.storage()).errorWord());
    }

    static Launch scatterAdd(Strided dst, int dim, Strided index, Strided src) {
        if (dst.dtype() == DType.BOOL) throw new IllegalArgumentException("scatterAdd: BOOL tensors are not supported on CUDA");
        int[] dStr = dst.strides().clone();
        dStr[dim] = 0;
        var l = KernelLayout.of("scatterAdd", index.shape(), new int[][]{dStr, index.strides(), src.strides()},
                new int[]{dst.offset(), index.offset(), src.offset()});
        return new Launch("scatter_add_" + suffix(dst.dtype()), l.numel(), new KernelArgs().struct(l.shapeStruct())
                .struct(l.stridesStruct(0)).struct(l.stridesStruct(1)).struct(l.stridesStruct(2))
                .i(dst.shape()[dim]).i(dst.strides()[dim]).buf(dst.storage()).buf(index.storage()).buf(src.storage()).errorWord());
    }

    private static int[] geometry(ConvGeometry g) {
        return new int[]{g.inH(), g.inW(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(),
                g.dilationH(), g.dilationW(), g.outH(), g.outW()};
    }

    /** {@code cols} may be any strided view of {@code [n, c * kh * kw, L]}. */
    static Launch im2col(Strided x, ConvGeometry g, double padValue, Strided cols) {
        requireFloat("im2col", x.dtype());
        int[] xs = x.strides();
        var args = new KernelArgs().i(x.shape()[0]).i(x.shape()[1]).struct(geometry(g)).i(x.offset()).i(xs[0]).i(xs[1]).i(xs[2]).i(xs[3])
                .buf(x.storage());
        if (x.dtype() == DType.FLOAT32) args.f((float) padValue); else args.d(padValue);
        int[] cs = cols.strides();
        return new Launch("im2col_" + suffix(x.dtype()), cols.numel(), args.i(cols.offset()).i(cs[0]).i(cs[1]).i(cs[2]).buf(cols.storage()));
    }

    /** {@code x} is contiguous and zeroed by the caller. */
    static Launch col2im(Strided cols, ConvGeometry g, Strided x) {
        requireFloat("col2im", x.dtype());
        int n = x.shape()[0], c = x.shape()[1];
        int[] cs = cols.strides();
        return new Launch("col2im_" + suffix(x.dtype()), (long) n * c * g.inH() * g.inW(), new KernelArgs().i(n).i(c)
                .struct(geometry(g)).i(cols.offset()).i(cs[0]).i(cs[1]).i(cs[2]).buf(cols.storage()).i(x.offset()).buf(x.storage()));
    }

    /** {@code out} is contiguous. */
    static Launch random(Strided out, Philox.Distribution dist, long seed, long offset, double a, double b) {
        requireFloat("random", out.dtype());
        int n = out.numel();
        return new Launch("random_" + suffix(out.dtype()), (n + 1) / 2, new KernelArgs().i(n).i(out.offset()).buf(out.storage())
                .l(seed).l(offset).i(dist == Philox.Distribution.NORMAL ? 1 : 0).d(a).d(b));
    }

    static Launch sgd(Strided param, Strided grad, Strided buf, double lr, double momentum, double dampening,
                      double weightDecay, boolean nesterov, boolean firstStep) {
        requireFloat("sgdStep", param.dtype());
        int n = param.numel();
        var args = new KernelArgs().i(n).buf(param.storage()).i(param.offset()).buf(grad.storage()).i(grad.offset())
                .buf(buf == null ? param.storage() : buf.storage()).i(buf == null ? -1 : buf.offset());
        if (param.dtype() == DType.FLOAT32)
            args.f((float) lr).f((float) momentum).f((float) (1 - dampening)).f((float) weightDecay);
        else
            args.d(lr).d(momentum).d(1 - dampening).d(weightDecay);
        return new Launch("sgd_" + suffix(param.dtype()), n, args.i(nesterov ? 1 : 0).i(firstStep ? 1 : 0));
    }

    static Launch adam(Strided param, Strided grad, Strided expAvg, Strided expAvgSq, double lr, double beta1, double beta2,
                       double eps, double weightDecay, boolean decoupled, long step) {
        requireFloat("adamStep", param.dtype());
        int n = param.numel();
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / bc1, bc2Sqrt = Math.sqrt(bc2);
        double decay = decoupled ? 1 - lr * weightDecay : 1, l2 = decoupled ? 0 : weightDecay;
        var args = new KernelArgs().i(n).buf(param.storage()).i(param.offset()).buf(grad.storage()).i(grad.offset())
                .buf(expAvg.storage()).i(expAvg.offset()).buf(expAvgSq.storage()).i(expAvgSq.offset());
        for (double s : new double[]{beta1, 1 - beta1, beta2, 1 - beta2, eps, stepSize, bc2Sqrt, decay, l2}) {
            if (param.dtype() == DType.FLOAT32) args.f((float) s); else args.d(s);
        }
        return new Launch("adam_" + suffix(param.dtype()), n, args);
    }

    // ---- reductions and GEMM (explicit grids) ----------------------------------------------

    /** How a last-axis reduction of {@code x} runs on {@code sms} multiprocessors (ARGMAX/ARGMIN never split). */
    static ReducePlan reducePlan(ReduceOp op, Strided x, int sms) {
        int rank = x.rank(), r = x.shape()[rank - 1], outer = 1;
        for (int d = 0; d < rank - 1; d++) outer *= x.shape()[d];
        if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) return new ReducePlan(1, r);
        return ReducePlan.of(outer, r, sms);
    }

    /**
     * The (first) pass of reducing {@code x [..., r]} into {@code out [...]}: with one chunk per row it
     * writes {@code out}; otherwise it writes {@code outer * chunks} partials, contiguous, into {@code partials}.
     */
    static Launch reduce(ReduceOp op, Strided x, Strided out, ReducePlan plan, Storage partials, int sms) {
        int rank = x.rank();
        int r = x.shape()[rank - 1], rs = x.strides()[rank - 1];
        var l = KernelLayout.of("reduce", Arrays.copyOf(x.shape(), rank - 1),
                new int[][]{Arrays.copyOf(x.strides(), rank - 1), out.strides()}, new int[]{x.offset(), out.offset()});
        int outer = l.numel();
        if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) {
            int tpr = ReducePlan.threadsPerRow(r);
            return Launch.grid("argreduce_" + suffix(x.dtype()), ReducePlan.blocks(outer, tpr, sms), 1, 1,
                    new KernelArgs().i(op.ordinal()).struct(l.shapeStruct()).struct(l.stridesStruct(0)).struct(l.stridesStruct(1))
                            .i(r).i(rs).buf(x.storage()).buf(out.storage()));
        }
        DType t = x.dtype();
        String kernel = "reduce_" + suffix(t) + (t.isIntegral() && t != DType.INT64 && (op == ReduceOp.SUM || op == ReduceOp.PROD) ? "_i64" : "");
        int tpr = ReducePlan.threadsPerRow(plan.chunk());
        return Launch.grid(kernel, ReducePlan.blocks((long) outer * plan.chunks(), tpr, sms), 1, 1,
                new KernelArgs().i(op.ordinal()).struct(l.shapeStruct()).struct(l.stridesStruct(0)).struct(l.stridesStruct(1))
                        .i(r).i(rs).i(plan.chunks()).i(plan.chunk()).buf(x.storage()).buf(plan.chunks() == 1 ? out.storage() : partials));
    }

    /** The shape of the partials buffer {@code [..., chunks]} that the second pass reduces. */
    static int[] partialShape(Strided x, ReducePlan plan) {
        int[] s = x.shape().clone();
        s[s.length - 1] = plan.chunks();
        return s;
    }

    private static final int GEMM_TILE = 64, MAX_GRID_Z = 65535;

    /** Ember's tiled GEMM: {@code out [b, m, n] = a [b, m, k] @ b [b, k, n]}, any strides; batches beyond 65535 in slices. */
    static List<Launch> gemm(Strided a, Strided b, Strided out) {
        int batch = a.shape()[0], m = a.shape()[1], k = a.shape()[2], n = b.shape()[2];
        int[] as = a.strides(), bs = b.strides();
        List<Launch> launches = new ArrayList<>();
        for (int b0 = 0; b0 < batch; b0 += MAX_GRID_Z) {
            int nb = Math.min(MAX_GRID_Z, batch - b0);
            var args = new KernelArgs().i(m).i(n).i(k)
                    .struct(new int[]{a.offset() + b0 * as[0], as[0], as[1], as[2]}).buf(a.storage())
                    .struct(new int[]{b.offset() + b0 * bs[0], bs[0], bs[1], bs[2]}).buf(b.storage())
                    .i(out.offset() + b0 * m * n).buf(out.storage());
            launches.add(Launch.grid("gemm_" + suffix(out.dtype()), (n + GEMM_TILE - 1) / GEMM_TILE, (m + GEMM_TILE - 1) / GEMM_TILE, nb, args));
        }
        return launches;
    }
}
