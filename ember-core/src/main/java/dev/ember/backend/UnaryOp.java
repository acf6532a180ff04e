package dev.ember.backend;

/**
 * Elementwise maps of one input. Input and output have the same dtype, except
 * {@link #NOT} and {@link #ISNAN} which write BOOL. Parameters {@code a} and
 * {@code b} are used where noted.
 */
public enum UnaryOp {
    NEG, ABS, SIGN, EXP, LOG, LOG1P, EXPM1, SQRT, RSQRT, RECIPROCAL, SQUARE,
    SIN, COS, TANH, SIGMOID, RELU, GELU, ERF, SOFTPLUS,
    FLOOR, CEIL, ROUND,
    /** {@code x > 0 ? x : a * x}. */
    LEAKY_RELU,
    /** {@code x ** a}. */
    POW_SCALAR,
    /** {@code min(max(x, a), b)}; use ±infinity for an open side. */
    CLAMP,
    /** Logical not; output BOOL. */
    NOT,
    /** Output BOOL. */
    ISNAN
}
