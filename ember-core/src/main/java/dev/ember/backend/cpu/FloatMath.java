package dev.ember.backend.cpu;

/**
 * The float32 transcendental functions of the CPU backend, written with IEEE arithmetic only
 * (add, multiply, divide, {@link Math#fma}, bit manipulation), so their result is fixed by the
 * Java language and does not depend on the compiler tier. {@code Math.exp} and the Vector API's
 * {@code lanewise(EXP)} may not: the latter is an SVML intrinsic once C2 compiles the loop and a
 * per-lane {@code Math.exp} before, so a kernel's last bits changed after a few hundred calls.
 *
 * <p>{@link SimdMath} evaluates the same formulas, operation for operation, on vectors; the
 * scalar versions here serve the tails of vector loops, strided tensors and JVMs without the
 * Vector API, so a float32 op gives the same bits wherever an element lands.
 *
 * <p>Range reduction and polynomial coefficients follow Cephes ({@code expf}, {@code logf},
 * {@code tanhf}, {@code erff}, S. L. Moshier); the erfc tail is a minimax fit of
 * {@code erfc(x) e^{x^2}} in {@code 1/x}. Largest errors against float64 found by FloatMathTest's
 * sweep: exp 1.003 ulp, log 0.80, tanh 1.27, sigmoid 1.49, silu 2.26, tan 2.58 (Cephes {@code tanf}'s polynomial
 * after a four-part Cody-Waite reduction), erf 0.94, gelu 1.61 (for x >= 0).
 */
final class FloatMath {
    private FloatMath() {}

    // ---- exp --------------------------------------------------------------------------------
    /** Inputs are clamped here: below, e^x rounds to 0; above, to infinity (via a 2^128 scale). */
    static final float EXP_LO = -104f, EXP_HI = 89f;
    static final float LOG2E = 1.44269504088896341f;
    /** 1.5 * 2^23: adding and subtracting it rounds a float below 2^22 in magnitude to an integer (ties to even). */
    static final float ROUND = 0x1.8p23f;
    /** ln 2 in two parts (Cody and Waite): n * LN2_HI is exact for the n that occur. */
    static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    static final float EXP_P0 = 1.9875691500e-4f, EXP_P1 = 1.3981999507e-3f, EXP_P2 = 8.3334519073e-3f,
            EXP_P3 = 4.1665795894e-2f, EXP_P4 = 1.6666665459e-1f, EXP_P5 = 5.0000001201e-1f;

    /** e^x: x = n ln 2 + r with |r| <= ln 2 / 2, e^r by a degree-7 polynomial, times 2^n in two exact halves. */
    static float exp(float x) {
        float xc = x < EXP_LO ? EXP_LO : x > EXP_HI ? EXP_HI : x; // NaN stays NaN
        float n = Math.fma(xc, LOG2E, ROUND) - ROUND;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(EXP_P0, r, EXP_P1);
        p = Math.fma(p, r, EXP_P2);
        p = Math.fma(p, r, EXP_P3);
        p = Math.fma(p, r, EXP_P4);
        p = Math.fma(p, r, EXP_P5);
        float y = Math.fma(p, r * r, r) + 1f;
        int ni = (int) n, n1 = ni >> 1, n2 = ni - n1; // each half in [-75, 64]: a normal power of two
        return y * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    // ---- log --------------------------------------------------------------------------------
    static final float SQRT_HALF = 0.707106781186547524f;
    static final float LOG_P0 = 7.0376836292e-2f, LOG_P1 = -1.1514610310e-1f, LOG_P2 = 1.1676998740e-1f,
            LOG_P3 = -1.2420140846e-1f, LOG_P4 = 1.4249322787e-1f, LOG_P5 = -1.6668057665e-1f,
            LOG_P6 = 2.0000714765e-1f, LOG_P7 = -2.4999993993e-1f, LOG_P8 = 3.3333331174e-1f;

    /** ln x: x = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m = f - f^2/2 + f^3 P(f) with f = m - 1. */
    static float log(float x) {
        if (x != x) return x; // NaN
        if (x < 0f) return Float.NaN;
        if (x == 0f) return Float.NEGATIVE_INFINITY;
        if (x == Float.POSITIVE_INFINITY) return x;
        int adjust = 0;
        if (x < Float.MIN_NORMAL) { // subnormal: scale into the normal range
            x *= 0x1p23f;
            adjust = -23;
        }
        int bits = Float.floatToRawIntBits(x);
        int e = (bits >>> 23) - 126 + adjust;
        float m = Float.intBitsToFloat((bits & 0x007fffff) | 0x3f000000); // in [0.5, 1)
        float f;
        if (m < SQRT_HALF) {
            e -= 1;
            f = m + m - 1f;
        } else {
            f = m - 1f;
        }
        return logTail(f, e);
    }

    /** The shared end of {@link #log} once {@code x = (1 + f) 2^e}; {@link SimdMath} runs the same steps. */
    private static float logTail(float f, int e) {
        float z = f * f;
        float p = Math.fma(LOG_P0, f, LOG_P1);
        p = Math.fma(p, f, LOG_P2);
        p = Math.fma(p, f, LOG_P3);
        p = Math.fma(p, f, LOG_P4);
        p = Math.fma(p, f, LOG_P5);
        p = Math.fma(p, f, LOG_P6);
        p = Math.fma(p, f, LOG_P7);
        p = Math.fma(p, f, LOG_P8);
        float fe = e;
        float y = p * f * z;
        y = Math.fma(fe, LN2_LO, y);
        y = Math.fma(z, -0.5f, y);
        return Math.fma(fe, LN2_HI, f + y);
    }

    // ---- tanh, sigmoid ----------------------------------------------------------------------
    static final float TANH_SMALL = 0.625f;
    static final float TANH_P0 = -5.70498872745e-3f, TANH_P1 = 2.06390887954e-2f, TANH_P2 = -5.37397155531e-2f,
            TANH_P3 = 1.33314422036e-1f, TANH_P4 = -3.33332819422e-1f;

    /** tanh x: an odd polynomial below 0.625 in magnitude, else {@code 1 - 2 / (e^{2|x|} + 1)} with x's sign. */
    static float tanh(float x) {
        float a = Math.abs(x);
        if (a >= TANH_SMALL) {
            float y = 1f - 2f / (exp(a + a) + 1f);
            return x < 0f ? -y : y;
        }
        float z = x * x;
        float p = Math.fma(TANH_P0, z, TANH_P1);
        p = Math.fma(p, z, TANH_P2);
        p = Math.fma(p, z, TANH_P3);
        p = Math.fma(p, z, TANH_P4);
        return x == 0f ? x : Math.fma(p * z, x, x); // -0 + +0 would lose the sign of -0
    }

    /** {@code 1 / (1 + e^-x)}; 0 below about -88 (e^-x overflows), 1 above about 17. */
    static float sigmoid(float x) { return 1f / (1f + exp(-x)); }

    /** SiLU, {@code x / (1 + e^-x)} as PyTorch computes it: -0 below about -88 (e^-x overflows), NaN at -infinity. */
    static float silu(float x) { return x / (1f + exp(-x)); }

    // ---- tan ----------------------------------------------------------------------------------
    /** At or beyond this magnitude (and for infinities and NaN) tan reduces its argument exactly, in double. */
    static final float TAN_LIMIT = 4096f;
    static final float TWO_OVER_PI = 0.63661975f;
    /**
     * pi / 2 in four parts (Cody and Waite): k times PIO2_1 (8 bits) or PIO2_2 (11 bits) is exact for the k below
     * 2^12 that occur under {@link #TAN_LIMIT}, so the first two steps of the reduction are exact and the last two
     * round once each, to about half an ulp of the reduced argument.
     */
    static final float PIO2_1 = 1.5703125f, PIO2_2 = 4.837512969970703125e-4f, PIO2_3 = 7.54979e-8f, PIO2_4 = -1.7151245e-15f;
    /** tan r for |r| <= pi / 4 as {@code r + r^3 P(r^2)} (Cephes tanf). */
    static final float TAN_P0 = 9.38540185543e-3f, TAN_P1 = 3.11992232697e-3f, TAN_P2 = 2.44301354525e-2f,
            TAN_P3 = 5.34112807005e-2f, TAN_P4 = 1.33387994085e-1f, TAN_P5 = 3.33331568548e-1f;

    /**
     * tan x: {@code x = k pi / 2 + r} with |r| <= pi / 4, then {@code tan r} for even k and {@code -1 / tan r} for
     * odd k. Large arguments take {@link StrictMath#tan} in double (its reduction is exact), rounded once.
     */
    static float tan(float x) {
        if (!(Math.abs(x) < TAN_LIMIT)) return (float) StrictMath.tan(x); // NaN and infinities give NaN
        float k = Math.fma(x, TWO_OVER_PI, ROUND) - ROUND;
        float r = Math.fma(-k, PIO2_1, x);
        r = Math.fma(-k, PIO2_2, r);
        r = Math.fma(-k, PIO2_3, r);
        r = Math.fma(-k, PIO2_4, r);
        float z = r * r;
        float p = Math.fma(TAN_P0, z, TAN_P1);
        p = Math.fma(p, z, TAN_P2);
        p = Math.fma(p, z, TAN_P3);
        p = Math.fma(p, z, TAN_P4);
        p = Math.fma(p, z, TAN_P5);
        // x = -0: the reduction's last step adds (-0) (negative PIO2_4) = +0 and loses the sign, so zero returns itself
        float t = x == 0f ? x : Math.fma(p * z, r, r);
        return (((int) k) & 1) != 0 ? -(1f / t) : t;
    }

    // ---- erf, gelu --------------------------------------------------------------------------
    /**
     * {@code erf(x) / x - 1} as a polynomial in x^2 on [0, 1] (Cephes erff, its constant term less 1): erf x is then
     * {@code x + x p}, so the rounding of the leading coefficient 2 / sqrt(pi) does not enter.
     */
    static final float ERF_P0 = 7.853861353153693e-5f, ERF_P1 = -8.010193625184903e-4f, ERF_P2 = 5.188327685732524e-3f,
            ERF_P3 = -2.685381193529856e-2f, ERF_P4 = 1.128358514861418e-1f, ERF_P5 = -3.761262582423300e-1f,
            ERF_P6 = 0.128379165726710f;
    /** Above this, erf rounds to 1 in float32 (erfc(4) is 1.5e-8, below half an ulp of 1). */
    static final float ERF_HI = 4f;
    /**
     * {@code erfc(x) e^{x^2}} on [1, 4] as a polynomial in {@code u = 1/x - 0.625}, u in [-0.375, 0.375]
     * (Lawson-weighted minimax of relative error 1.5e-8, benchmarks/reference/fit_erfc_tail.py).
     */
    static final float ERFC_U0 = 0.3059529960155487f, ERFC_U1 = 0.3822838366031647f, ERFC_U2 = -0.17239360511302948f,
            ERFC_U3 = 0.04376080259680748f, ERFC_U4 = 0.02326197735965252f, ERFC_U5 = -0.04678605496883392f,
            ERFC_U6 = 0.04461996257305145f, ERFC_U7 = -0.02840818651020527f, ERFC_U8 = -0.006946744862943888f,
            ERFC_U9 = 0.03071289323270321f;
    static final float ERFC_SHIFT = 0.625f;

    /** erf x: x (1 + P(x^2)) below 1 in magnitude, else {@code 1 - e^{-x^2} Q(1/x)} with x's sign; 1 beyond 4. */
    static float erf(float x) {
        float a = Math.min(Math.abs(x), ERF_HI); // NaN stays NaN
        if (a < 1f) {
            float z = x * x;
            float p = Math.fma(ERF_P0, z, ERF_P1);
            p = Math.fma(p, z, ERF_P2);
            p = Math.fma(p, z, ERF_P3);
            p = Math.fma(p, z, ERF_P4);
            p = Math.fma(p, z, ERF_P5);
            p = Math.fma(p, z, ERF_P6);
            return Math.fma(x, p, x);
        }
        float u = 1f / a - ERFC_SHIFT;
        float q = Math.fma(ERFC_U9, u, ERFC_U8);
        q = Math.fma(q, u, ERFC_U7);
        q = Math.fma(q, u, ERFC_U6);
        q = Math.fma(q, u, ERFC_U5);
        q = Math.fma(q, u, ERFC_U4);
        q = Math.fma(q, u, ERFC_U3);
        q = Math.fma(q, u, ERFC_U2);
        q = Math.fma(q, u, ERFC_U1);
        q = Math.fma(q, u, ERFC_U0);
        float y = Math.fma(-exp(-(a * a)), q, 1f);
        return x < 0f ? -y : y;
    }

    static final float SQRT_HALF_F = 0.70710678f;

    /** GELU, {@code x/2 (1 + erf(x / sqrt 2))} (PyTorch's exact form). */
    static float gelu(float x) { return x * 0.5f * (erf(x * SQRT_HALF_F) + 1f); }
}
