package dev.ember;

import dev.ember.autograd.Engine;
import dev.ember.autograd.GradMode;
import dev.ember.autograd.Node;
import dev.ember.backend.Backend;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import java.util.List;

/**
 * An n-dimensional array on a device, with PyTorch's semantics: dtypes and type
 * promotion, strided views that share storage, NumPy broadcasting, and reverse-mode
 * autograd for every differentiable op.
 *
 * <p>Ops validate their arguments and throw {@link IllegalArgumentException} naming the op
 * and the shapes ({@code matmul: [2, 3] @ [4, 5]: inner dimensions 3 and 4 differ}), or
 * {@link IndexOutOfBoundsException} for a dim or index out of range. Tensors whose memory
 * lives on a GPU should be closed (try-with-resources) to free it deterministically.
 *
 * <p><b>Closing.</b> {@link #close()} ends a tensor's life on every device: any later op that
 * reads or writes it (or a view of its storage, made before or after) throws
 * {@link IllegalStateException} naming the op, e.g. {@code add: tensor [3, 4] on opencl:0 was closed};
 * its shape, dtype and device stay readable. Backward through a node that saved a tensor since
 * closed throws and names the node, so gradients are never computed from freed memory. Closing
 * twice does nothing.
 */
public final class Tensor implements AutoCloseable {
    /**
     * The most elements (and the largest size of a dimension) a tensor may have: 2^60, so that a byte count (at most 8
     * bytes an element) and every offset stay within a {@code long}. Readers of tensor files check against it.
     */
    public static final long MAX_ELEMENTS = Shapes.MAX_SIZE;

    final Storage storage;
    final long[] shape;
    final long[] strides;
    final long offset;

    /** Set by {@link #close()}; with the storage's released flag, what {@link #liveStorage()} checks. */
    private boolean closed;
    /** The scope that releases this tensor's storage when it closes (owners only; null: none). */
    TensorScope scope;
    /** True when {@link #grad} was made by {@link #accumulateGrad}: replacing it hands it to the current scope. */
    private boolean ownsGrad;
    private boolean requiresGrad;
    private boolean retainsGrad;
    private Tensor grad;
    private Node gradFn;
    private List<java.util.function.Consumer<Tensor>> postAccumulateGradHooks = List.of();

    Tensor(Storage storage, long[] shape, long[] strides, long offset) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        storage.claim(this);
        if (storage.ownedBy(this)) TensorScope.track(this);
    }

    // =========================================================================================
    // Creation
    // =========================================================================================

    /** A tensor holding a copy of {@code data} with the given shape (default: 1-D). */
    public static Tensor of(float[] data, long... shape) { return Creation.of(DType.FLOAT32, data, data.length, shape); }

    public static Tensor of(double[] data, long... shape) { return Creation.of(DType.FLOAT64, data, data.length, shape); }

    public static Tensor of(int[] data, long... shape) { return Creation.of(DType.INT32, data, data.length, shape); }

    public static Tensor of(long[] data, long... shape) { return Creation.of(DType.INT64, data, data.length, shape); }

    /**
     * A FLOAT16 or BFLOAT16 tensor from 16-bit patterns (as {@code torch.frombuffer(buf, dtype=torch.bfloat16)}),
     * so half-precision weights load without a float32 copy; {@link #toBits()} is the reverse.
     */
    public static Tensor ofBits(short[] bits, DType dtype, long... shape) {
        if (dtype != DType.FLOAT16 && dtype != DType.BFLOAT16)
            throw new IllegalArgumentException("Tensor.ofBits: dtype must be FLOAT16 or BFLOAT16, got " + dtype);
        return Creation.of(dtype, bits, bits.length, shape);
    }

    public static Tensor of(boolean[] data, long... shape) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < data.length; i++) b[i] = (byte) (data[i] ? 1 : 0);
        return Creation.of(DType.BOOL, b, data.length, shape);
    }

    /** A 0-d tensor of the default float dtype. */
    public static Tensor scalar(double value) { return full(value, Ember.defaultDType()); }

    /** A 0-d tensor of the given dtype. */
    public static Tensor scalar(double value, DType dtype) { return full(value, dtype); }

    public static Tensor zeros(long... shape) { return Creation.full("zeros", 0, Ember.defaultDType(), Ember.defaultDevice(), shape); }

    public static Tensor zeros(DType dtype, long... shape) { return Creation.full("zeros", 0, dtype, Ember.defaultDevice(), shape); }

    public static Tensor ones(long... shape) { return Creation.full("ones", 1, Ember.defaultDType(), Ember.defaultDevice(), shape); }

    public static Tensor ones(DType dtype, long... shape) { return Creation.full("ones", 1, dtype, Ember.defaultDevice(), shape); }

    public static Tensor full(double value, long... shape) { return Creation.full(value, Ember.defaultDType(), Ember.defaultDevice(), shape); }

    public static Tensor full(double value, DType dtype, long... shape) { return Creation.full(value, dtype, Ember.defaultDevice(), shape); }

    /** Uninitialised in PyTorch; zero-filled here (every backend allocates zeroed memory). */
    public static Tensor empty(long... shape) { return Creation.full("empty", 0, Ember.defaultDType(), Ember.defaultDevice(), shape); }

    public static Tensor zerosLike(Tensor t) { return Creation.full(0, t.dtype(), t.device(), t.shapeLong()); }

    public static Tensor onesLike(Tensor t) { return Creation.full(1, t.dtype(), t.device(), t.shapeLong()); }

    public static Tensor fullLike(Tensor t, double value) { return Creation.full(value, t.dtype(), t.device(), t.shapeLong()); }

    public static Tensor randLike(Tensor t) { return Creation.random(dev.ember.backend.Philox.Distribution.UNIFORM, 0, 1, t.dtype(), t.device(), t.shapeLong()); }

    public static Tensor randnLike(Tensor t) { return Creation.random(dev.ember.backend.Philox.Distribution.NORMAL, 0, 1, t.dtype(), t.device(), t.shapeLong()); }

    /** {@code [0, 1, ..., end - 1]} as INT64. */
    public static Tensor arange(long end) { return Creation.arange(0, end, 1, DType.INT64); }

    /** {@code start, start + step, ...} below {@code end}, as INT64. */
    public static Tensor arange(long start, long end, long step) { return Creation.arange(start, end, step, DType.INT64); }

    /** {@code start, start + step, ...} below {@code end}, in the default float dtype. */
    public static Tensor arange(double start, double end, double step) { return Creation.arange(start, end, step, Ember.defaultDType()); }

    /** {@code steps} evenly spaced values from {@code start} to {@code end} inclusive. */
    public static Tensor linspace(double start, double end, int steps) { return Creation.linspace(start, end, steps); }

    /** The {@code n x n} identity. */
    public static Tensor eye(long n) { return Creation.eye(n, n); }

    public static Tensor eye(long n, long m) { return Creation.eye(n, m); }

    /** Uniform on [0, 1) from the seeded generator. */
    public static Tensor rand(long... shape) {
        return Creation.random(dev.ember.backend.Philox.Distribution.UNIFORM, 0, 1, Ember.defaultDType(), Ember.defaultDevice(), shape);
    }

    /** Standard normal from the seeded generator. */
    public static Tensor randn(long... shape) {
        return Creation.random(dev.ember.backend.Philox.Distribution.NORMAL, 0, 1, Ember.defaultDType(), Ember.defaultDevice(), shape);
    }

    /** Uniform integers in [low, high), INT64. */
    public static Tensor randint(long low, long high, long... shape) { return Creation.randint(low, high, shape); }

    /** A random permutation of {@code 0..n-1}, INT64. */
    public static Tensor randperm(int n) {
        int[] p = Ember.generator().permutation(n);
        long[] l = new long[n];
        for (int i = 0; i < n; i++) l[i] = p[i];
        return of(l).to(Ember.defaultDevice());
    }

    // =========================================================================================
    // Properties and reading back
    // =========================================================================================

    /** The sizes of each dimension. */
    public long[] shape() { return shape.clone(); }

    /** The size of dimension {@code dim} (negative counts from the end). */
    public long size(int dim) { return shape[Shapes.dim("size", dim, shape.length)]; }

    /** Element strides of each dimension. */
    public long[] stride() { return strides.clone(); }

    /** Offset of the first element in the storage, in elements. */
    public long storageOffset() { return offset; }

    /** Number of dimensions. */
    public int dim() { return shape.length; }

    public long numel() { return Shapes.numel(shape); }

    public DType dtype() { return storage.dtype(); }

    public Device device() { return storage.backend().device(); }

    public boolean isContiguous() { return new Strided(storage, shape, strides, offset).isContiguous(); }

    /** Number of in-place modifications of this tensor's storage. */
    public int version() { return storage.version(); }

    public float[] toFloatArray() { return (float[]) Creation.toHost(this, DType.FLOAT32); }

    public double[] toDoubleArray() { return (double[]) Creation.toHost(this, DType.FLOAT64); }

    public int[] toIntArray() { return (int[]) Creation.toHost(this, DType.INT32); }

    public long[] toLongArray() { return (long[]) Creation.toHost(this, DType.INT64); }

    /** The 16-bit patterns of a FLOAT16 or BFLOAT16 tensor, in row-major order. */
    public short[] toBits() {
        if (dtype() != DType.FLOAT16 && dtype() != DType.BFLOAT16)
            throw new IllegalArgumentException("toBits: only FLOAT16 and BFLOAT16 tensors are 16-bit patterns, this one is "
                    + dtype() + " " + Shapes.str(shape));
        return (short[]) Creation.toHost(this, dtype());
    }

    public boolean[] toBooleanArray() {
        byte[] b = (byte[]) Creation.toHost(this, DType.BOOL);
        boolean[] out = new boolean[b.length];
        for (int i = 0; i < b.length; i++) out[i] = b[i] != 0;
        return out;
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1)
            throw new IllegalArgumentException("item: a tensor with " + numel() + " elements (shape " + Shapes.str(shape)
                    + ") cannot be converted to a scalar; only one-element tensors can");
        return toDoubleArray()[0];
    }

    /** The value of a one-element integer tensor, without rounding through double. */
    public long itemLong() {
        if (numel() != 1)
            throw new IllegalArgumentException("itemLong: a tensor with " + numel() + " elements (shape " + Shapes.str(shape)
                    + ") cannot be converted to a scalar");
        return toLongArray()[0];
    }

    /**
     * Prints like PyTorch: {@code tensor([[1., 2.], [3., 4.]], requires_grad=True)}, summarised when large;
     * a closed tensor prints as {@code tensor(<closed>, size=[3, 4], ...)} rather than throwing.
     */
    @Override
    public String toString() { return TensorFormat.format(this); }

    // =========================================================================================
    // Devices, dtypes, copies
    // =========================================================================================

    /** This tensor on {@code device} (itself when already there). */
    public Tensor to(Device device) { return Conversions.toDevice(this, device); }

    /** This tensor converted to {@code dtype} (itself when already of it). */
    public Tensor to(DType dtype) { return Conversions.toDType(this, dtype); }

    public Tensor cpu() { return to(Device.cpu()); }

    /** A contiguous copy that owns its storage; differentiable. */
    @Override
    public Tensor clone() { return Conversions.copy(this, "clone"); }

    /** This tensor if contiguous, else a contiguous copy. */
    public Tensor contiguous() { return isContiguous() ? this : Conversions.copy(this, "contiguous"); }

    /** A view sharing storage that is cut from the graph. */
    public Tensor detach() { return new Tensor(liveStorage(), shape, strides, offset); }

    // =========================================================================================
    // Autograd
    // =========================================================================================

    /** Makes this leaf tensor record operations for autograd; returns this. */
    public Tensor requiresGrad(boolean requiresGrad) {
        if (gradFn != null && !requiresGrad)
            throw new IllegalArgumentException("requiresGrad: only leaf tensors can be changed; use detach() on a non-leaf");
        if (requiresGrad && !dtype().isFloatingPoint())
            throw new IllegalArgumentException("requiresGrad: only floating-point tensors can require gradients, got " + dtype());
        this.requiresGrad = requiresGrad;
        return this;
    }

    public boolean requiresGrad() { return requiresGrad; }

    /** The accumulated gradient, or null. */
    public Tensor grad() { return grad; }

    /**
     * Sets (or clears, with null) the gradient, as assigning {@code x.grad} in PyTorch. The gradient
     * {@linkplain TensorScope#escape escapes} every scope: it lives as long as this tensor holds it. A
     * gradient that backward made and that this call replaces is handed to the innermost open
     * {@link TensorScope}, which releases it when it closes (as PyTorch frees it once unreferenced).
     */
    public void setGrad(Tensor grad) {
        if (grad != null && !java.util.Arrays.equals(grad.shape, shape))
            throw new IllegalArgumentException("setGrad: gradient shape " + Shapes.str(grad.shape) + " does not match tensor shape " + Shapes.str(shape));
        Tensor old = this.grad;
        this.grad = grad;
        if (grad != null) TensorScope.escape(grad);
        if (ownsGrad && old != null && old != grad && old.storage.ownedBy(old)) TensorScope.adopt(old);
        ownsGrad = false;
    }

    /**
     * Adds {@code g} into {@link #grad()} (autograd engine only): the first gradient is copied, so
     * gradients never alias the engine's intermediates; later ones are summed into a new tensor.
     */
    public void accumulateGrad(Tensor g) {
        Tensor prev = grad;
        setGrad(prev == null ? g.clone() : prev.add(g));
        ownsGrad = true;
    }

    /**
     * {@link #accumulateGrad(Tensor)} for a gradient that nothing else reads (autograd engine only: {@code sole} says
     * that no other gradient, pending or just computed, shares its memory): the first one becomes {@link #grad()}
     * itself instead of a copy, as PyTorch's AccumulateGrad takes a gradient it holds the only reference to. Only a
     * dense gradient that owns its storage is taken, so the values and layout are those the copy would have.
     */
    public void accumulateGrad(Tensor g, boolean sole) {
        if (grad == null && sole && g.storage.ownedBy(g) && g.isContiguous() && g.dtype() == dtype()
                && g.device().equals(device())) {
            setGrad(g);
            ownsGrad = true;
            return;
        }
        accumulateGrad(g);
    }

    /** The node that produced this tensor, or null for a leaf. */
    public Node gradFn() { return gradFn; }

    /** True for tensors not produced by a recorded op. */
    public boolean isLeaf() { return gradFn == null; }

    /** Makes a non-leaf tensor keep its gradient in {@link #grad()} during backward. */
    public Tensor retainGrad() {
        if (!requiresGrad) throw new IllegalStateException("retainGrad: the tensor does not require grad");
        retainsGrad = true;
        return this;
    }

    public boolean retainsGrad() { return retainsGrad; }

    /**
     * Registers {@code hook} to run once per backward pass, after this leaf's {@link #grad()} holds
     * the gradient of that pass (every path into the leaf summed), as PyTorch's
     * {@code register_post_accumulate_grad_hook}. Hooks run in registration order, on the thread
     * that runs backward, with grad mode off; they receive this tensor. Distributed data
     * parallelism uses this to start reducing a gradient while the rest of backward runs.
     *
     * @return a handle whose {@link AutoCloseable#close()} removes the hook
     * @throws IllegalStateException if this tensor is not a leaf that requires grad
     */
    public AutoCloseable registerPostAccumulateGradHook(java.util.function.Consumer<Tensor> hook) {
        if (hook == null) throw new IllegalArgumentException("registerPostAccumulateGradHook: hook is null");
        if (!requiresGrad || gradFn != null)
            throw new IllegalStateException("registerPostAccumulateGradHook: only leaf tensors that require grad accumulate gradients");
        var copy = new java.util.ArrayList<>(postAccumulateGradHooks);
        copy.add(hook);
        postAccumulateGradHooks = List.copyOf(copy);
        return () -> {
            var rest = new java.util.ArrayList<>(postAccumulateGradHooks);
            rest.remove(hook);
            postAccumulateGradHooks = List.copyOf(rest);
        };
    }

    /** The hooks registered with {@link #registerPostAccumulateGradHook} (autograd engine only). */
    public List<java.util.function.Consumer<Tensor>> postAccumulateGradHooks() { return postAccumulateGradHooks; }

    /** Back-propagates from this one-element tensor (a gradient of 1). */
    public void backward() {
        if (numel() != 1)
            throw new IllegalArgumentException("backward: grad can be implicitly created only for one-element outputs; this tensor has shape "
                    + Shapes.str(shape) + ", so pass a gradient: backward(gradient)");
        backward(onesLike(this), false);
    }

    /** Back-propagates {@code gradient} (of this tensor's shape). */
    public void backward(Tensor gradient) { backward(gradient, false); }

    /** Back-propagates; with {@code retainGraph} the graph may be traversed again. */
    public void backward(Tensor gradient, boolean retainGraph) { Engine.backward(this, gradient, retainGraph); }

    /** Records {@code node} as this tensor's producer (tensor layer only). */
    Tensor attach(Node node) {
        this.gradFn = node;
        this.requiresGrad = true;
        return this;
    }

    private static final Tensor[] NOTHING_SAVED = new Tensor[0];

    /** Records an op whose formula reads none of its tensors' values (add, views, sum, ...). */
    static Tensor record(String name, Tensor out, Node.Backward backward, Tensor... inputs) {
        return recordSaving(name, out, NOTHING_SAVED, backward, inputs);
    }

    /**
     * Records an op's gradient formula if grad mode is on and any input requires grad; {@code saved}
     * lists the tensors the formula reads, whose in-place modification before backward is an error.
     */
    static Tensor recordSaving(String name, Tensor out, Tensor[] saved, Node.Backward backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) return out;
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad) return out.attach(new Node(name, inputs, saved, backward));
        }
        return out;
    }

    // =========================================================================================
    // Elementwise
    // =========================================================================================

    public Tensor add(Tensor other) { return Elementwise.binary(BinaryOp.ADD, this, other); }

    /** {@code this + alpha * other}. */
    public Tensor add(Tensor other, double alpha) {
        if (alpha == 1) return add(other);
        DType t = Elementwise.resultType(this, other);
        // 16-bit floats: one rounding of the float32 result (as PyTorch), not alpha * other rounded to 16 bits, then the sum
        if (t.isHalf()) return to(DType.FLOAT32).add(other.to(DType.FLOAT32).mul(alpha)).to(t);
        return add(other.mul(alpha));
    }

    public Tensor add(double s) { return Elementwise.binary(BinaryOp.ADD, this, Elementwise.scalarLike(this, s, true)); }

    public Tensor add(long s) { return Elementwise.binary(BinaryOp.ADD, this, Elementwise.scalarLike(this, s, false)); }

    /** {@code this - other}, broadcast; as PyTorch, a BOOL operand is refused (use {@link #logicalXor} or {@link #logicalNot}). */
    public Tensor sub(Tensor other) { return Elementwise.binary(BinaryOp.SUB, this, other); }

    public Tensor sub(double s) { return Elementwise.binary(BinaryOp.SUB, this, Elementwise.scalarLike(this, s, true)); }

    public Tensor sub(long s) { return Elementwise.binary(BinaryOp.SUB, this, Elementwise.scalarLike(this, s, false)); }

    /** {@code s - this}. */
    public Tensor rsub(double s) {
        Tensor scalar = Elementwise.scalarLike(this, s, true);
        Elementwise.refuseBoolSubtraction("rsub", scalar, this);
        return Elementwise.binary(BinaryOp.SUB, scalar, this);
    }

    public Tensor mul(Tensor other) { return Elementwise.binary(BinaryOp.MUL, this, other); }

    public Tensor mul(double s) { return Elementwise.binary(BinaryOp.MUL, this, Elementwise.scalarLike(this, s, true)); }

    public Tensor mul(long s) { return Elementwise.binary(BinaryOp.MUL, this, Elementwise.scalarLike(this, s, false)); }

    /** True division: integer inputs give a float result, as in PyTorch. */
    public Tensor div(Tensor other) { return Elementwise.binary(BinaryOp.DIV, this, other); }

    public Tensor div(double s) { return Elementwise.binary(BinaryOp.DIV, this, Elementwise.scalarLike(this, s, true)); }

    /** Division rounding toward negative infinity ({@code //}). */
    public Tensor floorDivide(Tensor other) {
        if (dtype().isIntegral() && other.dtype().isIntegral()) return Elementwise.floorDivideIntegers(this, other);
        try {
            Tensor q = div(other);
            // 16-bit floats: floor the float32 quotient (as PyTorch), not the one rounded to 16 bits, which may round onto an integer
            if (q.dtype() == DType.FLOAT16 || q.dtype() == DType.BFLOAT16) return to(DType.FLOAT32).div(other.to(DType.FLOAT32)).floor().to(q.dtype());
            return q.floor();
        } catch (IllegalArgumentException e) { // composed from div: say which op the caller called
            throw new IllegalArgumentException("floorDivide: " + e.getMessage(), e);
        }
    }

    public Tensor remainder(Tensor other) { return Elementwise.binary(BinaryOp.REMAINDER, this, other); }

    public Tensor pow(Tensor exponent) { return Elementwise.binary(BinaryOp.POW, this, exponent); }

    public Tensor pow(double exponent) { return Elementwise.unary(UnaryOp.POW_SCALAR, this, exponent, 0); }

    public Tensor atan2(Tensor other) { return Elementwise.binary(BinaryOp.ATAN2, this, other); }

    /** Elementwise maximum (NaN propagates). */
    public Tensor maximum(Tensor other) { return Elementwise.binary(BinaryOp.MAX, this, other); }

    public Tensor minimum(Tensor other) { return Elementwise.binary(BinaryOp.MIN, this, other); }

    /** {@code -this}; as PyTorch, a BOOL tensor is refused (use {@link #logicalNot}). */
    public Tensor neg() { return Elementwise.unary(UnaryOp.NEG, this, 0, 0); }

    public Tensor abs() { return Elementwise.unary(UnaryOp.ABS, this, 0, 0); }

    /** 1, -1 or 0 by sign, as PyTorch's {@code (0 < x) - (x < 0)}: NaN and -0 give +0; BOOL stays BOOL. */
    public Tensor sign() { return Elementwise.unary(UnaryOp.SIGN, this, 0, 0); }

    public Tensor exp() { return Elementwise.unary(UnaryOp.EXP, this, 0, 0); }

    public Tensor log() { return Elementwise.unary(UnaryOp.LOG, this, 0, 0); }

    public Tensor log1p() { return Elementwise.unary(UnaryOp.LOG1P, this, 0, 0); }

    public Tensor expm1() { return Elementwise.unary(UnaryOp.EXPM1, this, 0, 0); }

    public Tensor sqrt() { return Elementwise.unary(UnaryOp.SQRT, this, 0, 0); }

    public Tensor rsqrt() { return Elementwise.unary(UnaryOp.RSQRT, this, 0, 0); }

    public Tensor reciprocal() { return Elementwise.unary(UnaryOp.RECIPROCAL, this, 0, 0); }

    public Tensor square() { return Elementwise.unary(UnaryOp.SQUARE, this, 0, 0); }

    public Tensor sin() { return Elementwise.unary(UnaryOp.SIN, this, 0, 0); }

    public Tensor cos() { return Elementwise.unary(UnaryOp.COS, this, 0, 0); }

    /** The tangent, elementwise; integer inputs compute in the default float dtype. */
    public Tensor tan() { return Elementwise.unary(UnaryOp.TAN, this, 0, 0); }

    public Tensor tanh() { return Elementwise.unary(UnaryOp.TANH, this, 0, 0); }

    public Tensor sigmoid() { return Elementwise.unary(UnaryOp.SIGMOID, this, 0, 0); }

    /** SiLU (swish), {@code x * sigmoid(x)}, as {@code torch.nn.functional.silu}; integer inputs compute in the default float dtype. */
    public Tensor silu() { return Elementwise.unary(UnaryOp.SILU, this, 0, 0); }

    public Tensor relu() { return Elementwise.unary(UnaryOp.RELU, this, 0, 0); }

    /** GELU with the exact erf form (PyTorch's default, {@code approximate='none'}). */
    public Tensor gelu() { return Elementwise.unary(UnaryOp.GELU, this, 0, 0); }

    public Tensor erf() { return Elementwise.unary(UnaryOp.ERF, this, 0, 0); }

    /** {@code log(1 + exp(x))}, linear above 20 as in PyTorch. */
    public Tensor softplus() { return Elementwise.unary(UnaryOp.SOFTPLUS, this, 0, 0); }

    public Tensor leakyRelu(double negativeSlope) { return Elementwise.unary(UnaryOp.LEAKY_RELU, this, negativeSlope, 0); }

    public Tensor floor() { return Elementwise.unary(UnaryOp.FLOOR, this, 0, 0); }

    public Tensor ceil() { return Elementwise.unary(UnaryOp.CEIL, this, 0, 0); }

    /** Rounds half to even, as {@code torch.round}. */
    public Tensor round() { return Elementwise.unary(UnaryOp.ROUND, this, 0, 0); }

    /** Limits each element to {@code [min, max]}. */
    public Tensor clamp(double min, double max) {
        if (min > max) throw new IllegalArgumentException("clamp: min " + min + " is greater than max " + max);
        return Elementwise.unary(UnaryOp.CLAMP, this, min, max);
    }

    public Tensor clampMin(double min) { return Elementwise.unary(UnaryOp.CLAMP, this, min, Double.POSITIVE_INFINITY); }

    public Tensor clampMax(double max) { return Elementwise.unary(UnaryOp.CLAMP, this, Double.NEGATIVE_INFINITY, max); }

    public Tensor isnan() { return Elementwise.unaryRaw(UnaryOp.ISNAN, this, DType.BOOL); }

    public Tensor logicalNot() { return Elementwise.unaryRaw(UnaryOp.NOT, this, DType.BOOL); }

    public Tensor logicalAnd(Tensor other) { return Elementwise.binaryRaw(BinaryOp.AND, this, other); }

    public Tensor logicalOr(Tensor other) { return Elementwise.binaryRaw(BinaryOp.OR, this, other); }

    public Tensor logicalXor(Tensor other) { return Elementwise.binaryRaw(BinaryOp.XOR, this, other); }

    public Tensor eq(Tensor other) { return Elementwise.binaryRaw(BinaryOp.EQ, this, other); }

    public Tensor ne(Tensor other) { return Elementwise.binaryRaw(BinaryOp.NE, this, other); }

    public Tensor lt(Tensor other) { return Elementwise.binaryRaw(BinaryOp.LT, this, other); }

    public Tensor le(Tensor other) { return Elementwise.binaryRaw(BinaryOp.LE, this, other); }

    public Tensor gt(Tensor other) { return Elementwise.binaryRaw(BinaryOp.GT, this, other); }

    public Tensor ge(Tensor other) { return Elementwise.binaryRaw(BinaryOp.GE, this, other); }

    public Tensor eq(double s) { return eq(Elementwise.scalarLike(this, s, true)); }

    public Tensor ne(double s) { return ne(Elementwise.scalarLike(this, s, true)); }

    public Tensor lt(double s) { return lt(Elementwise.scalarLike(this, s, true)); }

    public Tensor le(double s) { return le(Elementwise.scalarLike(this, s, true)); }

    public Tensor gt(double s) { return gt(Elementwise.scalarLike(this, s, true)); }

    public Tensor ge(double s) { return ge(Elementwise.scalarLike(this, s, true)); }

    /** {@code condition ? x : y}, broadcasting all three. */
    public static Tensor where(Tensor condition, Tensor x, Tensor y) { return Elementwise.where(condition, x, y); }

    /** {@code condition ? this : other}. */
    public Tensor where(Tensor condition, Tensor other) { return Elementwise.where(condition, this, other); }

    /** {@code mask ? value : this}; {@code mask} is BOOL and broadcasts to this shape. */
    public Tensor maskedFill(Tensor mask, double value) { return Elementwise.maskedFill(this, mask, value); }

    /** True if all elements are within {@code atol + rtol * |other|} of {@code other}. */
    public boolean allclose(Tensor other, double rtol, double atol) {
        double[] a = toDoubleArray(), b = other.expand(shape()).toDoubleArray();
        for (int i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) return false;
        return true;
    }

    // =========================================================================================
    // Reductions
    // =========================================================================================

    /** Sum of all elements (0-d). */
    public Tensor sum() { return Reductions.sum(this, null, false); }

    public Tensor sum(int dim) { return Reductions.sum(this, new int[]{dim}, false); }

    public Tensor sum(int dim, boolean keepDim) { return Reductions.sum(this, new int[]{dim}, keepDim); }

    public Tensor sum(int[] dims, boolean keepDim) { return Reductions.sum(this, dims, keepDim); }

    public Tensor mean() { return Reductions.mean(this, null, false); }

    public Tensor mean(int dim) { return Reductions.mean(this, new int[]{dim}, false); }

    public Tensor mean(int dim, boolean keepDim) { return Reductions.mean(this, new int[]{dim}, keepDim); }

    public Tensor mean(int[] dims, boolean keepDim) { return Reductions.mean(this, dims, keepDim); }

    /** Largest element (0-d); the gradient is shared evenly among ties, as in PyTorch. */
    public Tensor max() { return Reductions.extreme(this, true); }

    public Tensor min() { return Reductions.extreme(this, false); }

    /** Largest values along {@code dim}; the gradient flows to the selected (first) element. */
    public Tensor max(int dim) { return maxWithIndices(dim, false).values(); }

    public Tensor max(int dim, boolean keepDim) { return maxWithIndices(dim, keepDim).values(); }

    public Tensor min(int dim) { return minWithIndices(dim, false).values(); }

    public Tensor min(int dim, boolean keepDim) { return minWithIndices(dim, keepDim).values(); }

    /** Values and INT64 indices of the maxima along {@code dim}. */
    public ValuesIndices maxWithIndices(int dim, boolean keepDim) { return Reductions.extremeAlong(this, dim, keepDim, true); }

    public ValuesIndices minWithIndices(int dim, boolean keepDim) { return Reductions.extremeAlong(this, dim, keepDim, false); }

    /** Values and indices, as PyTorch's {@code (values, indices)} result. */
    public record ValuesIndices(Tensor values, Tensor indices) {}

    /** Index of the largest element of the flattened tensor (0-d INT64). */
    public Tensor argmax() { return Reductions.argExtreme(reshape(-1), 0, false, true); }

    public Tensor argmax(int dim) { return Reductions.argExtreme(this, dim, false, true); }

    public Tensor argmax(int dim, boolean keepDim) { return Reductions.argExtreme(this, dim, keepDim, true); }

    public Tensor argmin() { return Reductions.argExtreme(reshape(-1), 0, false, false); }

    public Tensor argmin(int dim) { return Reductions.argExtreme(this, dim, false, false); }

    public Tensor argmin(int dim, boolean keepDim) { return Reductions.argExtreme(this, dim, keepDim, false); }

    /** Variance of all elements with Bessel's correction (correction 1). */
    public Tensor var() { return Reductions.var(this, null, 1, false); }

    public Tensor var(int dim) { return Reductions.var(this, new int[]{dim}, 1, false); }

    /** Variance along {@code dims}, dividing by {@code N - correction}. */
    public Tensor var(int[] dims, int correction, boolean keepDim) { return Reductions.var(this, dims, correction, keepDim); }

    public Tensor std() { return Reductions.std(this, null, 1, false); }

    public Tensor std(int dim) { return Reductions.std(this, new int[]{dim}, 1, false); }

    public Tensor std(int[] dims, int correction, boolean keepDim) { return Reductions.std(this, dims, correction, keepDim); }

    /** {@code log(sum(exp(x)))} along {@code dim}, computed stably. */
    public Tensor logsumexp(int dim, boolean keepDim) { return Reductions.logsumexp(this, dim, keepDim); }

    /** Product of all elements (0-d); differentiable, including inputs with zeros. */
    public Tensor prod() { return Reductions.prod(this); }

    /** {@code exp(x) / sum(exp(x))} along {@code dim}, stable for large inputs. */
    public Tensor softmax(int dim) { return Reductions.softmax(this, dim); }

    /** {@code x - logsumexp(x)} along {@code dim}. */
    public Tensor logSoftmax(int dim) { return Reductions.logSoftmax(this, dim); }

    /** True if any element is non-zero. */
    public boolean any() { return ne(0.0).sum().itemLong() > 0; } // a BOOL sum counts in INT64

    /** True if every element is non-zero. */
    public boolean all() { return eq(0.0).sum().itemLong() == 0; }

    // =========================================================================================
    // Linear algebra
    // =========================================================================================

    /** Matrix product with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands. */
    public Tensor matmul(Tensor other) { return LinearAlgebra.matmul(this, other); }

    /** {@code [m, k] @ [k, n]} for 2-D tensors only. */
    public Tensor mm(Tensor other) {
        if (dim() != 2 || other.dim() != 2)
            throw new IllegalArgumentException("mm: expected 2-D tensors, got " + Shapes.str(shape) + " and " + Shapes.str(other.shape));
        return LinearAlgebra.matmul("mm", this, other);
    }

    // =========================================================================================
    // Shape and views
    // =========================================================================================

    /** A view with a new shape (one size may be -1); fails if the strides cannot express it. */
    public Tensor view(long... shape) { return Views.view(this, shape); }

    /** {@link #view} when possible, otherwise a copy. */
    public Tensor reshape(long... shape) { return Views.reshape(this, shape); }

    /** Flattens all dims into one. */
    public Tensor flatten() { return reshape(-1); }

    /** Flattens dims {@code start..end} (inclusive) into one. */
    public Tensor flatten(int start, int end) { return Views.flatten(this, start, end); }

    /** Swaps two dims (a view). */
    public Tensor transpose(int dim0, int dim1) { return Views.transpose(this, dim0, dim1); }

    /** Transpose of a matrix; 0-d and 1-D tensors are returned as they are. */
    public Tensor t() {
        if (dim() > 2) throw new IllegalArgumentException("t: expects a tensor with <= 2 dimensions, got shape " + Shapes.str(shape));
        return dim() < 2 ? this : transpose(0, 1);
    }

    /** Reorders dims (a view). */
    public Tensor permute(int... dims) { return Views.permute(this, dims); }

    public Tensor unsqueeze(int dim) { return Views.unsqueeze(this, dim); }

    /** Removes all size-1 dims. */
    public Tensor squeeze() { return Views.squeeze(this, null); }

    /** Removes {@code dim} if its size is 1. */
    public Tensor squeeze(int dim) { return Views.squeeze(this, dim); }

    /** Broadcasts size-1 dims to the given sizes (-1 keeps a size) without copying. */
    public Tensor expand(long... shape) { return Views.expand(this, shape); }

    public Tensor expandAs(Tensor other) { return expand(other.shape()); }

    /** The slice {@code [start, start + length)} of {@code dim} (a view). */
    public Tensor narrow(int dim, long start, long length) { return Views.narrow(this, dim, start, length); }

    /** The slice at {@code index} of {@code dim}, with that dim removed (a view). */
    public Tensor select(int dim, long index) { return Views.select(this, dim, index); }

    /** Splits into pieces of {@code splitSize} along {@code dim} (the last may be smaller). */
    public List<Tensor> split(long splitSize, int dim) { return Views.split(this, splitSize, dim); }

    /** Splits into {@code chunks} nearly equal pieces along {@code dim}. */
    public List<Tensor> chunk(int chunks, int dim) { return Views.chunk(this, chunks, dim); }

    /** Concatenates along {@code dim}; all other sizes must match. */
    public static Tensor cat(int dim, Tensor... tensors) { return Views.cat(List.of(tensors), dim); }

    public static Tensor cat(List<Tensor> tensors, int dim) { return Views.cat(tensors, dim); }

    /** Stacks along a new dim {@code dim}; all shapes must match. */
    public static Tensor stack(int dim, Tensor... tensors) { return Views.stack(List.of(tensors), dim); }

    public static Tensor stack(List<Tensor> tensors, int dim) { return Views.stack(tensors, dim); }

    // =========================================================================================
    // Indexing
    // =========================================================================================

    /** Rows (or slices along {@code dim}) picked by a 1-D INT64/INT32 {@code index}. */
    public Tensor indexSelect(int dim, Tensor index) { return Indexing.indexSelect(this, dim, index); }

    /** {@code out[i][j] = this[i][index[i][j]]} for dim 1, and likewise for any dim. */
    public Tensor gather(int dim, Tensor index) { return Indexing.gather(this, dim, index); }

    /** A copy of this with {@code src} added at {@code index} along {@code dim} (out of place). */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) { return Indexing.scatterAdd(this, dim, index, src); }

    /** The upper triangle of the last two dims: elements with {@code col - row >= diagonal} kept, the rest zero. */
    public Tensor triu(int diagonal) { return Indexing.triangle(this, diagonal, true); }

    /** The lower triangle of the last two dims: elements with {@code col - row <= diagonal} kept, the rest zero. */
    public Tensor tril(int diagonal) { return Indexing.triangle(this, diagonal, false); }

    /** One-hot encoding of an integer tensor: {@code [...] -> [..., numClasses]} INT64. */
    public Tensor oneHot(int numClasses) { return Indexing.oneHot(this, numClasses); }

    // =========================================================================================
    // Convolution and pooling ([n, c, h, w] inputs)
    // =========================================================================================

    /**
     * 2-D convolution (cross-correlation, as PyTorch): input {@code [n, cIn, h, w]}, weight
     * {@code [cOut, cIn / groups, kh, kw]}, optional bias {@code [cOut]} -> {@code [n, cOut, outH, outW]}.
     */
    public Tensor conv2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return Convolution.conv2d(this, weight, bias, stride, padding, dilation, groups);
    }

    /** {@link #conv2d} with stride, padding and dilation equal along both axes and one group. */
    public Tensor conv2d(Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(weight, bias, new int[]{stride, stride}, new int[]{padding, padding}, new int[]{1, 1}, 1);
    }

    /** Max pooling over {@code kernel} windows; stride defaults to the kernel in PyTorch, pass it explicitly here. */
    public Tensor maxPool2d(int[] kernel, int[] stride, int[] padding) { return Convolution.pool(this, kernel, stride, padding, true); }

    public Tensor maxPool2d(int kernel) { return maxPool2d(new int[]{kernel, kernel}, new int[]{kernel, kernel}, new int[]{0, 0}); }

    /** Average pooling (zero padding counted, as PyTorch's default). */
    public Tensor avgPool2d(int[] kernel, int[] stride, int[] padding) { return Convolution.pool(this, kernel, stride, padding, false); }

    public Tensor avgPool2d(int kernel) { return avgPool2d(new int[]{kernel, kernel}, new int[]{kernel, kernel}, new int[]{0, 0}); }

    /** Sliding windows as columns: {@code [n, c, h, w] -> [n, c * kh * kw, L]}, as {@code F.unfold}. */
    public Tensor unfold(int[] kernel, int[] dilation, int[] padding, int[] stride) {
        return Convolution.unfold(this, kernel, dilation, padding, stride, 0.0);
    }

    /** The adjoint of {@link #unfold}: sums columns back into {@code [n, c, outputSize]}, as {@code F.fold}. */
    public Tensor fold(int[] outputSize, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        return Convolution.fold(this, outputSize, kernel, dilation, padding, stride);
    }

    // =========================================================================================
    // In-place (for optimizers and initialisation; not differentiable)
    // =========================================================================================

    /** {@code this += other} (broadcast); returns this. */
    public Tensor addInPlace(Tensor other) { return InPlace.binary(BinaryOp.ADD, this, other); }

    /** {@code this += alpha * other}; returns this. */
    public Tensor addInPlace(Tensor other, double alpha) {
        if (alpha == 1) return InPlace.binary(BinaryOp.ADD, this, other);
        if (dtype().isHalf() && other.dtype().isHalf()) {
            // alpha * other kept in float32, and dimensioned (a 0-d one expanded) so that the promotion keeps float32:
            // the sum is then computed in float32 and rounded into this once, as PyTorch's float opmath
            Tensor scaled = other.to(DType.FLOAT32).mul(alpha);
            if (scaled.dim() == 0 && dim() > 0) scaled = scaled.to(device()).expand(shape());
            return InPlace.binary(BinaryOp.ADD, this, scaled);
        }
        return InPlace.binary(BinaryOp.ADD, this, other.mul(alpha));
    }

    public Tensor subInPlace(Tensor other) { return InPlace.binary(BinaryOp.SUB, this, other); }

    public Tensor mulInPlace(Tensor other) { return InPlace.binary(BinaryOp.MUL, this, other); }

    public Tensor mulInPlace(double s) { return InPlace.binary(BinaryOp.MUL, this, Elementwise.scalarLike(this, s, true)); }

    public Tensor divInPlace(Tensor other) { return InPlace.binary(BinaryOp.DIV, this, other); }

    /** Clamps in place to {@code [min, max]}; floating-point bounds need a floating-point tensor, as in PyTorch; returns this. */
    public Tensor clampInPlace(double min, double max) { return InPlace.clamp(this, min, max, false); }

    /** Clamps in place to integer bounds, which keep an integer tensor's dtype; returns this. */
    public Tensor clampInPlace(long min, long max) { return InPlace.clamp(this, min, max, true); }

    /** Copies {@code src} (broadcast, converted) into this tensor; returns this. */
    public Tensor copyFrom(Tensor src) { return InPlace.copy(this, src); }

    public Tensor fillInPlace(double value) { return InPlace.fill(this, value); }

    public Tensor zeroInPlace() { return InPlace.fill("zeroInPlace", this, 0); }

    /** Fills in place from U(a, b) drawn from the seeded generator; returns this. */
    public Tensor uniformInPlace(double a, double b) { return InPlace.random(this, dev.ember.backend.Philox.Distribution.UNIFORM, a, b); }

    /** Fills in place from N(mean, std²); returns this. */
    public Tensor normalInPlace(double mean, double std) { return InPlace.random(this, dev.ember.backend.Philox.Distribution.NORMAL, mean, std); }

    /**
     * Ends this tensor's life: later ops on it throw {@link IllegalStateException}. If this tensor
     * allocated its storage, the storage is released too (device memory goes back to the caching
     * allocator now), and every view of it becomes unusable. Closing a view or a {@link #detach()}ed
     * alias closes only that handle: its base stays usable. Closing twice does nothing.
     */
    @Override
    public void close() {
        closed = true;
        if (storage.ownedBy(this)) storage.release();
    }

    /** True once this tensor, or the tensor whose storage it views, was {@link #close() closed}. */
    public boolean isClosed() { return closed || storage.isReleased(); }

    // =========================================================================================
    // Internals shared by the tensor layer
    // =========================================================================================

    /**
     * The storage, for an op about to hand it to a backend: the one use-after-close check, which every
     * op's access to its operands goes through ({@link #strided()} included).
     */
    Storage liveStorage() {
        if (closed || storage.isReleased()) throw ClosedTensors.error(this);
        return storage;
    }

    /**
     * The storage, shape, strides and offset behind this tensor, as a backend sees them (checked: a closed
     * tensor throws). Public for native interop that reads device memory itself (NCCL collectives, through
     * the backend's {@link dev.ember.backend.NativeInterop} capability).
     */
    public Strided strided() { return new Strided(liveStorage(), shape, strides, offset); }

    Backend backend() { return storage.backend(); }

    long[] shapeInternal() { return shape; }

    /**
     * An op's result that is a view of {@code fresh}, a tensor the op made for it and hands to no one else (a
     * reduction reshaped to its output shape, a product with a vector operand squeezed): the view becomes the
     * storage's owner, so that closing the result frees the memory, and a scope releases it in fresh's place. Only
     * for a {@code fresh} no caller can hold; a view that is not of fresh's storage (the reshape copied) is returned
     * as it is.
     */
    static Tensor ownView(Tensor fresh, Tensor view) {
        if (view != fresh && view.storage == fresh.storage && fresh.storage.ownedBy(fresh)) {
            fresh.storage.transferOwner(fresh, view);
            TensorScope.transfer(fresh, view);
        }
        return view;
    }

    /**
     * The size of dim {@code d} (already normalised) as an int, for the ops whose kernels index in 32 bits (convolution,
     * pooling, attention); throws, naming {@code op}, past 2^31 - 1.
     */
    int size32(String op, int d) {
        if (shape[d] > Integer.MAX_VALUE)
            throw new IllegalArgumentException(op + ": dimension " + d + " of shape " + Shapes.str(shape) + " is " + shape[d]
                    + ", past this op's limit of 2^31 - 1");
        return (int) shape[d];
    }

    long[] shapeLong() { return shape.clone(); }

    /** A fresh contiguous tensor on {@code backend}, zero-filled. */
    static Tensor empty(Backend backend, DType dtype, long[] shape) {
        return new Tensor(backend.allocate(dtype, Shapes.numel(shape)), shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    /**
     * A fresh contiguous tensor on {@code backend} whose contents are unspecified: only for an output that the
     * op then writes in full (a reused block skips the zeroing that nobody would read).
     */
    static Tensor uninitialized(Backend backend, DType dtype, long[] shape) {
        return new Tensor(backend.allocateUninitialized(dtype, Shapes.numel(shape)), shape.clone(), Shapes.contiguousStrides(shape), 0);
    }
}
