package dev.ember.backend.opencl;

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
import dev.ember.backend.opencl.ClPrograms.Family;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.lwjgl.system.MemoryUtil;

/**
 * The backend of one OpenCL device: every primitive is one kernel launch (or a buffer copy/fill)
 * on the device's in-order queue, with no host synchronisation until the host reads a value
 * ({@link #toHost}, {@link #synchronize}); {@link #fromHost} waits for its upload. Kernel-side
 * errors (an index out of range, integer division by zero) are raised at that next read.
 * float64 needs {@code cl_khr_fp64}. Results match the CPU backend bit for bit where the
 * arithmetic is the same (copies, comparisons, gather, col2im, short scatter-adds, optimizer
 * updates) and to float rounding elsewhere; scatter-adds along more than
 * {@link #ATOMIC_SCATTER_EXTENT} index positions add atomically, in a varying order.
 */
public final class OpenClBackend implements Backend, Backends.GpuInfo {
    /** Unary ops defined on integer and BOOL tensors (as on the CPU). */
    private static final Set<UnaryOp> INTEGER_UNARY = EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.SQUARE,
            UnaryOp.RELU, UnaryOp.FLOOR, UnaryOp.CEIL, UnaryOp.ROUND, UnaryOp.CLAMP, UnaryOp.NOT, UnaryOp.ISNAN);
    private static final long[] REDUCE_GROUP = {64};
    /**
     * Index extents along the scatter dim above which scatterAdd adds atomically (float32, int32)
     * instead of looping over the index once per destination: deterministic below, fast above.
     */
    static final int ATOMIC_SCATTER_EXTENT = 64;

    final ClDevice device;
    private final int index;

    OpenClBackend(ClDevice device, int index) {
        this.device = device;
        this.index = index;
    }

    @Override
    public String name() {
        return device.name + " (" + device.openClC + " on " + device.platformName + (device.fp64 ? ", fp64" : ", no fp64") + ")";
    }

    @Override
    public Device device() { return Device.opencl(index); }

    @Override
    public boolean isGpu() { return device.gpu; }

    @Override
    public long totalMemory() { return device.globalMemory; }

    // ---- memory ------------------------------------------------------------------------------

    @Override
    public Storage allocate(DType dtype, int length) {
        ClStorage s = raw(dtype, length);
        device.zero(s.mem(), 0, (long) length * dtype.byteSize());
        return s;
    }

    /** A buffer with undefined contents. */
    private ClStorage raw(DType dtype, int length) {
        requireSupported(dtype, "allocate");
        if (length < 0) throw new IllegalArgumentException("opencl allocate: negative length " + length);
        long bytes = Math.max(1, (long) length * dtype.byteSize());
        return new ClStorage(this, dtype, length, device.allocator.allocate(bytes), bytes);
    }

    @Override
    public Storage fromHost(DType dtype, Object hostArray) {
        HostArrays.require("fromHost", dtype, hostArray);
        int n = HostArrays.length(hostArray);
        ClStorage s = raw(dtype, n);
        if (n == 0) return s;
        ByteBuffer buf = MemoryUtil.memAlloc(n * dtype.byteSize()).order(ByteOrder.nativeOrder());
        try {
            HostArrays.pack(hostArray, buf);
            device.write(s.mem(), buf); // blocking: the staging buffer is freed right after
        } finally {
            MemoryUtil.memFree(buf);
        }
        return s;
    }

    @Override
    public void toHost(Strided src, Object hostArray) {
        HostArrays.require("toHost", src.dtype(), hostArray);
        int n = src.numel();
        if (HostArrays.length(hostArray) < n)
            throw new IllegalArgumentException("opencl toHost: host array of " + HostArrays.length(hostArray)
                    + " elements is too small for shape " + Arrays.toString(src.shape()));
        if (n > 0) {
            int size = src.dtype().byteSize();
            ByteBuffer buf = MemoryUtil.memAlloc(n * size).order(ByteOrder.nativeOrder());
            try {
                if (src.isContiguous()) {
                    device.read(cl(src).mem(), (long) src.offset() * size, buf);
                } else {
                    try (ClStorage tmp = raw(src.dtype(), n)) { // gather the view on the device first
                        copy(src, Strided.contiguous(tmp, src.shape()));
                        device.read(tmp.mem(), 0, buf);
                    }
                }
                HostArrays.unpack(buf, hostArray, n);
            } finally {
                MemoryUtil.memFree(buf);
            }
        }
        device.errors.raise();
    }

    @Override
    public void copy(Strided src, Strided dst) {
        requireSameShape("copy", src, dst);
        int n = dst.numel();
        if (n == 0) return;
        if (src.dtype() == dst.dtype() && src.isContiguous() && dst.isContiguous()) {
            long size = src.dtype().byteSize();
            device.copyBuffer(cl(src).mem(), src.offset() * size, cl(dst).mem(), dst.offset() * size, n * size);
            return;
        }
        ClLayout l = ClLayout.of("copy", dst.shape(), src.strides(), dst.strides());
        device.launch(Family.COPY, "copy_" + type(src).suffix + "_" + type(dst).suffix, global(n),
                null, l.shape(), cl(src), l.stride(0), src.offset(), cl(dst), l.stride(1), dst.offset());
    }

    @Override
    public void fill(Strided dst, double value) {
        int n = dst.numel();
        if (n == 0) return;
        ClLayout l = ClLayout.of("fill", dst.shape(), dst.strides());
        device.launch(Family.ELEMENTWISE, "fill_" + type(dst).suffix, global(n), null,
                l.shape(), cl(dst), l.stride(0), dst.offset(), type(dst).bits(value));
    }

    @Override
    public void synchronize() {
        device.finish();
        device.errors.raise();
    }

    @Override
    public MemoryStats memoryStats() { return device.allocator.stats(); }

    @Override
    public void emptyCache() { device.allocator.emptyCache(); }

    // ---- elementwise -------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, Strided x, Strided out, double a, double b) {
        requireSameShape("unary " + op, x, out);
        ClType t = type(x);
        if (!t.isFloat() && !INTEGER_UNARY.contains(op))
            throw new IllegalArgumentException(op + " is not defined for integer tensors");
        int n = out.numel();
        if (n == 0) return;
        ClLayout l = ClLayout.of("unary " + op, out.shape(), x.strides(), out.strides());
        if (op == UnaryOp.NOT || op == UnaryOp.ISNAN) {
            device.launch(Family.ELEMENTWISE, "unary_bool_" + t.suffix, global(n), null,
                    op.ordinal(), l.shape(), cl(x), l.stride(0), x.offset(), cl(out), l.stride(1), out.offset());
            return;
        }
        Object[] params = switch (t) {
            case FLOAT32 -> new Object[]{(float) a, (float) b};
            case FLOAT64 -> new Object[]{a, b};
            // Integer CLAMP as Java's (long) min(max(x, a), b): see unary_op in elementwise.cl.
            default -> new Object[]{new long[]{(long) Math.ceil(a), (long) Math.min(a, b), (long) Math.floor(b), (long) b}};
        };
        Object[] args = concat(new Object[]{op.ordinal(), l.shape(), cl(x), l.stride(0), x.offset(), cl(out), l.stride(1), out.offset()}, params);
        device.launch(Family.ELEMENTWISE, "unary_" + t.suffix, global(n), null, args);
    }

    @Override
    public void binary(BinaryOp op, Strided x, Strided y, Strided out) {
        requireSameShape("binary " + op, x, out);
        requireSameShape("binary " + op, y, out);
        if (x.dtype() != y.dtype())
            throw new IllegalArgumentException("opencl binary " + op + ": operands must share a dtype, got " + x.dtype() + " and " + y.dtype());
        ClType t = type(x);
        if (op == BinaryOp.ATAN2 && !t.isFloat()) throw new IllegalArgumentException("atan2 is not defined for integer tensors");
        int n = out.numel();
        if (n == 0) return;
        ClLayout l = ClLayout.of("binary " + op, out.shape(), x.strides(), y.strides(), out.strides());
        if (op.producesBool()) {
            device.launch(Family.ELEMENTWISE, "binary_bool_" + t.suffix, global(n), null, op.ordinal(), l.shape(),
                    cl(x), l.stride(0), x.offset(), cl(y), l.stride(1), y.offset(), cl(out), l.stride(2), out.offset());
        } else {
            device.launch(Family.ELEMENTWISE, "binary_" + t.suffix, global(n), null, op.ordinal(), l.shape(),
                    cl(x), l.stride(0), x.offset(), cl(y), l.stride(1), y.offset(), cl(out), l.stride(2), out.offset(),
                    device.errors.argument());
        }
    }

    @Override
    public void where(Strided cond, Strided x, Strided y, Strided out) {
        for (Strided s : new Strided[]{cond, x, y}) requireSameShape("where", s, out);
        if (cond.dtype() != DType.BOOL) throw new IllegalArgumentException("opencl where: condition must be BOOL, got " + cond.dtype());
        if (x.dtype() != out.dtype() || y.dtype() != out.dtype())
            throw new IllegalArgumentException("opencl where: x, y and out must share a dtype, got " + x.dtype() + ", " + y.dtype() + ", " + out.dtype());
        int n = out.numel();
        if (n == 0) return;
        ClLayout l = ClLayout.of("where", out.shape(), cond.strides(), x.strides(), y.strides(), out.strides());
        device.launch(Family.ELEMENTWISE, "where_" + type(out).suffix, global(n), null, l.shape(),
                cl(cond), l.stride(0), cond.offset(), cl(x), l.stride(1), x.offset(), cl(y), l.stride(2), y.offset(),
                cl(out), l.stride(3), out.offset());
    }

    // ---- reductions --------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, Strided x, Strided out) {
        int rank = x.rank();
        if (rank == 0) throw new IllegalArgumentException("opencl reduce " + op + ": input must have at least one dim");
        ClType in = type(x), o = type(out);
        if (!ClPrograms.reduceSupported(in, o))
            throw new IllegalArgumentException("opencl reduce " + op + ": no kernel from " + x.dtype() + " to " + out.dtype());
        int[] outer = Arrays.copyOf(x.shape(), rank - 1);
        int rows = 1;
        for (int s : outer) rows *= s;
        if (out.numel() != rows)
            throw new IllegalArgumentException("opencl reduce " + op + ": output shape " + Arrays.toString(out.shape())
                    + " does not match input " + Arrays.toString(x.shape()) + " without its last dim");
        if (rows == 0) return;
        ClLayout l = ClLayout.of("reduce " + op, outer, Arrays.copyOf(x.strides(), rank - 1), outStrides(out, outer));
        device.launch(Family.REDUCE, "reduce_" + in.suffix + "_" + o.suffix, new long[]{(long) rows * REDUCE_GROUP[0]}, REDUCE_GROUP,
                op.ordinal(), l.shape(), cl(x), l.stride(0), x.offset(), x.shape()[rank - 1], x.strides()[rank - 1],
                cl(out), l.stride(1), out.offset());
    }

    /** {@code out}'s strides over the reduced shape {@code outer} (out may keep the reduced dim with size 1). */
    private static int[] outStrides(Strided out, int[] outer) {
        if (Arrays.equals(out.shape(), outer)) return out.strides();
        if (!out.isContiguous())
            throw new IllegalArgumentException("opencl reduce: an output of shape " + Arrays.toString(out.shape()) + " must be contiguous");
        return Strided.contiguous(out.storage(), outer).strides(); // same element count: a contiguous out
    }

    // ---- linear algebra ----------------------------------------------------------------------

    @Override
    public void matmul(Strided a, Strided b, Strided out) {
        if (a.rank() != 3 || b.rank() != 3 || out.rank() != 3 || a.shape()[0] != b.shape()[0] || a.shape()[2] != b.shape()[1]
                || out.shape()[0] != a.shape()[0] || out.shape()[1] != a.shape()[1] || out.shape()[2] != b.shape()[2])
            throw new IllegalArgumentException("opencl matmul: expected [b, m, k] @ [b, k, n] -> [b, m, n], got "
                    + Arrays.toString(a.shape()) + " @ " + Arrays.toString(b.shape()) + " -> " + Arrays.toString(out.shape()));
        ClType t = type(out);
        if (t == ClType.BOOL || a.dtype() != out.dtype() || b.dtype() != out.dtype())
            throw new IllegalArgumentException("opencl matmul: unsupported dtypes " + a.dtype() + " @ " + b.dtype() + " -> " + out.dtype());
        int batch = a.shape()[0], m = a.shape()[1], k = a.shape()[2], n = b.shape()[2];
        if ((long) batch * m * n == 0) return;
        int[] as = a.strides(), bs = b.strides(), cs = out.strides();
        int group = device.gemmGroup, tile = 4 * group; // each work-item computes a 4x4 block
        long[] global = {(long) ceilDiv(n, tile) * group, (long) ceilDiv(m, tile) * group, batch};
        device.launch(Family.GEMM, "gemm_" + t.suffix, global, new long[]{group, group, 1}, m, n, k,
                cl(a), a.offset(), as[0], as[1], as[2], cl(b), b.offset(), bs[0], bs[1], bs[2],
                cl(out), out.offset(), cs[0], cs[1], cs[2]);
    }

    // ---- indexing ----------------------------------------------------------------------------

    @Override
    public void gather(Strided x, int dim, Strided index, Strided out) {
        requireIndex("gather", index);
        requireSameShape("gather", index, out);
        if (x.rank() != out.rank() || dim < 0 || dim >= x.rank())
            throw new IllegalArgumentException("opencl gather: dim " + dim + " and shapes " + Arrays.toString(x.shape())
                    + " / " + Arrays.toString(out.shape()) + " do not agree");
        int n = out.numel();
        if (n == 0) return;
        int[] xs = x.strides().clone();
        xs[dim] = 0; // the index supplies the position along dim
        ClLayout l = ClLayout.padded("gather", out.shape(), xs, index.strides(), out.strides());
        device.launch(Family.INDEX, "gather_" + type(x).suffix, global(n), null, l.shape(),
                cl(x), l.stride(0), x.offset(), x.strides()[dim], x.shape()[dim], dim,
                cl(index), l.stride(1), index.offset(), cl(out), l.stride(2), out.offset(), device.errors.argument());
    }

    @Override
    public void scatterAdd(Strided dst, int dim, Strided index, Strided src) {
        requireIndex("scatterAdd", index);
        if (dst.rank() != index.rank() || src.rank() != index.rank() || dim < 0 || dim >= dst.rank())
            throw new IllegalArgumentException("opencl scatterAdd: dim " + dim + " and shapes " + Arrays.toString(dst.shape())
                    + " / " + Arrays.toString(index.shape()) + " / " + Arrays.toString(src.shape()) + " do not agree");
        if (src.dtype() != dst.dtype())
            throw new IllegalArgumentException("opencl scatterAdd: src " + src.dtype() + " and dst " + dst.dtype() + " differ");
        ClType t = type(dst);
        int jn = index.shape()[dim];
        if (jn > ATOMIC_SCATTER_EXTENT && (t == ClType.FLOAT32 || t == ClType.INT32)) {
            scatterAddAtomic(dst, dim, index, src);
            return;
        }
        int[] iter = index.shape().clone();
        iter[dim] = dst.shape()[dim]; // one work-item per destination the index can reach
        int n = 1;
        for (int s : iter) n *= s;
        if (n == 0) return;
        int[] onehot = new int[dst.rank()];
        onehot[dim] = 1;
        ClLayout l = ClLayout.padded("scatterAdd", iter, onehot, dst.strides(), index.strides(), src.strides());
        device.launch(Family.INDEX, "scatter_add_" + t.suffix, global(n), null, l.shape(), l.stride(0),
                cl(dst), l.stride(1), dst.offset(), dst.shape()[dim], dim,
                cl(index), l.stride(2), index.offset(), index.strides()[dim], jn,
                cl(src), l.stride(3), src.offset(), src.strides()[dim], device.errors.argument());
    }

    /** One work-item per index element, adding atomically into dst (float32 and int32 only). */
    private void scatterAddAtomic(Strided dst, int dim, Strided index, Strided src) {
        int n = index.numel();
        if (n == 0) return;
        int[] ds = dst.strides().clone();
        ds[dim] = 0; // the index supplies the position along dim
        ClLayout l = ClLayout.padded("scatterAdd", index.shape(), ds, index.strides(), src.strides());
        device.launch(Family.INDEX, "scatter_add_atomic_" + type(dst).suffix, global(n), null, l.shape(),
                cl(dst), l.stride(0), dst.offset(), dst.strides()[dim], dst.shape()[dim], dim,
                cl(index), l.stride(1), index.offset(), cl(src), l.stride(2), src.offset(), device.errors.argument());
    }

    // ---- convolution helpers -----------------------------------------------------------------

    @Override
    public void im2col(Strided x, ConvGeometry g, double padValue, Strided cols) {
        ClType t = requireFloat("im2col", x);
        int n = cols.numel();
        if (n == 0) return;
        int[] xs = x.strides(), cst = cols.strides();
        device.launch(Family.CONV, "im2col_" + t.suffix, global(n), null, cl(x), new int[]{xs[0], xs[1], xs[2], xs[3]}, x.offset(),
                geometry0(x.shape()[1], g), geometry1(g), scalar(t, padValue), cl(cols), new int[]{cst[0], cst[1], cst[2], 0},
                cols.offset());
    }

    @Override
    public void col2im(Strided cols, ConvGeometry g, Strided x) {
        ClType t = requireFloat("col2im", x);
        if (!x.isContiguous()) throw new IllegalArgumentException("opencl col2im: x must be contiguous");
        int n = x.numel();
        if (n == 0) return;
        int[] cs = cols.strides();
        device.launch(Family.CONV, "col2im_" + t.suffix, global(n), null, cl(cols), new int[]{cs[0], cs[1], cs[2], 0}, cols.offset(),
                geometry0(x.shape()[1], g), geometry1(g), cl(x), x.offset());
    }

    private static int[] geometry0(int channels, ConvGeometry g) {
        return new int[]{channels, g.inH(), g.inW(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padH()};
    }

    private static int[] geometry1(ConvGeometry g) {
        return new int[]{g.padW(), g.dilationH(), g.dilationW(), g.outH(), g.outW(), 0, 0, 0};
    }

    // ---- random ------------------------------------------------------------------------------

    @Override
    public void random(Strided out, Philox.Distribution dist, long seed, long offset, double a, double b) {
        ClType t = requireFloat("random", out);
        if (!out.isContiguous()) throw new IllegalArgumentException("opencl random: out must be contiguous");
        int n = out.numel();
        if (n == 0) return;
        boolean doubles = device.fp64; // the f32 kernel transforms in double where the device can
        device.launch(Family.RANDOM, "random_" + t.suffix, global((n + 1) / 2), null, n, cl(out), out.offset(), dist.ordinal(),
                seed, offset, doubles ? (Object) a : (Object) (float) a, doubles ? (Object) b : (Object) (float) b);
    }

    // ---- optimizers --------------------------------------------------------------------------

    @Override
    public void sgdStep(Strided param, Strided grad, Strided buf, double lr, double momentum, double dampening,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        ClType t = requireFloat("sgdStep", param);
        int n = param.numel();
        if (n == 0) return;
        Strided b = buf == null ? param : buf; // a placeholder argument when there is no momentum buffer
        device.launch(Family.OPTIM, "sgd_" + t.suffix, global(n), null, cl(param), param.offset(), cl(grad), grad.offset(),
                cl(b), b.offset(), buf == null ? 0 : 1, scalar(t, lr), scalar(t, momentum), scalar(t, 1 - dampening),
                scalar(t, weightDecay), nesterov ? 1 : 0, firstStep ? 1 : 0);
    }

    @Override
    public void adamStep(Strided param, Strided grad, Strided expAvg, Strided expAvgSq, double lr, double beta1,
                         double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        ClType t = requireFloat("adamStep", param);
        int n = param.numel();
        if (n == 0) return;
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        device.launch(Family.OPTIM, "adam_" + t.suffix, global(n), null, cl(param), param.offset(), cl(grad), grad.offset(),
                cl(expAvg), expAvg.offset(), cl(expAvgSq), expAvgSq.offset(),
                scalar(t, decoupled ? 1 - lr * weightDecay : 1), scalar(t, decoupled ? 0 : weightDecay),
                scalar(t, beta1), scalar(t, 1 - beta1), scalar(t, beta2), scalar(t, 1 - beta2),
                scalar(t, lr / bc1), scalar(t, Math.sqrt(bc2)), scalar(t, eps));
    }

    // ---- helpers -----------------------------------------------------------------------------

    private ClStorage cl(Strided s) {
        if (s.storage() instanceof ClStorage c && c.backend() == this) return c;
        throw new IllegalArgumentException("opencl: operand lives on " + s.storage().backend().name() + ", not on " + name());
    }

    private ClType type(Strided s) { return ClType.of(s.dtype()); }

    private void requireSupported(DType dtype, String op) {
        if (dtype == DType.FLOAT64 && !device.fp64)
            throw new UnsupportedOperationException("opencl " + op + ": " + device.name + " has no cl_khr_fp64, so float64 is not supported on it");
    }

    private ClType requireFloat(String op, Strided s) {
        ClType t = type(s);
        if (!t.isFloat()) throw new IllegalArgumentException("opencl " + op + ": needs FLOAT32 or FLOAT64, got " + s.dtype());
        return t;
    }

    private static void requireIndex(String op, Strided index) {
        if (index.dtype() != DType.INT64) throw new IllegalArgumentException("opencl " + op + ": index must be INT64, got " + index.dtype());
    }

    private static void requireSameShape(String op, Strided a, Strided out) {
        if (!Arrays.equals(a.shape(), out.shape()))
            throw new IllegalArgumentException("opencl " + op + ": shape " + Arrays.toString(a.shape()) + " does not match "
                    + Arrays.toString(out.shape()));
    }

    private static Object scalar(ClType t, double v) { return t == ClType.FLOAT32 ? (Object) (float) v : (Object) v; }

    private static long[] global(long n) { return new long[]{n}; }

    private static int ceilDiv(int a, int b) { return (a + b - 1) / b; }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
