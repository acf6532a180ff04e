package dev.ember.backend.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ConvGeometry;
import dev.ember.backend.MemoryStats;
import dev.ember.backend.Philox;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * One CUDA device: Ember's kernels from the shipped PTX on one stream, GEMM through cuBLAS (or
 * Ember's own kernel), memory through the caching allocator. Ops queue work and return; host
 * reads ({@link #toHost}) and {@link #synchronize()} wait for it and raise errors that kernels
 * recorded (an out-of-range index, an integer division by zero).
 */
public final class CudaBackend implements Backend, Backends.GpuInfo {
    private static final System.Logger LOG = System.getLogger("dev.ember");

    /** Unary ops defined on integer (and BOOL) tensors, as in the CPU backend. */
    private static final Set<UnaryOp> INTEGER_UNARY = EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.SQUARE,
            UnaryOp.RELU, UnaryOp.FLOOR, UnaryOp.CEIL, UnaryOp.ROUND, UnaryOp.CLAMP, UnaryOp.NOT, UnaryOp.ISNAN);

    private final CudaContext ctx;
    private final Device device;
    private final CudaGemm blas;
    private final KernelGemm kernelGemm;
    private final GemmPathChoice gemmChoice;
    private volatile boolean errorPending;

    CudaBackend(CudaContext ctx) {
        this.ctx = ctx;
        this.device = Device.cuda(ctx.index);
        this.kernelGemm = new KernelGemm(this);
        GemmSetup setup = GemmSetup.create(this, ctx);
        this.blas = setup.gemm() == null ? kernelGemm : setup.gemm();
        this.gemmChoice = setup.choice();
        LOG.log(System.Logger.Level.INFO, "ember: " + device + " " + ctx.deviceName + ": " + gemmChoice.logLine());
    }

    CudaContext context() { return ctx; }

    @Override
    public String name() {
        return String.format(Locale.ROOT, "%s (sm_%d%d, %s PTX, GEMM: %s)", ctx.deviceName, ctx.ccMajor, ctx.ccMinor, ctx.arch,
                gemmChoice.path().label());
    }

    @Override
    public Device device() { return device; }

    @Override
    public boolean isGpu() { return true; }

    @Override
    public long totalMemory() { return ctx.totalMemory; }

    /** The GEMM path in use and why it was chosen. */
    public GemmPathChoice gemmChoice() { return gemmChoice; }

    /** Milliseconds of device time taken by the work {@code work} queues (CUDA events). */
    public float time(Runnable work) { return ctx.time(work); }

    // ---- memory ------------------------------------------------------------------------------

    @Override
    public Storage allocate(DType dtype, int length) {
        CudaStorage s = uninitialized(dtype, length);
        if (s.bytes() > 0) cuMemsetD8Async(s.ptr, (byte) 0, s.bytes(), ctx.stream);
        return s;
    }

    /** Device memory whose contents are whatever the cached block held. */
    CudaStorage uninitialized(DType dtype, int length) {
        long bytes = (long) length * dtype.byteSize();
        ctx.makeCurrent();
        return new CudaStorage(this, dtype, length, ctx.allocator.allocate(bytes), bytes);
    }

    /** Called when a storage is closed or collected: the block goes back to the cache (no driver call). */
    void release(CUdeviceptr ptr, long bytes) { ctx.allocator.release(ptr, bytes); }

    @Override
    public Storage fromHost(DType dtype, Object hostArray) {
        int length = java.lang.reflect.Array.getLength(hostArray);
        CudaStorage s = uninitialized(dtype, length);
        if (length > 0) cuMemcpyHtoD(s.ptr, hostPointer(hostArray), s.bytes());
        return s;
    }

    @Override
    public void toHost(Strided src, Object hostArray) {
        int n = src.numel();
        if (n == 0) return;
        ctx.makeCurrent();
        CudaStorage temp = src.isContiguous() ? null : contiguousCopy(src);
        try {
            CudaStorage s = temp != null ? temp : storage(src);
            long offset = temp != null ? 0 : src.offset();
            long es = src.dtype().byteSize();
            raisePendingErrors();
            ctx.synchronize();
            cuMemcpyDtoH(hostPointer(hostArray), s.ptr.withByteOffset(offset * es), n * es);
        } finally {
            if (temp != null) temp.close();
        }
    }

    private static Pointer hostPointer(Object a) {
        return switch (a) {
            case float[] f -> Pointer.to(f);
            case double[] d -> Pointer.to(d);
            case int[] i -> Pointer.to(i);
            case long[] l -> Pointer.to(l);
            case byte[] b -> Pointer.to(b);
            default -> throw new IllegalArgumentException("cuda: unsupported host array " + a.getClass().getSimpleName());
        };
    }

    /** A contiguous copy of {@code s} in a new storage (closed by the caller). */
    CudaStorage contiguousCopy(Strided s) {
        CudaStorage t = uninitialized(s.dtype(), s.numel());
        copy(s, Strided.contiguous(t, s.shape()));
        return t;
    }

    @Override
    public void copy(Strided src, Strided dst) {
        int n = dst.numel();
        if (n == 0) return;
        ctx.makeCurrent();
        if (src.dtype() == dst.dtype() && src.isContiguous() && dst.isContiguous()) {
            long es = src.dtype().byteSize();
            cuMemcpyDtoDAsync(ptr(dst).withByteOffset(dst.offset() * es), ptr(src).withByteOffset(src.offset() * es), n * es,
                    ctx.stream);
            return;
        }
        var l = KernelLayout.of("copy", dst.shape(), new int[][]{src.strides(), dst.strides()}, new int[]{src.offset(), dst.offset()});
        ctx.launch("copy_" + suffix(src.dtype()) + "_" + suffix(dst.dtype()), n, new KernelArgs()
                .struct(l.shapeStruct()).struct(l.stridesStruct(0)).struct(l.stridesStruct(1)).ptr(ptr(src)).ptr(ptr(dst)));
    }

    @Override
    public void fill(Strided dst, double value) {
        int n = dst.numel();
        if (n == 0) return;
        ctx.makeCurrent();
        if (Double.doubleToRawLongBits(value) == 0 && dst.isContiguous()) {
            long es = dst.dtype().byteSize();
            cuMemsetD8Async(ptr(dst).withByteOffset(dst.offset() * es), (byte) 0, n * es, ctx.stream);
            return;
        }
        var l = KernelLayout.of("fill", dst.shape(), new int[][]{dst.strides()}, new int[]{dst.offset()});
        var args = new KernelArgs().struct(l.shapeStruct()).struct(l.stridesStruct(0)).ptr(ptr(dst));
        switch (dst.dtype()) {
            case FLOAT32 -> args.f((float) value);
            case FLOAT64 -> args.d(value);
            case INT32 -> args.i((int) value);
            case INT64 -> args.l((long) value);
            case BOOL -> args.b((byte) (value != 0 ? 1 : 0));
        }
        ctx.launch("fill_" + suffix(dst.dtype()), n, args);
    }

    @Override
    public void synchronize() {
        ctx.makeCurrent();
        ctx.synchronize();
        raisePendingErrors();
    }

    @Override
    public MemoryStats memoryStats() { return ctx.allocator.stats(); }

    @Override
    public void emptyCache() {
        ctx.makeCurrent();
        ctx.synchronize();
        ctx.allocator.emptyCache();
    }

    // ---- elementwise -------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, Strided x, Strided out, double a, double b) {
        int n = out.numel();
        if (x.dtype().isIntegral() && !INTEGER_UNARY.contains(op))
            throw new IllegalArgumentException(op + " is not defined for integer tensors");
        if (n == 0) return;
        ctx.makeCurrent();
        var l = KernelLayout.of(op.name().toLowerCase(Locale.ROOT), out.shape(), new int[][]{x.strides(), out.strides()},
                new int[]{x.offset(), out.offset()});
        if (x.dtype() == DType.FLOAT32 && out.dtype() == DType.FLOAT32 && l.dense(0) && l.dense(1)
                && x.offset() % 4 == 0 && out.offset() % 4 == 0) {
            ctx.launch("unary_f32_vec4", (n + 3) / 4, new KernelArgs().i(op.ordinal()).i(n).ptr(ptr(x)).i(x.offset())
                    .ptr(ptr(out)).i(out.offset()).d(a).d(b));
            return;
        }
        String kernel = "unary_" + suffix(x.dtype()) + (out.dtype() == DType.BOOL && x.dtype() != DType.BOOL ? "_u8" : "");
        ctx.launch(kernel, n, new KernelArgs().i(op.ordinal()).struct(l.shapeStruct()).struct(l.stridesStruct(0))
                .struct(l.stridesStruct(1)).ptr(ptr(x)).ptr(ptr(out)).d(a).d(b));
    }

    @Override
    public void binary(BinaryOp op, Strided x, Strided y, Strided out) {
        int n = out.numel();
        if (x.dtype().isIntegral() && op == BinaryOp.ATAN2)
            throw new IllegalArgumentException("atan2 is not defined for integer tensors");
        if (n == 0) return;
        ctx.makeCurrent();
        var l = KernelLayout.of(op.name().toLowerCase(Locale.ROOT), out.shape(),
                new int[][]{x.strides(), y.strides(), out.strides()}, new int[]{x.offset(), y.offset(), out.offset()});
        if (x.dtype() == DType.FLOAT32 && out.dtype() == DType.FLOAT32 && l.dense(0) && l.dense(2)
                && (l.scalar(1) || (l.dense(1) && y.offset() % 4 == 0)) && x.offset() % 4 == 0 && out.offset() % 4 == 0) {
            ctx.launch("binary_f32_vec4", (n + 3) / 4, new KernelArgs().i(op.ordinal()).i(n).ptr(ptr(x)).i(x.offset())
                    .ptr(ptr(y)).i(y.offset()).i(l.scalar(1) ? 0 : 1).ptr(ptr(out)).i(out.offset()));
            return;
        }
        if (x.dtype().isIntegral() && (op == BinaryOp.DIV || op == BinaryOp.POW || op == BinaryOp.REMAINDER)) errorPending = true;
        String kernel = "binary_" + suffix(x.dtype()) + (out.dtype() == DType.BOOL && x.dtype() != DType.BOOL ? "_u8" : "");
        ctx.launch(kernel, n, new KernelArgs().i(op.ordinal()).struct(l.shapeStruct()).struct(l.stridesStruct(0))
                .struct(l.stridesStruct(1)).struct(l.stridesStruct(2)).ptr(ptr(x)).ptr(ptr(y)).ptr(ptr(out)).ptr(ctx.errorWord));
    }

    @Override
    public void where(Strided cond, Strided x, Strided y, Strided out) {
        int n = out.numel();
        if (n == 0) return;
        ctx.makeCurrent();
        var l = KernelLayout.of("where", out.shape(), new int[][]{cond.strides(), x.strides(), y.strides(), out.strides()},
                new int[]{cond.offset(), x.offset(), y.offset(), out.offset()});
        ctx.launch("where_" + suffix(out.dtype()), n, new KernelArgs().struct(l.shapeStruct()).struct(l.stridesStruct(0))
                .struct(l.stridesStruct(1)).struct(l.stridesStruct(2)).struct(l.stridesStruct(3))
                .ptr(ptr(cond)).ptr(ptr(x)).ptr(ptr(y)).ptr(ptr(out)));
    }

    // ---- reductions --------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, Strided x, Strided out) {
        int rank = x.rank();
        int r = x.shape()[rank - 1], rs = x.strides()[rank - 1];
        int[] outerShape = Arrays.copyOf(x.shape(), rank - 1);
        if (out.numel() == 0) return;
        ctx.makeCurrent();
        var l = KernelLayout.of("reduce", outerShape, new int[][]{Arrays.copyOf(x.strides(), rank - 1), out.strides()},
                new int[]{x.offset(), out.offset()});
        int outer = l.numel();
        if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) {
            int tpr = ReducePlan.threadsPerRow(r);
            ctx.launch("argreduce_" + suffix(x.dtype()), ReducePlan.blocks(outer, tpr, ctx.multiprocessors), 1, 1,
                    CudaContext.THREADS, new KernelArgs().i(op.ordinal()).struct(l.shapeStruct()).struct(l.stridesStruct(0))
                            .struct(l.stridesStruct(1)).i(r).i(rs).ptr(ptr(x)).ptr(ptr(out)));
            return;
        }
        String kernel = "reduce_" + suffix(x.dtype())
                + (x.dtype().isIntegral() && x.dtype() != DType.INT64 && (op == ReduceOp.SUM || op == ReduceOp.PROD) ? "_i64" : "");
        var plan = ReducePlan.of(outer, r, ctx.multiprocessors);
        if (plan.chunks() == 1) {
            launchReduce(kernel, op, l, r, rs, plan, x, ptr(out));
            return;
        }
        // Few long rows: partial results per chunk, then a second pass over [outer..., chunks].
        try (CudaStorage partial = uninitialized(out.dtype(), outer * plan.chunks())) {
            launchReduce(kernel, op, l, r, rs, plan, x, partial.ptr);
            int[] pShape = Arrays.copyOf(outerShape, rank);
            pShape[rank - 1] = plan.chunks();
            reduce(op, Strided.contiguous(partial, pShape), out);
        }
    }

    private void launchReduce(String kernel, ReduceOp op, KernelLayout l, int r, int rs, ReducePlan plan, Strided x,
                              CUdeviceptr out) {
        int tpr = ReducePlan.threadsPerRow(plan.chunk());
        ctx.launch(kernel, ReducePlan.blocks(l.numel() * plan.chunks(), tpr, ctx.multiprocessors), 1, 1, CudaContext.THREADS,
                new KernelArgs().i(op.ordinal()).struct(l.shapeStruct()).struct(l.stridesStruct(0)).struct(l.stridesStruct(1))
                        .i(r).i(rs).i(plan.chunks()).i(plan.chunk()).ptr(ptr(x)).ptr(out));
    }

    // ---- linear algebra ----------------------------------------------------------------------

    @Override
    public void matmul(Strided a, Strided b, Strided out) {
        if (out.numel() == 0) return;
        ctx.makeCurrent();
        switch (out.dtype()) {
            case FLOAT32, FLOAT64 -> blas.matmul(a, b, out);
            case INT32, INT64 -> kernelGemm.matmul(a, b, out);
            case BOOL -> throw new IllegalArgumentException("matmul: BOOL tensors are not supported on CUDA");
        }
    }

    // ---- indexing ----------------------------------------------------------------------------

    @Override
    public void gather(Strided x, int dim, Strided index, Strided out) {
        if (out.numel() == 0) return;
        ctx.makeCurrent();
        int[] xStr = x.strides().clone();
        xStr[dim] = 0; // the index supplies the position along dim
        var l = KernelLayout.of("gather", index.shape(), new int[][]{xStr, index.strides(), out.strides()},
                new int[]{x.offset(), index.offset(), out.offset()});
        errorPending = true;
        ctx.launch("gather_" + suffix(x.dtype()), l.numel(), new KernelArgs().struct(l.shapeStruct()).struct(l.stridesStruct(0))
                .struct(l.stridesStruct(1)).struct(l.stridesStruct(2)).i(x.shape()[dim]).i(x.strides()[dim])
                .ptr(ptr(x)).ptr(ptr(index)).ptr(ptr(out)).ptr(ctx.errorWord));
    }

    @Override
    public void scatterAdd(Strided dst, int dim, Strided index, Strided src) {
        if (dst.dtype() == DType.BOOL) throw new IllegalArgumentException("scatterAdd: BOOL tensors are not supported on CUDA");
        if (index.numel() == 0) return;
        ctx.makeCurrent();
        int[] dStr = dst.strides().clone();
        dStr[dim] = 0;
        var l = KernelLayout.of("scatterAdd", index.shape(), new int[][]{dStr, index.strides(), src.strides()},
                new int[]{dst.offset(), index.offset(), src.offset()});
        errorPending = true;
        ctx.launch("scatter_add_" + suffix(dst.dtype()), l.numel(), new KernelArgs().struct(l.shapeStruct())
                .struct(l.stridesStruct(0)).struct(l.stridesStruct(1)).struct(l.stridesStruct(2))
                .i(dst.shape()[dim]).i(dst.strides()[dim]).ptr(ptr(dst)).ptr(ptr(index)).ptr(ptr(src)).ptr(ctx.errorWord));
    }

    // ---- convolution helpers -----------------------------------------------------------------

    @Override
    public void im2col(Strided x, ConvGeometry g, double padValue, Strided cols) {
        requireFloat("im2col", x.dtype());
        int n = x.shape()[0], c = x.shape()[1];
        long work = (long) cols.numel();
        if (work == 0) return;
        ctx.makeCurrent();
        int[] xs = x.strides();
        var args = new KernelArgs().i(n).i(c).struct(geometry(g)).i(x.offset()).i(xs[0]).i(xs[1]).i(xs[2]).i(xs[3]).ptr(ptr(x));
        if (x.dtype() == DType.FLOAT32) args.f((float) padValue); else args.d(padValue);
        ctx.launch("im2col_" + suffix(x.dtype()), work, args.i(cols.offset()).ptr(ptr(cols)));
    }

    @Override
    public void col2im(Strided cols, ConvGeometry g, Strided x) {
        requireFloat("col2im", x.dtype());
        int n = x.shape()[0], c = x.shape()[1];
        long work = (long) n * c * g.inH() * g.inW();
        if (work == 0) return;
        ctx.makeCurrent();
        int[] cs = cols.strides();
        ctx.launch("col2im_" + suffix(x.dtype()), work, new KernelArgs().i(n).i(c).struct(geometry(g)).i(cols.offset())
                .i(cs[0]).i(cs[1]).i(cs[2]).ptr(ptr(cols)).i(x.offset()).ptr(ptr(x)));
    }

    private static int[] geometry(ConvGeometry g) {
        return new int[]{g.inH(), g.inW(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(),
                g.dilationH(), g.dilationW(), g.outH(), g.outW()};
    }

    // ---- random ------------------------------------------------------------------------------

    @Override
    public void random(Strided out, Philox.Distribution dist, long seed, long offset, double a, double b) {
        requireFloat("random", out.dtype());
        int n = out.numel();
        if (n == 0) return;
        ctx.makeCurrent();
        ctx.launch("random_" + suffix(out.dtype()), (n + 1) / 2, new KernelArgs().i(n).i(out.offset()).ptr(ptr(out))
                .l(seed).l(offset).i(dist == Philox.Distribution.NORMAL ? 1 : 0).d(a).d(b));
    }

    // ---- optimizers --------------------------------------------------------------------------

    @Override
    public void sgdStep(Strided param, Strided grad, Strided buf, double lr, double momentum, double dampening,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        requireFloat("sgdStep", param.dtype());
        int n = param.numel();
        if (n == 0) return;
        ctx.makeCurrent();
        var args = new KernelArgs().i(n).ptr(ptr(param)).i(param.offset()).ptr(ptr(grad)).i(grad.offset())
                .ptr(buf == null ? ptr(param) : ptr(buf)).i(buf == null ? -1 : buf.offset());
        if (param.dtype() == DType.FLOAT32)
            args.f((float) lr).f((float) momentum).f((float) (1 - dampening)).f((float) weightDecay);
        else
            args.d(lr).d(momentum).d(1 - dampening).d(weightDecay);
        ctx.launch("sgd_" + suffix(param.dtype()), n, args.i(nesterov ? 1 : 0).i(firstStep ? 1 : 0));
    }

    @Override
    public void adamStep(Strided param, Strided grad, Strided expAvg, Strided expAvgSq, double lr, double beta1,
                         double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        requireFloat("adamStep", param.dtype());
        int n = param.numel();
        if (n == 0) return;
        ctx.makeCurrent();
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / bc1, bc2Sqrt = Math.sqrt(bc2);
        double decay = decoupled ? 1 - lr * weightDecay : 1, l2 = decoupled ? 0 : weightDecay;
        var args = new KernelArgs().i(n).ptr(ptr(param)).i(param.offset()).ptr(ptr(grad)).i(grad.offset())
                .ptr(ptr(expAvg)).i(expAvg.offset()).ptr(ptr(expAvgSq)).i(expAvgSq.offset());
        double[] scalars = {beta1, 1 - beta1, beta2, 1 - beta2, eps, stepSize, bc2Sqrt, decay, l2};
        for (double s : scalars) {
            if (param.dtype() == DType.FLOAT32) args.f((float) s); else args.d(s);
        }
        ctx.launch("adam_" + suffix(param.dtype()), n, args);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static void requireFloat(String op, DType t) {
        if (!t.isFloatingPoint())
            throw new IllegalArgumentException(op + ": CUDA supports float32 and float64 here, got " + t.torchName());
    }

    private void raisePendingErrors() {
        if (!errorPending) return;
        errorPending = false;
        int code = ctx.takeError();
        String where = " (reported by " + device + " at the next host read)";
        switch (code) {
            case 0 -> { }
            case 1 -> throw new IndexOutOfBoundsException("gather: an index is out of bounds for its dimension" + where);
            case 2 -> throw new IndexOutOfBoundsException("scatterAdd: an index is out of bounds for its dimension" + where);
            case 3 -> throw new ArithmeticException("integer division by zero" + where);
            case 4 -> throw new ArithmeticException("integers to negative integer powers are not allowed" + where);
            case 5 -> throw new ArithmeticException("integer remainder by zero" + where);
            default -> throw new IllegalStateException("cuda: a kernel reported error code " + code + where);
        }
    }

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

    private CudaStorage storage(Strided s) {
        if (!(s.storage() instanceof CudaStorage c) || c.backend() != this)
            throw new IllegalArgumentException("cuda: a " + s.dtype().torchName() + " operand lives on " + s.storage().backend().device()
                    + ", not on " + device);
        return c;
    }

    static CUdeviceptr ptr(Strided s) {
        if (!(s.storage() instanceof CudaStorage c))
            throw new IllegalArgumentException("cuda: an operand lives on " + s.storage().backend().device() + ", not on a CUDA device");
        return c.ptr;
    }
}
