package dev.ember.backend.cpu;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.KernelError;
import dev.ember.backend.UnaryOp;

/**
 * The scalar definition of every elementwise op, in double and in long
 * arithmetic. It is the CPU's fallback path and the meaning the SIMD and GPU
 * kernels must reproduce.
 *
 * <p>Library functions are {@link StrictMath}'s, whose results the Java specification fixes
 * (fdlibm), not {@link Math}'s, which may be intrinsics that differ by compiler tier or
 * platform; float32 tensors take the transcendental functions that have vector kernels from
 * {@link FloatMath} instead ({@link #unaryFloat}), so the vector lanes and the scalar tail agree.
 */
final class ScalarMath {
    private ScalarMath() {}

    private static final double SQRT1_2 = 0.7071067811865476;

    /**
     * {@link #unary} for a float32 element: the ops with vector kernels use {@link FloatMath}'s float
     * formulas (the vector ones, lane for lane), the others compute in double and round once.
     */
    static float unaryFloat(UnaryOp op, float x, double a, double b) {
        return switch (op) {
            case EXP -> FloatMath.exp(x);
            case LOG -> FloatMath.log(x);
            case TANH -> FloatMath.tanh(x);
            case SIGMOID -> FloatMath.sigmoid(x);
            case SILU -> FloatMath.silu(x);
            case TAN -> FloatMath.tan(x);
            case GELU -> FloatMath.gelu(x);
            case LEAKY_RELU -> x > 0 ? x : (float) a * x; // the vector kernel multiplies by the float slope
            case POW_SCALAR -> powFloat(x, a);
            default -> (float) unary(op, x, a, b);
        };
    }

    /**
     * {@code x^a} in float32. The exponents 2, 3, -1 and -2 are products (and a reciprocal) in float32, as in
     * PyTorch's CPU kernel ({@code pow_tensor_scalar_optimized_kernel}); they are what gradients ask for (rsqrt's
     * backward cubes its output), and {@code StrictMath.pow} per element cost 3% of a GPT training step.
     */
    static float powFloat(float x, double a) {
        if (a == 2) return x * x;
        if (a == 3) return x * x * x;
        if (a == -1) return 1f / x;
        if (a == -2) return 1f / (x * x);
        return (float) StrictMath.pow(x, a);
    }

    static double unary(UnaryOp op, double x, double a, double b) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> x > 0 ? 1 : (x < 0 ? -1 : 0); // PyTorch's: NaN and -0 give +0
            case EXP -> StrictMath.exp(x);
            case LOG -> StrictMath.log(x);
            case LOG1P -> StrictMath.log1p(x);
            case EXPM1 -> StrictMath.expm1(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1.0 / Math.sqrt(x);
            case RECIPROCAL -> 1.0 / x;
            case SQUARE -> x * x;
            case SIN -> StrictMath.sin(x);
            case COS -> StrictMath.cos(x);
            case TAN -> StrictMath.tan(x);
            case TANH -> StrictMath.tanh(x);
            case SIGMOID -> x >= 0 ? 1.0 / (1.0 + StrictMath.exp(-x)) : StrictMath.exp(x) / (1.0 + StrictMath.exp(x));
            case SILU -> x / (1.0 + StrictMath.exp(-x));
            case RELU -> x > 0 ? x : (Double.isNaN(x) ? x : 0.0);
            case GELU -> 0.5 * x * erfc(-x * SQRT1_2); // the op table's form: 1 + erf(z) cancels for negative x
            case ERF -> erf(x);
            case SOFTPLUS -> x > 20 ? x : StrictMath.log1p(StrictMath.exp(x)); // torch's threshold 20
            case FLOOR -> Math.floor(x);
            case CEIL -> Math.ceil(x);
            case ROUND -> Math.rint(x); // half to even, as torch.round
            case LEAKY_RELU -> x > 0 ? x : a * x;
            case POW_SCALAR -> StrictMath.pow(x, a);
            case CLAMP -> Double.isNaN(x) ? x : Math.min(Math.max(x, a), b);
            case NOT -> x == 0 ? 1 : 0;
            case ISNAN -> Double.isNaN(x) ? 1 : 0;
        };
    }

    static long unaryLong(UnaryOp op, long x, double a, double b) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Long.signum(x);
            case SQUARE -> x * x;
            case RELU -> Math.max(x, 0);
            case FLOOR, CEIL, ROUND -> x;
            // Compared as longs: through double, x above 2^53 would be rounded. Bounds saturate ((long) of +-inf).
            case CLAMP -> Math.min(Math.max(x, (long) Math.ceil(a)), (long) Math.floor(b));
            case NOT -> x == 0 ? 1 : 0;
            case ISNAN -> 0;
            default -> throw new IllegalArgumentException(op + " is not defined for integer tensors");
        };
    }

    static double binary(BinaryOp op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> StrictMath.pow(x, y);
            case MAX -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y);
            case MIN -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y);
            case REMAINDER -> { double r = x % y; yield r != 0 && (r < 0) != (y < 0) ? r + y : r; } // Python's sign rule
            case ATAN2 -> StrictMath.atan2(x, y);
            case EQ -> x == y ? 1 : 0;
            case NE -> x != y ? 1 : 0;
            case LT -> x < y ? 1 : 0;
            case LE -> x <= y ? 1 : 0;
            case GT -> x > y ? 1 : 0;
            case GE -> x >= y ? 1 : 0;
            case AND -> x != 0 && y != 0 ? 1 : 0;
            case OR -> x != 0 || y != 0 ? 1 : 0;
            case XOR -> (x != 0) != (y != 0) ? 1 : 0;
        };
    }

    static long binaryLong(BinaryOp op, long x, long y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> {
                if (y == 0) throw KernelError.INT_DIV_ZERO.exception(0, 0, 0, "");
                yield Math.floorDiv(x, y);
            }
            case POW -> {
                if (y < 0) throw KernelError.INT_NEG_POW.exception(y, 0, 0, "");
                long r = 1, base = x;
                for (long e = y; e > 0; e >>= 1) { if ((e & 1) != 0) r *= base; base *= base; }
                yield r;
            }
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            case REMAINDER -> {
                if (y == 0) throw KernelError.INT_REM_ZERO.exception(0, 0, 0, "");
                yield Math.floorMod(x, y);
            }
            case ATAN2 -> throw new IllegalArgumentException("atan2 is not defined for integer tensors");
            case EQ -> x == y ? 1 : 0;
            case NE -> x != y ? 1 : 0;
            case LT -> x < y ? 1 : 0;
            case LE -> x <= y ? 1 : 0;
            case GT -> x > y ? 1 : 0;
            case GE -> x >= y ? 1 : 0;
            case AND -> x != 0 && y != 0 ? 1 : 0;
            case OR -> x != 0 || y != 0 ? 1 : 0;
            case XOR -> (x != 0) != (y != 0) ? 1 : 0;
        };
    }

    /**
     * The error function to about 1e-15 relative: W. J. Cody's rational approximations
     * ("Rational Chebyshev approximations for the error function", Math. Comp. 1969), as in most libms.
     */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax <= 0.46875) {
            double t = x * x;
            double top = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t
                    + 377.485237685302021) * t + 3209.37758913846947;
            double bot = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t
                    + 2844.23683343917062;
            return x * top / bot;
        }
        if (ax >= 6) return Math.copySign(1.0, x);
        return Math.copySign(1.0 - erfcPositive(ax), x);
    }

    /** The complementary error function {@code 1 - erf(x)}, accurate in both tails. */
    static double erfc(double x) {
        double ax = Math.abs(x);
        if (ax <= 0.46875) return 1.0 - erf(x);
        double tail = ax >= 27 ? 0.0 : erfcPositive(ax); // exp(-x^2) underflows beyond 27
        return x > 0 ? tail : 2.0 - tail;
    }

    private static double erfcPositive(double x) {
        double r;
        if (x < 4) {
            double top = (((((((2.15311535474403846e-8 * x + 5.64188496988670089e-1) * x + 8.88314979438837594) * x
                    + 66.1191906371416295) * x + 298.635138197400131) * x + 881.952221241769090) * x
                    + 1712.04761263407058) * x + 2051.07837782607147) * x + 1230.33935479799725;
            double bot = (((((((x + 15.7449261107098347) * x + 117.693950891312499) * x + 537.181101862009858) * x
                    + 1621.38957456669019) * x + 3290.79923573345963) * x + 4362.61909014324716) * x
                    + 3439.36767414372164) * x + 1230.33935480374942;
            r = top / bot;
        } else {
            double z = 1.0 / (x * x);
            double top = ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z
                    + 1.25781726111229246e-1) * z + 1.60837851487422766e-2) * z + 6.58749161529837803e-4;
            double bot = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 5.27905102951428412e-1) * z
                    + 6.05183413124413191e-2) * z + 2.33520497626869185e-3;
            r = (0.564189583547756287 - z * top / bot) / x;
        }
        return StrictMath.exp(-x * x) * r;
    }
}
