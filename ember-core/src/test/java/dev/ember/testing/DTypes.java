package dev.ember.testing;

import dev.ember.DType;
import java.util.function.UnaryOperator;

/** Dtype sets and result-dtype rules shared by the op table's entries. */
public final class DTypes {
    private DTypes() {}

    public static final DType[] FLOATS = {DType.FLOAT32, DType.FLOAT64};
    public static final DType[] INTS = {DType.INT32, DType.INT64};
    public static final DType[] NUMBERS = {DType.INT32, DType.INT64, DType.FLOAT32, DType.FLOAT64};
    public static final DType[] ALL = DType.values();
    public static final DType[] NOT_FLOAT = {DType.BOOL, DType.INT32, DType.INT64};

    /**
     * The 16-bit floats. The table's entries list the dtypes of their float32/float64 tolerances; HalfConformanceTest
     * runs every floating-point entry in these (to a 16-bit tolerance), so ConformanceTest leaves them out.
     */
    public static final DType[] HALVES = {DType.FLOAT16, DType.BFLOAT16};

    public static boolean isHalf(DType d) { return d == DType.FLOAT16 || d == DType.BFLOAT16; }

    /** Ember's default float dtype, which float functions of integer tensors return. */
    public static final DType DEFAULT_FLOAT = DType.FLOAT32;

    /** The input's dtype. */
    public static final UnaryOperator<DType> SAME = d -> d;

    /** Floats keep theirs; integers and BOOL compute in the default float dtype. */
    public static final UnaryOperator<DType> FLOAT = d -> d.isFloatingPoint() ? d : DEFAULT_FLOAT;

    /** Comparisons and logical ops. */
    public static final UnaryOperator<DType> BOOL = d -> DType.BOOL;

    /** Indices. */
    public static final UnaryOperator<DType> INT64 = d -> DType.INT64;

    /** Sums and products: integers and BOOL accumulate in INT64. */
    public static final UnaryOperator<DType> ACCUMULATE = d -> d.isFloatingPoint() ? d : DType.INT64;

    /** Ember's integer-keeping unary ops read BOOL as INT64. */
    public static final UnaryOperator<DType> BOOL_AS_INT64 = d -> d == DType.BOOL ? DType.INT64 : d;
}
