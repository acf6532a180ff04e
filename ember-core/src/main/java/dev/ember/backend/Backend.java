package dev.ember.backend;

import dev.ember.DType;
import dev.ember.Device;
import java.util.Optional;

/**
 * The contract every device implements: memory, and a small set of primitive
 * kernels over {@link Strided} views. Backends never see autograd or
 * {@code Tensor}s; the tensor layer validates arguments, computes output
 * shapes, converts dtypes and allocates outputs before calling a kernel.
 *
 * <p>Unless noted, operands have identical shapes (the tensor layer expands
 * broadcast operands with zero strides), outputs are freshly allocated and
 * contiguous, and inputs may have any strides.
 *
 * <p><b>Arguments are checked once, in the tensor layer</b> (shapes, dtypes, devices, index ranges
 * that the host can see); a backend trusts them. What only a kernel can see (an index out of range,
 * integer division by zero) is raised as a {@link KernelError}. Fused kernels are optional
 * {@linkplain #capability capabilities}. {@code docs/adding-a-backend.md} says what a new backend implements.
 */
public interface Backend {

    /** Human-readable name, e.g. {@code "cpu (Vector API, 16 float lanes, 2 threads)"}. */
    String name();

    Device device();

    // ---- memory ------------------------------------------------------------------------------

    /** A zero-filled buffer of {@code length} elements. */
    Storage allocate(DType dtype, long length);

    /**
     * A buffer of {@code length} elements whose contents are unspecified (a reused block keeps what it
     * held), for an output that a kernel overwrites in full; the tensor layer asks for it only then.
     * Backends without a cheaper way return {@link #allocate}.
     */
    default Storage allocateUninitialized(DType dtype, long length) { return allocate(dtype, length); }

    /**
     * A buffer holding a copy of a host array ({@code float[]}, {@code double[]}, {@code int[]}, {@code long[]}, {@code byte[]} for
     * BOOL, or {@code short[]} bit patterns for FLOAT16 and BFLOAT16).
     */
    Storage fromHost(DType dtype, Object hostArray);

    /**
     * Copies {@code src}'s elements in row-major order into a host array of its dtype ({@code byte[]} for BOOL,
     * {@code short[]} for the 16-bit floats).
     * On a GPU this waits for queued work and throws the first error that a kernel launched by the
     * calling thread recorded since its last read (an index out of range, integer division by zero).
     */
    void toHost(Strided src, Object hostArray);

    /** Elementwise copy with dtype conversion; {@code dst} may be any (non-overlapping) view. */
    void copy(Strided src, Strided dst);

    /** Sets every element of {@code dst} (any view) to {@code value}. */
    void fill(Strided dst, double value);

    /** Waits for queued work to finish and, as {@link #toHost}, throws the calling thread's kernel errors (a no-op on the CPU). */
    default void synchronize() {}

    default MemoryStats memoryStats() { return MemoryStats.NONE; }

    /** Returns cached, unused device memory to the device. */
    default void emptyCache() {}

    /** Restarts the peak of {@link #memoryStats()} from the memory allocated now. */
    default void resetPeakMemoryStats() {}

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

    // ---- optional capabilities ---------------------------------------------------------------

    /**
     * The optional capability {@code type} ({@link FusedSoftmax}, {@link FusedMaxPool}, {@link FusedConv}, {@link FusedOptimizer},
     * {@link FusedGeluBackward}, {@link FusedNorm})
     * if this backend has it. The tensor layer composes the same result from the primitives above when it
     * does not, so a new backend is complete without any.
     */
    default <T> Optional<T> capability(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }
}
