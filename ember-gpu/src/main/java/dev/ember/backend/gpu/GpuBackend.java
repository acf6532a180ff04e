package dev.ember.backend.gpu;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.CachingAllocator;
import dev.ember.backend.ConvGeometry;
import dev.ember.backend.FusedNorm;
import dev.ember.backend.FusedOptimizer;
import dev.ember.backend.FusedSoftmax;
import dev.ember.backend.HalfScratch;
import dev.ember.backend.KernelError;
import dev.ember.backend.MemoryStats;
import dev.ember.backend.NativeInterop;
import dev.ember.backend.Philox;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import dev.ember.backend.gpu.KernelSource.Family;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The backend of one GPU, whatever its API: every primitive is planned here once ({@link LaunchPlanner}) and
 * runs as kernels rendered from the op table for the runtime's dialect ({@link KernelSource}), compiled on
 * first use. Memory comes from a caching allocator; ops queue work and return; host reads ({@link #toHost})
 * and {@link #synchronize()} wait for it and raise what kernels recorded (an out-of-range index, an integer
 * division by zero, an op a kernel has no case for), each to the thread that launched the failing kernel
 * ({@link KernelErrorSlots}). Optimizer steps are a fused capability; float GEMM uses the runtime's BLAS
 * where it has one.
 *
 * @param <B> the runtime's buffer handle
 * @param <K> the runtime's kernel handle
 */
public final class GpuBackend<B, K> implements Backend, Backends.GpuInfo, FusedOptimizer, FusedSoftmax, FusedNorm {
    private static final int ERROR_SLOT_BYTES = 24; // int[6]: code, value lo, value hi, dim, size lo, size hi

    private final GpuRuntime<B, K> runtime;
    private final Device device;
    private final DeviceInfo info;
    private final LaunchPlanner plans;
    private final KernelSource.Options options;
    private final boolean index64;
    final CachingAllocator<B> allocator;
    private final KernelErrorSlots<B> errors;
    private final ConcurrentHashMap<String, GpuRuntime.Program<K>> programs = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, K> kernels = new ConcurrentHashMap<>();

    /**
     * The backend of {@code device} over {@code runtime}. The allocator's limit is the system property
     * {@code ember.<type>.memoryLimit} ({@code 512m}, {@code 4g}; see {@link CachingAllocator}).
     */
    public GpuBackend(GpuRuntime<B, K> runtime, Device device) { this(runtime, device, false); }

    /** As {@link #GpuBackend(GpuRuntime, Device)}; with {@code index64} every launch indexes in 64 bits (for tests). */
    public GpuBackend(GpuRuntime<B, K> runtime, Device device, boolean index64) {
        this.runtime = runtime;
        this.device = device;
        this.info = runtime.info();
        this.index64 = index64;
        this.options = new KernelSource.Options(runtime.dialect(), info.fp64(), IndexWidth.I32, info.blockThreads(), info.gemmTile());
        this.plans = new LaunchPlanner(info.blockThreads(), Math.max(1, info.computeUnits()), info.gemmTile(), runtime.dialect(),
                info.fp64());
        this.allocator = new CachingAllocator<>(device.toString(), new CachingAllocator.Device<>() {
            @Override
            public B malloc(long bytes) throws Exception { return runtime.malloc(bytes); }

            @Override
            public void free(B block) { runtime.free(block); }

            @Override
            public void synchronize() { runtime.synchronize(); }
        }, CachingAllocator.limitFromProperty("ember." + device.type() + ".memoryLimit"));
        this.errors = new KernelErrorSlots<>(new KernelErrorSlots.Device<>() {
            @Override
            public B create() {
                try {
                    B slot = runtime.malloc(ERROR_SLOT_BYTES); // outside the allocator's statistics
                    runtime.zero(slot, 0, ERROR_SLOT_BYTES);
                    return slot;
                } catch (Exception e) {
                    throw new IllegalStateException(device + ": cannot allocate a kernel error slot: " + e.getMessage(), e);
                }
            }

            @Override
            public void clear(B slot) { runtime.zero(slot, 0, ERROR_SLOT_BYTES); }
        });
    }

    /** The runtime this backend runs on (for its own extras, such as timing on CUDA). */
    public GpuRuntime<B, K> runtime() { return runtime; }

    /** The options every kernel program of this backend is rendered with (at 32-bit indices). */
    public KernelSource.Options kernelOptions() { return options; }

    @Override
    public String name() { return info.description(); }

    @Override
    public Device device() { return device; }

    @Override
    public boolean isGpu() { return info.gpu(); }

    @Override
    public long totalMemory() { return info.totalMemory(); }

    // ---- memory ------------------------------------------------------------------------------

    @Override
    public Storage allocate(DType dtype, long length) {
        GpuStorage<B> s = uninitialized(dtype, length);
        long bytes = length * dtype.byteSize();
        if (bytes > 0) runtime.zero(s.buffer, 0, bytes);
        return s;
    }

    @Override
    public Storage allocateUninitialized(DType dtype, long length) { return uninitialized(dtype, length); }

    /**
     * Device memory whose contents are whatever the cached block held. A size the device cannot hold fails in the
     * allocator, with the driver's reason.
     */
    private GpuStorage<B> uninitialized(DType dtype, long length) {
        if (dtype == DType.FLOAT64 && !info.fp64())
            throw new UnsupportedOperationException(device + " (" + info.description() + ") has no double precision, so float64 "
                    + "is not supported on it");
        if (length < 0 || length > Long.MAX_VALUE / dtype.byteSize())
            throw new IllegalArgumentException(device + ": cannot allocate " + length + " " + dtype.torchName()
                    + " elements (2^63 bytes or more)");
        long bytes = length * dtype.byteSize();
        return new GpuStorage<>(this, dtype, length, allocator.allocate(Math.max(1, bytes)), Math.max(1, bytes));
    }

    @Override
    public Storage fromHost(DType dtype, Object hostArray) {
        HostArrays.require("fromHost", dtype, hostArray);
        GpuStorage<B> s = uninitialized(dtype, HostArrays.length(hostArray));
        if (s.length() > 0) runtime.copyIn(hostArray, s.buffer);
        return s;
    }

    @Override
    public void toHost(Strided src, Object hostArray) {
        long n = src.numel();
        if (n > HostArrays.length(hostArray))
            throw new IllegalArgumentException("toHost: " + n + " elements do not fit a host array of " + HostArrays.length(hostArray));
        if (n > 0) {
            B from = buffer(src.storage());
            GpuStorage<B> temp = src.isContiguous() ? null : contiguousCopy(src);
            try {
                long offset = temp != null ? 0 : src.offset() * src.dtype().byteSize();
                runtime.copyOut(temp != null ? temp.buffer : from, offset, hostArray, (int) n);
            } finally {
                if (temp != null) temp.close();
            }
        }
        raiseErrors();
    }

    /** A contiguous copy of {@code s} in a new storage (closed by the caller). */
    private GpuStorage<B> contiguousCopy(Strided s) {
        GpuStorage<B> t = uninitialized(s.dtype(), s.numel());
        copy(s, Strided.contiguous(t, s.shape()));
        return t;
    }

    @Override
    public void copy(Strided src, Strided dst) {
        long n = dst.numel();
        if (n == 0) return;
        if (src.dtype() == dst.dtype() && src.isContiguous() && dst.isContiguous()) {
            long es = src.dtype().byteSize();
            runtime.copy(buffer(src.storage()), src.offset() * es, buffer(dst.storage()), dst.offset() * es, n * es);
            return;
        }
        run(plans.copy(src, dst));
    }

    @Override
    public void fill(Strided dst, double value) {
        long n = dst.numel();
        if (n == 0) return;
        if (Double.doubleToRawLongBits(value) == 0 && dst.isContiguous()) {
            long es = dst.dtype().byteSize();
            runtime.zero(buffer(dst.storage()), dst.offset() * es, n * es);
            return;
        }
        run(plans.fill(dst, value));
    }

    @Override
    public void synchronize() {
        runtime.synchronize();
        raiseErrors();
    }

    @Override
    public MemoryStats memoryStats() { return allocator.stats(); }

    @Override
    public void emptyCache() {
        runtime.synchronize();
        allocator.emptyCache();
    }

    @Override
    public void resetPeakMemoryStats() { allocator.resetPeak(); }

    // ---- elementwise -------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, Strided x, Strided out, double a, double b) {
        if (out.numel() == 0) return;
        if (mixedHalf(x, out)) {
            try (var h = halfScratch(op.name().toLowerCase(Locale.ROOT), x, out)) {
                Strided o = h.out(out, false);
                unary(op, h.in(x), o, a, b);
                h.writeBack();
            }
            return;
        }
        run(plans.unary(op, x, out, a, b));
    }

    @Override
    public void binary(BinaryOp op, Strided x, Strided y, Strided out) {
        if (out.numel() == 0) return;
        if (mixedHalf(x, y, out)) {
            try (var h = halfScratch(op.name().toLowerCase(Locale.ROOT), x, y, out)) {
                Strided o = h.out(out, false);
                binary(op, h.in(x), h.in(y), o);
                h.writeBack();
            }
            return;
        }
        run(plans.binary(op, x, y, out));
    }

    @Override
    public void where(Strided cond, Strided x, Strided y, Strided out) {
        if (out.numel() == 0) return;
        if (mixedHalf(x, y, out)) {
            try (var h = halfScratch("where", x, y, out)) {
                Strided o = h.out(out, false);
                where(cond, h.in(x), h.in(y), o);
                h.writeBack();
            }
            return;
        }
        run(plans.where(cond, x, y, out));
    }

    // ---- reductions --------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, Strided x, Strided out) {
        if (out.numel() == 0) return;
        if (HalfScratch.any(x, out) && !op.isArg() && !KernelSource.reduces(GpuType.of(x.dtype()), GpuType.of(out.dtype()))) {
            try (var h = halfScratch(op.name().toLowerCase(Locale.ROOT), x, out)) {
                Strided o = h.out(out, false);
                reduce(op, h.in(x), o);
                h.writeBack();
            }
            return;
        }
        ReducePlan plan = plans.reducePlan(op, x);
        if (plan.chunks() == 1) {
            run(plans.reduce(op, x, out, plan, null));
            return;
        }
        // Few long rows: partials per piece, then a second pass over [..., chunks]; a 16-bit result's partials
        // stay float32, so it rounds once.
        DType partialType = HalfScratch.isHalf(out) ? DType.FLOAT32 : out.dtype();
        try (GpuStorage<B> partial = uninitialized(partialType, out.numel() * plan.chunks())) {
            run(plans.reduce(op, x, out, plan, partial));
            reduce(op, Strided.contiguous(partial, LaunchPlanner.partialShape(x, plan)), out);
        }
    }

    /**
     * Softmax and log-softmax in one launch for float rows (16-bit ones read and written in 16 bits, computed in
     * float32): the composed form costs a max, a subtraction, an exp, a sum and a division, each a pass over the
     * tensor, and float32 copies of a 16-bit input.
     */
    @Override
    public boolean softmaxLastDim(Strided x, Strided out, boolean log) {
        if (!x.dtype().isFloatingPoint() || out.dtype() != x.dtype() || !out.isContiguous() || x.rank() == 0) return false;
        if (out.numel() == 0) return true;
        run(plans.softmax(x, out, log));
        return true;
    }

    /**
     * LayerNorm and RMSNorm in one launch each way (and one for the parameter gradients) for FLOAT32 and 16-bit rows,
     * computed in float32 as the CPU's kernel: the composed form is about ten kernels and as many intermediates each
     * way, and float32 copies of a 16-bit input.
     */
    @Override
    public boolean normForward(Strided x, int n, Strided weight, Strided bias, double eps, boolean rms, Strided out,
                               Strided mean, Strided rstd) {
        if (!normRows(x, n) || !normRows(out, n) || out.dtype() != x.dtype() || out.numel() != x.numel()) return false;
        long rows = x.numel() / n;
        if (!floatVector(weight, n) || !floatVector(bias, n) || (rms ? mean != null : !floatVector(mean, rows) || mean == null)
                || rstd == null || !floatVector(rstd, rows)) return false;
        if (rows > 0) run(plans.normForward(x, n, weight, bias, eps, rms, out, mean, rstd));
        return true;
    }

    @Override
    public boolean normBackward(Strided grad, Strided x, int n, Strided weight, Strided mean, Strided rstd, boolean rms,
                                Strided dx, Strided dweight, Strided dbias) {
        if (!normRows(x, n) || !normRows(grad, n) || grad.dtype() != x.dtype() || grad.numel() != x.numel()) return false;
        if (dx != null && (!normRows(dx, n) || dx.dtype() != x.dtype() || dx.numel() != x.numel())) return false;
        long rows = x.numel() / n;
        if (!floatVector(weight, n) || !floatVector(dweight, n) || !floatVector(dbias, n) || (rms && dbias != null)
                || (rms ? mean != null : !floatVector(mean, rows) || mean == null) || rstd == null || !floatVector(rstd, rows))
            return false;
        if (rows > 0 && dx != null) run(plans.normInputGrad(grad, x, n, weight, mean, rstd, rms, dx));
        if (dweight != null || dbias != null) {
            if (rows > 0) run(plans.normParamGrads(grad, x, n, mean, rstd, rms, dweight, dbias));
            else { // no rows: the sums are zero
                if (dweight != null) fill(dweight, 0);
                if (dbias != null) fill(dbias, 0);
            }
        }
        return true;
    }

    /** Contiguous FLOAT32 or 16-bit elements that split into rows of {@code n}. */
    private static boolean normRows(Strided s, int n) {
        DType d = s.dtype();
        return n > 0 && s.isContiguous() && s.numel() % n == 0 && (d == DType.FLOAT32 || d == DType.FLOAT16 || d == DType.BFLOAT16);
    }

    /** Absent, or contiguous FLOAT32 of {@code length} elements. */
    private static boolean floatVector(Strided s, long length) {
        return s == null || (s.dtype() == DType.FLOAT32 && s.isContiguous() && s.numel() == length);
    }

    // ---- linear algebra ----------------------------------------------------------------------

    @Override
    public void matmul(Strided a, Strided b, Strided out) {
        if (out.numel() == 0) return;
        Optional<Blas<B>> blas = runtime.blas();
        // 16-bit products accumulate in float32 and round once: a BLAS's 16-bit GEMM (cuBLAS GemmEx), else its
        // float32 GEMM on widened copies, else Ember's kernel, which widens as it stages its tiles.
        if (HalfScratch.any(a, b, out) && (mixedHalf(a, b, out) || blas.isPresent() && !blas.get().supports(out.dtype()))) {
            try (var h = halfScratch("matmul", a, b, out)) {
                Strided o = h.out(out, false);
                matmul(h.in(a), h.in(b), o);
                h.writeBack();
            }
            return;
        }
        if (blas.isPresent() && blas.get().supports(out.dtype())) {
            blasMatmul(blas.get(), a, b, out);
            return;
        }
        for (Launch l : plans.gemm(a, b, out)) run(l);
    }

    /** Row-major {@code a @ b} as one column-major strided-batched call; operands BLAS cannot address are copied first. */
    private void blasMatmul(Blas<B> blas, Strided a, Strided b, Strided out) {
        int batch = LaunchPlanner.int32("matmul", a.shape()[0]), m = LaunchPlanner.int32("matmul", a.shape()[1]),
                k = LaunchPlanner.int32("matmul", a.shape()[2]), n = LaunchPlanner.int32("matmul", b.shape()[2]);
        try (var ac = new BlasOperand(a); var bc = new BlasOperand(b)) {
            BlasCall call = BlasCall.of(batch, m, k, n, ac.layout, ac.batchStride, bc.layout, bc.batchStride);
            blas.gemm(out.dtype(), call, bc.buffer, bc.offset, ac.buffer, ac.offset, buffer(out.storage()), out.offset());
        }
    }

    /** An operand in a BLAS layout, copied to a temporary when its strides fit none. */
    private final class BlasOperand implements AutoCloseable {
        final B buffer;
        final long offset, batchStride;
        final GemmOperand layout;
        private final GpuStorage<B> temp;

        BlasOperand(Strided s) {
            long rows = s.shape()[1], cols = s.shape()[2];
            GemmOperand l = GemmOperand.of(rows, cols, s.strides()[1], s.strides()[2]);
            if (l != null) {
                temp = null;
                buffer = GpuBackend.this.buffer(s.storage());
                offset = s.offset();
                batchStride = s.shape()[0] == 1 ? 0 : s.strides()[0];
                layout = l;
            } else {
                temp = contiguousCopy(s);
                buffer = temp.buffer;
                offset = 0;
                batchStride = rows * cols;
                layout = GemmOperand.of(rows, cols, cols, 1);
            }
        }

        @Override
        public void close() {
            if (temp != null) temp.close(); // in order: a later reuse of the block queues after this GEMM
        }
    }

    // ---- indexing ----------------------------------------------------------------------------

    @Override
    public void gather(Strided x, int dim, Strided index, Strided out) {
        if (out.numel() == 0) return;
        if (mixedHalf(x, out)) {
            try (var h = halfScratch("gather", x, out)) {
                Strided o = h.out(out, false);
                gather(h.in(x), dim, index, o);
                h.writeBack();
            }
            return;
        }
        run(plans.gather(x, dim, index, out));
    }

    @Override
    public void scatterAdd(Strided dst, int dim, Strided index, Strided src) {
        // A 16-bit scatter-add runs its own kernel, except over a long index extent, where float32's atomic
        // kernel beats the per-destination loop (16-bit elements have no atomic add).
        if (mixedHalf(dst, src) || HalfScratch.isHalf(dst) && plans.atomicScatter(DType.FLOAT32, index.shape()[dim])) {
            try (var h = halfScratch("scatterAdd", dst, src)) {
                Strided d = h.out(dst, true);
                scatterAdd(d, dim, index, h.in(src));
                h.writeBack();
            }
            return;
        }
        Launch l = plans.scatterAdd(dst, dim, index, src);
        if (l != null) run(l);
    }

    // ---- convolution helpers -----------------------------------------------------------------

    @Override
    public void im2col(Strided x, ConvGeometry g, double padValue, Strided cols) {
        if (cols.numel() == 0) return;
        if (mixedHalf(x, cols)) {
            try (var h = halfScratch("im2col", x, cols)) {
                Strided c = h.out(cols, false);
                im2col(h.in(x), g, padValue, c);
                h.writeBack();
            }
            return;
        }
        run(plans.im2col(x, g, padValue, cols));
    }

    @Override
    public void col2im(Strided cols, ConvGeometry g, Strided x) {
        if (x.numel() == 0) return;
        if (mixedHalf(cols, x)) {
            try (var h = halfScratch("col2im", cols, x)) {
                Strided d = h.out(x, true);
                col2im(h.in(cols), g, d);
                h.writeBack();
            }
            return;
        }
        run(plans.col2im(cols, g, x));
    }

    // ---- random ------------------------------------------------------------------------------

    @Override
    public void random(Strided out, Philox.Distribution dist, long seed, long offset, double a, double b) {
        if (out.numel() == 0) return;
        run(plans.random(out, dist, seed, offset, a, b));
    }

    // ---- fused optimizer steps ---------------------------------------------------------------

    @Override
    public void sgdStep(Strided param, Strided grad, Strided buf, double lr, double momentum, double dampening,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        if (param.numel() > 0 && mixedHalf(param, grad, buf)) {
            try (var h = halfScratch("sgdStep", param, grad, buf)) {
                Strided p = h.out(param, true), m = h.out(buf, true);
                sgdStep(p, h.in(grad), m, lr, momentum, dampening, weightDecay, nesterov, firstStep);
                h.writeBack();
            }
            return;
        }
        if (param.numel() > 0) run(plans.sgd(param, grad, buf, lr, momentum, dampening, weightDecay, nesterov, firstStep));
    }

    @Override
    public void adamStep(Strided param, Strided grad, Strided expAvg, Strided expAvgSq, double lr, double beta1,
                         double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        if (param.numel() > 0 && mixedHalf(param, grad, expAvg, expAvgSq)) {
            try (var h = halfScratch("adamStep", param, grad, expAvg, expAvgSq)) {
                Strided p = h.out(param, true), m = h.out(expAvg, true), v = h.out(expAvgSq, true);
                adamStep(p, h.in(grad), m, v, lr, beta1, beta2, eps, weightDecay, decoupled, step);
                h.writeBack();
            }
            return;
        }
        if (param.numel() > 0) run(plans.adam(param, grad, expAvg, expAvgSq, lr, beta1, beta2, eps, weightDecay, decoupled, step));
    }

    /**
     * Float32 scratch for 16-bit operands. {@link HalfScratch} indexes in 32 bits, so a 16-bit view past 2^31 elements is
     * refused here, naming {@code op}.
     */
    private HalfScratch halfScratch(String op, Strided... operands) {
        for (Strided s : operands) if (HalfScratch.isHalf(s)) s.require32(op);
        return new HalfScratch(this);
    }

    /**
     * Whether a primitive with a 16-bit operand must go through float32 scratch ({@link HalfScratch}): its
     * kernels take one element type (a BOOL result, the last operand, aside), so 16-bit operands mixed with another type are
     * widened first. Same-typed 16-bit operands run their own kernels, which widen as they load and round
     * once as they store ({@link GpuType}).
     */
    private static boolean mixedHalf(Strided... operands) {
        if (!HalfScratch.any(operands)) return false;
        DType type = null;
        for (int i = 0; i < operands.length; i++) {
            Strided s = operands[i];
            if (s == null || s.dtype() == DType.BOOL && i == operands.length - 1) continue; // a comparison's result
            if (type == null) type = s.dtype();
            else if (s.dtype() != type) return true;
        }
        return false;
    }

    // ---- launching ---------------------------------------------------------------------------

    /** Queues {@code l}, compiling its program at the index width its arguments need on first use. */
    void run(Launch l) {
        IndexWidth width = index64 ? IndexWidth.I64 : l.args().width();
        K kernel = kernel(l.family(), width, l.kernel());
        B slot = l.args().hasErrorSlot() ? errors.forLaunch() : null;
        runtime.launch(kernel, l.gridFor(info.computeUnits()), l.threads(), l.args().encode(width, this::buffer, slot));
    }

    private K kernel(Family family, IndexWidth width, String name) {
        return kernels.computeIfAbsent(width + "/" + name, key -> program(family, width).kernel(name));
    }

    private GpuRuntime.Program<K> program(Family family, IndexWidth width) {
        String name = family.name().toLowerCase(Locale.ROOT) + (width == IndexWidth.I32 ? "" : ".i64");
        return programs.computeIfAbsent(name, n -> runtime.compile(n, KernelSource.render(family, options.with(width))));
    }

    /** {@link NativeInterop} where the runtime has native access; the fused and other capabilities as {@link Backend}'s. */
    @Override
    public <T> Optional<T> capability(Class<T> type) {
        if (type == NativeInterop.class)
            return runtime.nativeAccess().map(n -> type.cast(new NativeInterop() {
                @Override
                public long address(Strided s) { return n.address(buffer(s.storage())) + s.offset() * s.dtype().byteSize(); }

                @Override
                public long queue() { return n.queue(); }

                @Override
                public boolean idle() { return n.idle(); }
            }));
        return Backend.super.capability(type);
    }

    /** The device buffer behind a storage of this backend; a released one, or another device's, is refused. */
    private B buffer(Storage s) {
        if (!(s instanceof GpuStorage<?> g) || g.backend() != this)
            throw new IllegalArgumentException(device + ": a " + s.dtype().torchName() + " operand lives on " + s.backend().device()
                    + ", not on " + device);
        if (s.isReleased())
            throw new IllegalStateException(device + ": a " + s.dtype().torchName() + " storage of " + s.length()
                    + " elements was closed and cannot be used");
        @SuppressWarnings("unchecked") B b = (B) g.buffer;
        return b;
    }

    /** Throws the first error a kernel launched by the calling thread recorded since its last check. */
    private void raiseErrors() {
        B slot = errors.takePending();
        if (slot == null) return;
        int[] word = new int[6];
        runtime.copyOut(slot, 0, word, 6);
        if (word[0] == 0) return;
        errors.clear(slot);
        String where = " (raised by a kernel this thread launched on " + device + ", reported at its next host read)";
        KernelError e = KernelError.of(word[0]);
        if (e == null) throw new IllegalStateException(device + ": a kernel reported error code " + word[0] + where);
        throw e.exception((word[1] & 0xFFFFFFFFL) | ((long) word[2] << 32), word[3], (word[4] & 0xFFFFFFFFL) | ((long) word[5] << 32), where);
    }
}
