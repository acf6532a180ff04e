package dev.ember.backend;

import dev.ember.DType;
import java.util.Optional;

/**
 * Elementwise maps of one input: the single definition of each op's meaning on the GPU (the kernels
 * are generated from this table) and of which dtypes it serves. The CPU's scalar reference
 * ({@code ScalarMath}) and SIMD kernels implement the same meaning by hand; tests hold them to it.
 *
 * <p>Each op has a <b>float form</b>, a C expression of {@code x} (the element in its compute type:
 * {@code float} or {@code double}) and the parameters {@code a}, {@code b}; and, where the op is
 * defined on integers and BOOL, an <b>integer form</b> over a 64-bit {@code x} with integer parameters
 * {@code a, b, c, d} (see {@link #integerParams}). Without an integer form the op is not defined on
 * integers: the tensor layer converts such inputs to a float dtype first, and a GPU kernel that is
 * handed one anyway raises {@link KernelError#UNKNOWN_OP} rather than return its input.
 *
 * <p>The expression language is C: {@code C(v)} casts a constant to the compute type; math functions
 * carry their double names ({@code exp}, {@code erfc}; each dialect renames them for float); the
 * kernel prelude supplies {@code wrap_neg}, {@code wrap_mul} (two's-complement wrapping, as Java's
 * {@code long}) and the other helpers named in {@link BinaryOp}.
 *
 * <p>Input and output have the same dtype, except the ops that {@link #producesBool()}.
 */
public enum UnaryOp {
    NEG("-x", "wrap_neg(x)"),
    ABS("fabs(x)", "x < 0 ? wrap_neg(x) : x"),
    /** PyTorch's {@code (0 < x) - (x < 0)}: NaN and -0 give +0. */
    SIGN("x > C(0) ? C(1) : (x < C(0) ? C(-1) : C(0))", "x > 0 ? 1 : (x < 0 ? -1 : 0)"),
    EXP("exp(x)", null),
    LOG("log(x)", null),
    LOG1P("log1p(x)", null),
    EXPM1("expm1(x)", null),
    SQRT("sqrt(x)", null),
    RSQRT("C(1) / sqrt(x)", null),
    RECIPROCAL("C(1) / x", null),
    SQUARE("x * x", "wrap_mul(x, x)"),
    SIN("sin(x)", null),
    COS("cos(x)", null),
    TAN("tan(x)", null),
    TANH("tanh(x)", null),
    /** Split at 0 so neither branch overflows. */
    SIGMOID("x >= C(0) ? C(1) / (C(1) + exp(-x)) : exp(x) / (C(1) + exp(x))", null),
    /**
     * SiLU (swish), {@code x * sigmoid(x)}, as {@code x / (1 + e^-x)} (PyTorch's form): for large negative x, e^-x
     * overflows to infinity and the result is -0, where the exact value is below float32's range anyway.
     */
    SILU("x / (C(1) + exp(-x))", null),
    /** NaN stays NaN. */
    RELU("x > C(0) ? x : (x != x ? x : C(0))", "x > 0 ? x : 0"),
    /**
     * {@code x * Phi(x)} as {@code 0.5 x erfc(-x / sqrt 2)}: {@code 1 + erf(z)} cancels for negative
     * {@code x} (it is 0 in floating point below about -6), {@code erfc(-z)} keeps the tail.
     */
    GELU("C(0.5) * x * erfc(-x * C(0.70710678118654752))", null),
    ERF("erf(x)", null),
    /** PyTorch's threshold 20. */
    SOFTPLUS("x > C(20) ? x : log1p(exp(x))", null),
    FLOOR("floor(x)", "x"),
    CEIL("ceil(x)", "x"),
    /** Half to even, as {@code torch.round}. */
    ROUND("rint(x)", "x"),
    /** {@code x > 0 ? x : a * x}. */
    LEAKY_RELU("x > C(0) ? x : a * x", null),
    /** {@code x ** a}. */
    POW_SCALAR("pow(x, a)", null),
    /**
     * {@code min(max(x, a), b)}; use ±infinity for an open side; NaN stays NaN. On integers, Java's
     * {@code (long) min(max(x, a), b)} in exact integer arithmetic (see {@link #integerParams}).
     */
    CLAMP("x != x ? x : fmin(fmax(x, a), b)", "x < a ? b : (x > c ? d : x)"),
    /** Logical not; output BOOL. */
    NOT(true, "x == C(0) ? C(1) : C(0)", "x == 0 ? 1 : 0"),
    /** Output BOOL. */
    ISNAN(true, "x != x ? C(1) : C(0)", "0");

    private final boolean bool;
    private final String floatForm, integerForm;

    UnaryOp(String floatForm, String integerForm) { this(false, floatForm, integerForm); }

    UnaryOp(boolean bool, String floatForm, String integerForm) {
        this.bool = bool;
        this.floatForm = floatForm;
        this.integerForm = integerForm;
    }

    /** True when the output is BOOL whatever the input dtype. */
    public boolean producesBool() { return bool; }

    /** True when the op has an integer form, so integer and BOOL tensors need no conversion. */
    public boolean definedOnIntegers() { return integerForm != null; }

    /**
     * True when an integer input keeps its dtype: the op is defined on integers and does not write BOOL.
     * Other ops on integers compute in the default float dtype (the tensor layer converts first).
     */
    public boolean keepsIntegerDtype() { return definedOnIntegers() && !bool; }

    /** The output dtype for an input of {@code in}. */
    public DType outputType(DType in) { return bool ? DType.BOOL : in; }

    /** The C expression for float and double inputs. */
    public String floatForm() { return floatForm; }

    /** The C expression for 64-bit integer inputs, absent where the op is not defined on integers. */
    public Optional<String> integerForm() { return Optional.ofNullable(integerForm); }

    /**
     * The integer parameters {@code a, b, c, d} of the integer form for the op's double parameters.
     * CLAMP passes {@code (ceil(lo), (long) min(lo, hi), floor(hi), (long) hi)}, which reproduces Java's
     * {@code (long) min(max(x, lo), hi)} (including {@code lo > hi}) without converting {@code x} to double.
     */
    public long[] integerParams(double a, double b) {
        if (this == CLAMP) return new long[]{(long) Math.ceil(a), (long) Math.min(a, b), (long) Math.floor(b), (long) b};
        return new long[]{(long) a, (long) b, 0, 0};
    }
}
