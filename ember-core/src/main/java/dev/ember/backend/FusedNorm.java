package dev.ember.backend;

/**
 * Optional capability ({@link Backend#capability}): layer normalisation and RMS normalisation over the
 * last {@code n} elements of each row, forward and backward, each in one pass over memory. Without it
 * the tensor layer composes the norm from mean, subtract, square, rsqrt, multiply and add (about ten
 * kernels and as many intermediates each way). The CPU and both GPU backends implement it.
 *
 * <p>Operands: {@code x}, {@code out}, {@code grad} and {@code dx} are contiguous, of one shape whose
 * elements split into {@code rows = numel / n} rows of {@code n}; each may be FLOAT32, FLOAT16 or
 * BFLOAT16 (a kernel computes in float32 and rounds once into a 16-bit output). {@code weight},
 * {@code bias}, {@code dweight} and {@code dbias} are contiguous FLOAT32 of {@code n} elements;
 * {@code mean} and {@code rstd} are contiguous FLOAT32 of {@code rows} elements. Any of weight, bias
 * (absent: {@code y = xhat}), dx, dweight and dbias (not wanted) may be null; RMSNorm has no mean and
 * no bias.
 *
 * <p>A method returns false when this backend has no fused path for these operands; the tensor layer
 * then composes. Results must not depend on the thread count (training resumes bit for bit).
 */
public interface FusedNorm {

    /**
     * {@code y = (x - mean) * rstd * weight + bias} per row, with {@code mean} the row's mean and
     * {@code rstd = 1 / sqrt(var + eps)} (biased variance); for {@code rms},
     * {@code y = x * rstd * weight} with {@code rstd = 1 / sqrt(mean(x^2) + eps)} and {@code mean} null.
     * Writes {@code out}, and the per-row {@code mean} and {@code rstd} that {@link #normBackward} reads.
     */
    boolean normForward(Strided x, int n, Strided weight, Strided bias, double eps, boolean rms,
                        Strided out, Strided mean, Strided rstd);

    /**
     * The gradients of {@link #normForward} for the output gradient {@code grad}: {@code dx} (when not
     * null), and {@code dweight = sum over rows of grad * xhat}, {@code dbias = sum over rows of grad}
     * (when not null), with {@code xhat} recomputed from {@code x}, {@code mean} and {@code rstd}.
     */
    boolean normBackward(Strided grad, Strided x, int n, Strided weight, Strided mean, Strided rstd, boolean rms,
                         Strided dx, Strided dweight, Strided dbias);
}
