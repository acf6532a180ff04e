package dev.ember;

import java.util.Optional;

/**
 * Automatic mixed precision, as {@code torch.autocast}: inside a scope opened with
 * {@link Ember#autocast(DType)}, each op runs in the precision PyTorch's autocast op lists give it,
 * whatever its inputs' dtypes, and the casts are recorded like any op, so gradients flow back to
 * float32 master weights in float32.
 *
 * <ul>
 *   <li><b>Lower precision</b> (products and convolutions: {@code matmul} and so {@code linear},
 *       {@code conv2d}): floating-point inputs other than FLOAT64 are cast to the scope's 16-bit
 *       dtype, and the result is 16-bit.</li>
 *   <li><b>Float32</b> (reductions, softmax, norms, losses, and the pointwise functions whose range
 *       16 bits do not hold: {@code exp}, {@code log}, {@code pow} and their kin; PyTorch's CUDA
 *       {@code fp32} list): 16-bit inputs are cast to FLOAT32, and the result is float32.</li>
 *   <li>Everything else (additions, activations, views, {@code cat}) runs in its inputs' promoted
 *       type, as PyTorch's {@code promote} rule.</li>
 * </ul>
 *
 * <pre>{@code
 * try (var ac = Ember.autocast(DType.BFLOAT16)) {
 *     Tensor loss = F.crossEntropy(model.forward(x), y);   // linears in BFLOAT16, the loss in float32
 *     loss.backward();                                      // float32 gradients for float32 parameters
 * }
 * }</pre>
 *
 * <p>Scopes are per thread and nest; closing one restores the setting in force when it opened. Layers
 * outside ember-core (losses and norms in ember-nn) call {@link #float32} and {@link #lowerPrecision}
 * at their entry.
 */
public final class Autocast implements AutoCloseable {
    private static final ThreadLocal<DType[]> DTYPE = ThreadLocal.withInitial(() -> new DType[1]);

    private final DType[] cell;
    private final DType previous;
    private boolean closed;

    private Autocast(DType[] cell, DType previous) {
        this.cell = cell;
        this.previous = previous;
    }

    /** Opens a scope on this thread; {@code null} turns autocast off inside it. */
    static Autocast open(DType dtype) {
        if (dtype != null && dtype != DType.FLOAT16 && dtype != DType.BFLOAT16)
            throw new IllegalArgumentException("autocast: dtype must be FLOAT16 or BFLOAT16, got " + dtype);
        DType[] cell = DTYPE.get();
        Autocast scope = new Autocast(cell, cell[0]);
        cell[0] = dtype;
        return scope;
    }

    /** A scope with autocast off on this thread (the backward pass runs in the forward's dtypes). */
    public static Autocast suspend() { return open(null); }

    /** Whether an autocast scope is open on this thread. */
    public static boolean isEnabled() { return DTYPE.get()[0] != null; }

    /** The 16-bit dtype of the innermost open scope on this thread, if any. */
    public static Optional<DType> dtype() { return Optional.ofNullable(DTYPE.get()[0]); }

    /**
     * {@code t} cast for an op of the lower-precision list: a FLOAT32 (or 16-bit) tensor to the scope's
     * dtype; {@code t} itself outside a scope, for FLOAT64, integer and BOOL tensors, and for null.
     */
    public static Tensor lowerPrecision(Tensor t) {
        DType d = DTYPE.get()[0];
        if (d == null || t == null || !eligible(t)) return t;
        return t.to(d);
    }

    /** {@code t} cast for an op of the float32 list: a 16-bit tensor to FLOAT32 inside a scope; else {@code t}. */
    public static Tensor float32(Tensor t) {
        if (t == null || DTYPE.get()[0] == null || !eligible(t)) return t;
        return t.to(DType.FLOAT32);
    }

    /** PyTorch's {@code is_eligible}: floating point, and not float64. */
    private static boolean eligible(Tensor t) { return t.dtype().isFloatingPoint() && t.dtype() != DType.FLOAT64; }

    /** Restores the setting in force when this scope opened; closing twice is harmless. */
    @Override
    public void close() {
        if (!closed) {
            cell[0] = previous;
            closed = true;
        }
    }
}
