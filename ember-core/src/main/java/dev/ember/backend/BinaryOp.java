package dev.ember.backend;

import dev.ember.DType;
import java.util.Optional;

/**
 * Elementwise maps of two inputs of the same dtype: the single definition of each op's meaning on the
 * GPU (the kernels are generated from this table). Comparisons and logical ops write BOOL; the rest
 * write the input dtype. The forms follow the conventions of {@link UnaryOp}, over {@code x} and
 * {@code y}; integer forms may record a {@link KernelError} through {@code err}.
 *
 * <p>Prelude helpers the forms use: {@code wrap_add}, {@code wrap_sub}, {@code wrap_mul} (wrapping,
 * as Java's {@code long}); {@code floor_div} and {@code floor_mod} (Java's {@code Math.floorDiv} and
 * {@code floorMod}: {@code MIN / -1} is {@code MIN} and {@code MIN % -1} is 0, division by zero records
 * an error); {@code int_pow} (by squaring, wrapping; a negative exponent records an error); {@code pyrem}
 * (a float remainder with the divisor's sign, as Python's {@code %}).
 */
public enum BinaryOp {
    ADD("x + y", "wrap_add(x, y)"),
    SUB("x - y", "wrap_sub(x, y)"),
    MUL("x * y", "wrap_mul(x, y)"),
    /** True division on floats; floor division on integers (the tensor layer's {@code floorDivide}). */
    DIV("x / y", "floor_div(x, y, err)"),
    POW("pow(x, y)", "int_pow(x, y, err)"),
    /** NaN if either is NaN. */
    MAX("x != x || y != y ? x + y : fmax(x, y)", "x > y ? x : y"),
    MIN("x != x || y != y ? x + y : fmin(x, y)", "x < y ? x : y"),
    /** The sign of the divisor, as Python and {@code torch.remainder}. */
    REMAINDER("pyrem(x, y)", "floor_mod(x, y, err)"),
    ATAN2("atan2(x, y)", null),
    EQ(true, "C(x == y)", "x == y"),
    NE(true, "C(x != y)", "x != y"),
    LT(true, "C(x < y)", "x < y"),
    LE(true, "C(x <= y)", "x <= y"),
    GT(true, "C(x > y)", "x > y"),
    GE(true, "C(x >= y)", "x >= y"),
    AND(true, "C(x != C(0) && y != C(0))", "x != 0 && y != 0"),
    OR(true, "C(x != C(0) || y != C(0))", "x != 0 || y != 0"),
    XOR(true, "C((x != C(0)) != (y != C(0)))", "(x != 0) != (y != 0)");

    private final boolean bool;
    private final String floatForm, integerForm;

    BinaryOp(String floatForm, String integerForm) { this(false, floatForm, integerForm); }

    BinaryOp(boolean bool, String floatForm, String integerForm) {
        this.bool = bool;
        this.floatForm = floatForm;
        this.integerForm = integerForm;
    }

    /** True when the output is BOOL. */
    public boolean producesBool() { return bool; }

    /** True when the op has an integer form (every op but ATAN2). */
    public boolean definedOnIntegers() { return integerForm != null; }

    /** The output dtype for inputs of {@code in}. */
    public DType outputType(DType in) { return bool ? DType.BOOL : in; }

    /** The C expression for float and double inputs. */
    public String floatForm() { return floatForm; }

    /** The C expression for 64-bit integer inputs, absent where the op is not defined on integers. */
    public Optional<String> integerForm() { return Optional.ofNullable(integerForm); }

    /** True when the integer form can record a {@link KernelError} (division, remainder, power). */
    public boolean mayRaise() { return integerForm != null && integerForm.contains("err"); }
}
