package dev.ember.backend;

import dev.ember.DType;
import dev.ember.Device;

/**
 * The contract every device implements: memory, and a small set of primitive
 * kernels over {@link Strided} views. Backends never see autograd or
 * {@code Tensor}s; the tensor layer validates arguments, computes output
 * shapes, converts dtypes and allocates outputs before calling a kernel.
 *
 * <p>Unless noted, operands have identical shapes (the tensor layer expands
 * broadcast operands with zero strides), outputs are freshly allocated and
 * contiguous, and inputs may have any strides.
 */
public interface Backend {

    /** Human-readable name, e.g. {@code "cpu (Vector API, 16 float lanes, 2 threads)"}. */
    String name();

    Device device();

    // ---- memory ------------------------------------------------------------------------------

    /** A zero-filled buffer of {@code length} elements. */
    Storage allocate(DType dtype, int length);

    /** A buffer holding a copy of a host array ({@code float[]}, {@code double[]}, {@code int[]}, {@code long[]}, or {@code byte[]} for BOOL). */
    Storage fromHost(DType dtype, Object hostArray);

    /** Copies {@code src}'s elements in row-major order into a host array of its dtype ({@code byte[]} for BOOL). */
    void toHost(Strided src, Object hostArray);

    /** Elementwise copy with dtype conversion; {@code dst} may be any (non-overlapping) view. */
    void copy(Strided src, Strided dst);

    /** Sets every element of {@code dst} (any view) to {@code value}. */
    void fill(Strided dst, double value);

    /** Waits for queued work to finish (a no-op on the CPU). */
    default void synchronize() {}

    default MemoryStats memoryStats() { return MemoryStats.NONE; }

    /** Returns cached, unused device memory to the device. */
    default void emptyCache() {}

    // ---- elementwise -------------------------------------------------------------------------

    /** {@code out = op(x)} with parameters {@code a}, {@code b} (see {@link UnaryOp}). */
    void unary(UnaryOp op, Strided x, Strided out, double a, double b);

    /** {@code out = op(x, y)}; {@code x} and {@code y} share a dtype. */
    void binary(BinaryOp op, Strided x, Strided y, Strided out);

    /** {@code out = cond ? x : y}; {@code cond} is BOOL. */
    void where(Strided cond, Strided x, Strided y, Strided out);

    // ---- reductions --------------------------------------------------------------------------

    /** Reduces the last axis of {@code x} ({@code [..., r] -> [...]}); see {@link ReduceOp} for output dtypes. */
    void reduce(ReduceOp op, Strided x, Strided out);

    /**
     * Optional fused kernel: softmax (or log-softmax) along the last axis of {@code x} into contiguous
     * {@code out}. Returns false when this backend has no fused path for these operands, and the tensor
     * layer then composes softmax from primitives; the conformance suite checks both against one reference.
     */
    default boolean softmaxLastDim(Strided x, Strided out, boolean log) { return false; }

    /**
     * Optional fused kernel: 2-D max pooling of {@code x [n, c, h, w]} (any strides) into contiguous
     * {@code out [n, c, outH, outW]}, recording in contiguous INT32 {@code indices} (out's shape) the flat
     * position {@code ih * w + iw} of each window's pick within its input plane. Padding reads -inf
     * (at most half the kernel, so every window holds an input element); the pick is the window's first
     * NaN, else its first maximum in row-major window order, and never a padding position. Returns
     * false when this backend has no fused path, and the tensor layer composes unfold and max instead.
     */
    default boolean maxPool2d(Strided x, ConvGeometry g, Strided out, Strided indices) { return false; }

    /**
     * Optional fused kernel, the adjoint of {@link #maxPool2d}: adds each element of {@code grad}
     * ({@code [n, c, outH, outW]}, any strides) into {@code dx [n, c, h, w]} (contiguous, zeroed by the
     * caller) at the position that {@code indices} recorded. Returns false when not supported.
     */
    default boolean maxPool2dBackward(Strided grad, Strided indices, ConvGeometry g, Strided dx) { return false; }

    /**
     * Optional fused kernel: {@code out = conv2d(x, w) + bias} with {@code groups = 1}, for {@code x [n, cin, h, w]}
     * (any strides), contiguous {@code w [cout, cin, kh, kw]}, {@code bias [cout]} or null, into contiguous {@code out
     * [n, cout, outH, outW]} (overwritten). Returns false when this backend has no fused path for these operands, and
     * the tensor layer unfolds and multiplies instead.
     */
    default boolean conv2d(Strided x, Strided w, Strided bias, ConvGeometry g, Strided out) { return false; }

    /**
     * Optional fused kernel, the input gradient of {@link #conv2d}: {@code dx [n, cin, h, w]} (contiguous, overwritten)
     * from {@code grad [n, cout, outH, outW]} (contiguous) and contiguous {@code w}, for the forward geometry {@code g}.
     * Returns false when not supported.
     */
    default boolean conv2dInputGrad(Strided grad, Strided w, ConvGeometry g, Strided dx) { return false; }

    // ---- linear algebra ----------------------------------------------------------------------

    /**
     * Batched matrix product {@code [b, m, k] @ [b, k, n] -> [b, m, n]}; transposed operands arrive as strides.
     * {@code out} is contiguous from its offset and is overwritten (it may be a reused buffer, not zeroed).
     */
    void matmul(Strided a, Strided b, Strided out);

    // ---- indexing ----------------------------------------------------------------------------

    /** {@code out[i][j][k] = x[i][index[i][j][k]][k]} for {@code dim = 1}, and likewise for any dim; index is INT64 of out's shape. */
    void gather(Strided x, int dim, Strided index, Strided out);

    /** {@code dst[i][index[i][j][k]][k] += src[i][j][k]} for {@code dim = 1}; {@code dst} is contiguous and modified in place. */
    void scatterAdd(Strided dst, int dim, Strided index, Strided src);

    // ---- convolution helpers -----------------------------------------------------------------

    /**
     * Unfolds {@code x [n, c, h, w]} into {@code cols [n, c * kh * kw, outH * outW]}; padding reads {@code padValue}.
     * {@code cols} may be a strided view (the convolution passes a permuted view of a {@code [c*kh*kw, n, L]}
     * buffer so one GEMM covers the batch); its last axis is unit-stride.
     */
    void im2col(Strided x, ConvGeometry g, double padValue, Strided cols);

    /**
     * The adjoint of {@link #im2col}: adds each column entry (any strides) into its pixel of
     * {@code x [n, c, h, w]} (contiguous, zeroed by the caller).
     */
    void col2im(Strided cols, ConvGeometry g, Strided x);

    // ---- random ------------------------------------------------------------------------------

    /**
     * Fills contiguous {@code out} from the counter-based generator {@link Philox}: element
     * {@code i} depends only on {@code (seed, offset, i)}, never on thread or work-group layout.
     * UNIFORM gives {@code [a, b)}, NORMAL gives mean {@code a}, standard deviation {@code b}.
     */
    void random(Strided out, Philox.Distribution dist, long seed, long offset, double a, double b);

    // ---- fused optimizer updates (contiguous, same dtype; run under no-grad) -----------------

    /**
     * One SGD step as {@code torch.optim.SGD}: {@code g = grad + wd * p}; with momentum,
     * {@code buf = firstStep ? g : momentum * buf + (1 - dampening) * g}, {@code g = nesterov ? g + momentum * buf : buf};
     * {@code p -= lr * g}. {@code buf} is null without momentum.
     */
    void sgdStep(Strided param, Strided grad, Strided buf, double lr, double momentum, double dampening,
                 double weightDecay, boolean nesterov, boolean firstStep);

    /**
     * One Adam/AdamW step as {@code torch.optim.Adam(W)} with bias correction for {@code step} (1-based);
     * {@code decoupled} applies weight decay as AdamW ({@code p *= 1 - lr * wd}) rather than as L2 on the gradient.
     */
    void adamStep(Strided param, Strided grad, Strided expAvg, Strided expAvgSq, double lr, double beta1,
                  double beta2, double eps, double weightDecay, boolean decoupled, long step);
}
