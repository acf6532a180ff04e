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
import java.util.Locale;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * One CUDA device: Ember's kernels from the shipped PTX on one stream, GEMM through cuBLAS (or
 * Ember's own kernel), memory through the caching allocator. Ops queue work and return; host
 * reads ({@link #toHost}) and {@link #synchronize()} wait for it and raise errors that kernels
 * recorded (an out-of-range index, an integer division by zero), each to the thread that launched
 * the failing kernel ({@link dev.ember.backend.KernelErrorSlots}).
 */
public final class CudaBackend implements Backend, Backends.GpuInfo {
    private static final System.Logger LOG = System.getLogger("dev.ember");

    private final CudaContext ctx;
    private final Device device;
    private final CudaGemm blas;
    private final KernelGemm kernelGemm;
    private final GemmPathChoice gemmChoice;

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
            cuMemcpyDtoDAsync(storage(dst).ptr.withByteOffset(dst.offset() * es), storage(src).ptr.withByteOffset(src.offset() * es),
                    n * es, ctx.stream);
            return;
        }
        ctx.launch(KernelPlans.copy(src, dst));
    }

    @Override
    public void fill(Strided dst, double value) {
        int n = dst.numel();
        if (n == 0) return;
        ctx.makeCurrent();
        if (Double.doubleToRawLongBits(value) == 0 && dst.isContiguous()) {
            long es = dst.dtype().byteSize();
            cuMemsetD8Async(storage(dst).ptr.withByteOffset(dst.offset() * es), (byte) 0, n * es, ctx.stream);
            return;
        }
        ctx.launch(KernelPlans.fill(dst, value));
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
        Launch l = KernelPlans.unary(op, x, out, a, b);
        ctx.makeCurrent();
        ctx.launch(l);
    }

    @Override
    public void binary(BinaryOp op, Strided x, Strided y, Strided out) {
        Launch l = KernelPlans.binary(op, x, y, out);
        if (l.work() == 0) return;
        if (KernelPlans.mayRaise(op, x.dtype())) ctx.errors.markPending();
        ctx.makeCurrent();
        ctx.launch(l);
    }

    @Override
    public void where(Strided cond, Strided x, Strided y, Strided out) {
        ctx.makeCurrent();
        ctx.launch(KernelPlans.where(cond, x, y, out));
    }

    // ---- reductions --------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, Strided x, Strided out) {
        if (out.numel() == 0) return;
        ctx.makeCurrent();
        ReducePlan plan = KernelPlans.reducePlan(op, x, ctx.multiprocessors);
        if (plan.chunks() == 1) {
            ctx.launch(KernelPlans.reduce(op, x, out, plan, null, ctx.multiprocessors));
            return;
        }
        // Few long rows: partial results per chunk, then a second pass over [..., chunks].
        try (CudaStorage partial = uninitialized(out.dtype(), out.numel() * plan.chunks())) {
            ctx.launch(KernelPlans.reduce(op, x, out, plan, partial, ctx.multiprocessors));
            reduce(op, Strided.contiguous(partial, KernelPlans.partialShape(x, plan)), out);
        }
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
        ctx.errors.markPending();
        ctx.launch(KernelPlans.gather(x, dim, index, out));
    }

    @Override
    public void scatterAdd(Strided dst, int dim, Strided index, Strided src) {
        Launch l = KernelPlans.scatterAdd(dst, dim, index, src);
        if (l.work() == 0) return;
        ctx.makeCurrent();
        ctx.errors.markPending();
        ctx.launch(l);
    }

    // ---- convolution helpers -----------------------------------------------------------------

    @Override
    public void im2col(Strided x, ConvGeometry g, double padValue, Strided cols) {
        Launch l = KernelPlans.im2col(x, g, padValue, cols);
        ctx.makeCurrent();
        ctx.launch(l);
    }

    @Override
    public void col2im(Strided cols, ConvGeometry g, Strided x) {
        Launch l = KernelPlans.col2im(cols, g, x);
        ctx.makeCurrent();
        ctx.launch(l);
    }

    // ---- random ------------------------------------------------------------------------------

    @Override
    public void random(Strided out, Philox.Distribution dist, long seed, long offset, double a, double b) {
        Launch l = KernelPlans.random(out, dist, seed, offset, a, b);
        ctx.makeCurrent();
        ctx.launch(l);
    }

    // ---- optimizers --------------------------------------------------------------------------

    @Override
    public void sgdStep(Strided param, Strided grad, Strided buf, double lr, double momentum, double dampening,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        Launch l = KernelPlans.sgd(param, grad, buf, lr, momentum, dampening, weightDecay, nesterov, firstStep);
        ctx.makeCurrent();
        ctx.launch(l);
    }

    @Override
    public void adamStep(Strided param, Strided grad, Strided expAvg, Strided expAvgSq, double lr, double beta1,
                         double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        Launch l = KernelPlans.adam(param, grad, expAvg, expAvgSq, lr, beta1, beta2, eps, weightDecay, decoupled, step);
        ctx.makeCurrent();
        ctx.launch(l);
    }

    // ---- helpers -----------------------------------------------------------------------------



    /** Throws the first error a kernel launched by the calling thread recorded since its last check. */
    private void raisePendingErrors() {
        int code = ctx.takeError();
        String where = " (raised by a kernel this thread launched on " + device + ", reported at its next host read)";
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



    private CudaStorage storage(Strided s) {
        if (!(s.storage() instanceof CudaStorage c) || c.backend() != this)
            throw new IllegalArgumentException("cuda: a " + s.dtype().torchName() + " operand lives on " + s.storage().backend().device()
                    + ", not on " + device);
        return c;
    }


}
