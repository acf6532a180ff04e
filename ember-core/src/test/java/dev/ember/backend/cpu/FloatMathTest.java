package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.backend.UnaryOp;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The float32 transcendental kernels ({@link FloatMath}, and {@link SimdMath} through the SIMD unary kernel)
 * against float64 references, over a sweep of float bit patterns in each function's range, and at the
 * special values. The largest errors over every 61st float, in units in the last place (ulp) of the float32
 * result, and the bounds asserted:
 * <ul>
 *   <li>exp: 1.003 ulp on [-104, 89] (results down to the subnormal range): at most 1.01,
 *   <li>log: 0.795 ulp on all positive floats (subnormals included): at most 1,
 *   <li>tanh: 1.265, sigmoid: 1.489 (results above 2^-126), erf: 0.938: at most 2,
 *   <li>silu: 2.256 ulp above -88.5 (below, e^-x overflows and the result is -0, as PyTorch's): at most 2.5;
 *       tan: 2.583 ulp below 4096 in magnitude, and within 3 ulp at the two floats each side of every pole
 *       there; 0.5 beyond (reduced in double): at most 3,
 *   <li>gelu: 1.608 ulp for x >= 0: at most 2; for x < 0, {@code 1 + erf} cancels (PyTorch's formula does the
 *       same), so the error is bounded by 2 max(ulp, 2^-24 |x|).
 * </ul>
 * The vector kernel must equal the scalar formula bit for bit (so a tensor's values do not depend on where
 * an element falls in a row, on the vector width, or on whether the Vector API is present). Tagged
 * "conformance" so the 8-lane (AVX2) run checks it too.
 */
@Tag("conformance")
class FloatMathTest {
    /** Every STRIDE-th float is checked: 61 when the bounds were measured; by default 29 * 61, a subset, to keep the test short. */
    private static final int STRIDE = Integer.getInteger("ember.floatMathStride", 29 * 61);

    /** Units in the last place of {@code got} against the exact {@code want}, measured in float32's ulp at want. */
    private static double ulps(float got, double want) {
        if (Double.isNaN(want)) return Float.isNaN(got) ? 0 : Double.POSITIVE_INFINITY;
        if (Double.isInfinite(want) || Float.isInfinite(got)) return (float) want == got ? 0 : Double.POSITIVE_INFINITY;
        return Math.abs(got - want) / Math.ulp((float) want);
    }

    private interface FloatFn { float apply(float x); }

    /** The largest ulp error of {@code f} against {@code ref} over floats in [lo, hi] (every STRIDE-th bit pattern, both signs). */
    private static double maxUlps(String name, FloatFn f, DoubleUnaryOperator ref, float lo, float hi, double minResult) {
        double worst = 0;
        float worstX = 0;
        for (int sign = 0; sign < 2; sign++) {
            float from = sign == 0 ? Math.max(lo, 0f) : Math.max(-hi, 0f), to = sign == 0 ? hi : -lo;
            if (to < from) continue;
            int b0 = Float.floatToIntBits(from), b1 = Float.floatToIntBits(to);
            for (int b = b0; b >= b0 && b <= b1; b += STRIDE) {
                float x = Float.intBitsToFloat(b);
                if (sign == 1) x = -x;
                double want = ref.applyAsDouble(x);
                if (Math.abs(want) < minResult) continue;
                double e = ulps(f.apply(x), want);
                if (e > worst) { worst = e; worstX = x; }
            }
        }
        System.out.printf("%s: max error %.3f ulp at x = %s%n", name, worst, worstX);
        return worst;
    }

    private static double erf64(double x) { return ScalarMath.erf(x); }

    @Test
    void expIsWithinOnePointZeroOneUlp() {
        assertTrue(maxUlps("exp", FloatMath::exp, StrictMath::exp, -104f, 89f, 0) <= 1.01);
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(88.73f));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(Float.POSITIVE_INFINITY));
        assertEquals(0f, FloatMath.exp(-104f));
        assertEquals(0f, FloatMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(1f, FloatMath.exp(0f));
        assertEquals(1f, FloatMath.exp(-0f));
        assertTrue(Float.isNaN(FloatMath.exp(Float.NaN)));
        float nearMax = FloatMath.exp(88.72283f); // just below ln(Float.MAX_VALUE): n = 128, scaled in two halves
        assertEquals((float) StrictMath.exp(88.72283f), nearMax, Math.ulp(nearMax), "a result near Float.MAX_VALUE");
        assertTrue(ulps(FloatMath.exp(-100f), StrictMath.exp(-100f)) <= 1, "a subnormal result");
    }

    @Test
    void logIsWithinOneUlp() {
        assertTrue(maxUlps("log", FloatMath::log, StrictMath::log, Float.MIN_VALUE, Float.MAX_VALUE, 0) <= 1.0);
        assertEquals(Float.NEGATIVE_INFINITY, FloatMath.log(0f));
        assertEquals(Float.NEGATIVE_INFINITY, FloatMath.log(-0f));
        assertTrue(Float.isNaN(FloatMath.log(-1f)));
        assertTrue(Float.isNaN(FloatMath.log(Float.NEGATIVE_INFINITY)));
        assertTrue(Float.isNaN(FloatMath.log(Float.NaN)));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.log(Float.POSITIVE_INFINITY));
        assertEquals(0f, FloatMath.log(1f));
    }

    @Test
    void tanhSigmoidErfAreWithinTwoUlps() {
        assertTrue(maxUlps("tanh", FloatMath::tanh, StrictMath::tanh, 0f, 20f, 0) <= 2.0, "tanh");
        assertTrue(maxUlps("sigmoid", FloatMath::sigmoid, x -> 1 / (1 + StrictMath.exp(-x)), 0f, 100f, Float.MIN_NORMAL) <= 2.0, "sigmoid");
        assertTrue(maxUlps("erf", FloatMath::erf, FloatMathTest::erf64, 0f, 10f, 0) <= 2.0, "erf");
        assertEquals(1f, FloatMath.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, FloatMath.tanh(-1e30f));
        assertEquals(-0f, FloatMath.tanh(-0f));
        assertEquals(1f, FloatMath.erf(Float.POSITIVE_INFINITY));
        assertEquals(-1f, FloatMath.erf(-5f));
        assertEquals(-0f, FloatMath.erf(-0f));
        assertEquals(0f, FloatMath.sigmoid(Float.NEGATIVE_INFINITY));
        assertEquals(1f, FloatMath.sigmoid(Float.POSITIVE_INFINITY));
        for (FloatFn f : new FloatFn[]{FloatMath::tanh, FloatMath::sigmoid, FloatMath::erf, FloatMath::gelu})
            assertTrue(Float.isNaN(f.apply(Float.NaN)));
    }

    @Test
    void siluAndTanAreWithinThreeUlps() {
        // below about -88.7, e^-x overflows float32 and silu is -0, as in PyTorch (the exact value is below 6e-37)
        assertTrue(maxUlps("silu", FloatMath::silu, x -> x / (1 + StrictMath.exp(-x)), -88.5f, 100f, 0) <= 2.5, "silu");
        // tan over the range its float reduction serves, and beyond (the exact reduction in double)
        assertTrue(maxUlps("tan", FloatMath::tan, StrictMath::tan, 0f, FloatMath.TAN_LIMIT, 0) <= 3.0, "tan");
        assertTrue(maxUlps("tan beyond the limit", FloatMath::tan, StrictMath::tan, FloatMath.TAN_LIMIT, 1e9f, 0) <= 0.5, "tan");
        // the floats nearest the first poles, where tan is largest and the reduction matters most
        for (int k = 1; k < 2600; k += 2) {
            float pole = (float) (k * Math.PI / 2);
            for (float x = Math.nextDown(Math.nextDown(pole)), end = Math.nextUp(Math.nextUp(pole)); x <= end; x = Math.nextUp(x))
                if (Math.abs(x) < FloatMath.TAN_LIMIT)
                    assertTrue(ulps(FloatMath.tan(x), StrictMath.tan(x)) <= 3.0, "tan(" + x + ") near the pole " + k + " pi / 2: "
                            + FloatMath.tan(x) + " vs " + StrictMath.tan(x));
        }
        assertEquals(0f, FloatMath.silu(0f));
        assertEquals(-0f, FloatMath.silu(-0f));
        assertEquals(-0f, FloatMath.silu(-100f)); // e^100 overflows float32, as in PyTorch
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.silu(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(FloatMath.silu(Float.NEGATIVE_INFINITY)), "-inf / inf, as PyTorch");
        assertEquals(-0f, FloatMath.tan(-0f));
        assertEquals(1e-30f, FloatMath.tan(1e-30f));
        assertEquals((float) StrictMath.tan(1e30f), FloatMath.tan(1e30f));
        for (FloatFn f : new FloatFn[]{FloatMath::silu, FloatMath::tan}) assertTrue(Float.isNaN(f.apply(Float.NaN)));
        assertTrue(Float.isNaN(FloatMath.tan(Float.POSITIVE_INFINITY)));
    }

    @Test
    void geluIsWithinTwoUlpsAboveZeroAndAbsolutelyBelow() {
        DoubleUnaryOperator gelu = x -> 0.5 * x * (1 + erf64(x / Math.sqrt(2)));
        assertTrue(maxUlps("gelu", FloatMath::gelu, gelu, 0f, 20f, 0) <= 2.0, "gelu");
        double worst = 0;
        for (int b = Float.floatToIntBits(Float.MIN_VALUE); b <= Float.floatToIntBits(20f); b += STRIDE) {
            float x = -Float.intBitsToFloat(b);
            double want = gelu.applyAsDouble(x);
            worst = Math.max(worst, Math.abs(FloatMath.gelu(x) - want) / Math.max(Math.ulp((float) want), 0x1p-24 * Math.abs(x)));
        }
        System.out.printf("gelu below 0: max error %.3f units of max(ulp, 2^-24 |x|)%n", worst);
        assertTrue(worst <= 2.0);
    }

    /** Inputs that reach every branch: specials, subnormals, boundaries between pieces, and a wide random spread. */
    private static float[] inputs() {
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE,
                Float.MIN_NORMAL, 1e-40f, Float.MAX_VALUE, -Float.MAX_VALUE, 88.72283f, 88.73f, -87.3f, -103.9f, -104.5f, 0.625f, -0.625f,
                0.62499994f, 1f, -1f, 0.99999994f, 4f, -4f, 3.99f, 0.70710677f, 0.7071068f, 1e-20f, -1e-20f, 20f, -20f, 1e6f,
                1.5707964f, -1.5707964f, 0.7853982f, 4095.9998f, 4096f, -4096f, 1e30f};
        var r = new java.util.SplittableRandom(12);
        float[] x = new float[4099];
        for (int i = 0; i < x.length; i++) {
            x[i] = i < special.length ? special[i]
                    : i % 3 == 0 ? (float) ((r.nextDouble() * 2 - 1) * 12)
                    : i % 3 == 1 ? Float.intBitsToFloat(r.nextInt()) // any bit pattern
                    : (float) ((r.nextDouble() * 2 - 1) * 200);
        }
        return x;
    }

    @Test
    void theVectorKernelEqualsTheScalarFormulaBitForBit() {
        float[] x = inputs();
        // GELU's vector kernel contains erf's, so erf is compared through it.
        for (UnaryOp op : new UnaryOp[]{UnaryOp.EXP, UnaryOp.LOG, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.SILU, UnaryOp.TAN, UnaryOp.GELU,
                UnaryOp.LEAKY_RELU}) {
            float[] o = new float[x.length];
            assertTrue(SimdKernels.unary(op, x, 0, o, 0, x.length, 0.01f, 0));
            for (int i = 0; i < x.length; i++) {
                float want = ScalarMath.unaryFloat(op, x[i], 0.01f, 0);
                if (Float.floatToIntBits(want) != Float.floatToIntBits(o[i]))
                    fail(op + "(" + x[i] + "): the vector lane gives " + o[i] + ", the scalar formula " + want);
            }
        }
    }
}
