package dev.ember.backend;

import dev.ember.DType;

/**
 * Reductions along the last axis of the input: the single definition of how each combines two
 * partial results on the GPU (the reduction kernels are generated from this table) and of its
 * output dtype. ARGMAX/ARGMIN write INT64 indices (the first occurrence wins, and the first NaN, as
 * in PyTorch) and have no combine form: their kernel compares (value, index) pairs. MAX/MIN propagate
 * NaN. Forms are C expressions of two partials {@code a} and {@code b} in the accumulator type
 * (the float type, or a 64-bit integer). A reduction kernel thread that has no element of the row
 * contributes the op's {@link #identity()}, or, where there is none, an element of the row.
 */
public enum ReduceOp {
    SUM("a + b", "wrap_add(a, b)", "0"),
    PROD("a * b", "wrap_mul(a, b)", "1"),
    MAX("a != a ? a : (b != b ? b : (b > a ? b : a))", "b > a ? b : a", null),
    MIN("a != a ? a : (b != b ? b : (b < a ? b : a))", "b < a ? b : a", null),
    ARGMAX(null, null, null),
    ARGMIN(null, null, null);

    private final String floatForm, integerForm, identity;

    ReduceOp(String floatForm, String integerForm, String identity) {
        this.floatForm = floatForm;
        this.integerForm = integerForm;
        this.identity = identity;
    }

    /** True for ARGMAX and ARGMIN, which produce indices. */
    public boolean isArg() { return floatForm == null; }

    /** How two float partials combine; null for the arg reductions. */
    public String floatForm() { return floatForm; }

    /** How two integer partials combine; null for the arg reductions. */
    public String integerForm() { return integerForm; }

    /** The value that combines with any partial to give it back (0, 1); null where only an element of the row will do (MAX, MIN). */
    public String identity() { return identity; }

    /** The output dtype for an input of {@code in}: indices are INT64, and so are integer and BOOL sums and products. */
    public DType outputType(DType in) {
        return switch (this) {
            case ARGMAX, ARGMIN -> DType.INT64;
            case SUM, PROD -> in.isFloatingPoint() ? in : DType.INT64;
            case MAX, MIN -> in;
        };
    }
}
