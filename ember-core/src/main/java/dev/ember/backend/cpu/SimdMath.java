package dev.ember.backend.cpu;

import static dev.ember.backend.cpu.FloatMath.*;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatMath}'s functions on vectors: the same operations in the same order, lane by lane
 * (Vector API lanewise add, multiply, divide and fma are IEEE operations, as the scalar ones), so
 * every lane equals the scalar function bit for bit, on any compiler tier and at any vector width.
 * Both branches of a piecewise formula are computed and the lane's one is kept by a blend.
 * Vector API math operators such as {@code lanewise(EXP)} are deliberately not used: their result
 * changes when C2 replaces them by SVML intrinsics.
 *
 * <p>Shaped by the JIT: a vector that crosses a call C2 did not inline is boxed on the heap, which
 * made GELU ten times slower. C2 inlines a hot callee only below 325 bytecodes, 15 levels deep
 * counting the Vector API's own layers, and within a node budget per compiled method. So each op
 * has its own loop method (its own compilation, its own budget), the loops spell their formula out
 * and call at most {@link #exp} (under 325 bytecodes), and nothing nests deeper.
 */
final class SimdMath {
    private SimdMath() {}

    private static final VectorSpecies<Float> S = SimdKernels.S;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private static final int L = S.length();

    /** e^x lane by lane: {@link FloatMath#exp}'s steps. */
    static FloatVector exp(FloatVector x) {
        // Compare and blend: cheaper than max / min, whose Java semantics (NaN, -0) cost C2 extra instructions.
        var xc = x.blend(EXP_LO, x.compare(VectorOperators.LT, EXP_LO)).blend(EXP_HI, x.compare(VectorOperators.GT, EXP_HI));
        var n = xc.fma(LOG2E, ROUND).sub(ROUND);
        var r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        var p = r.fma(EXP_P0, EXP_P1);
        p = p.fma(r, FloatVector.broadcast(S, EXP_P2));
        p = p.fma(r, FloatVector.broadcast(S, EXP_P3));
        p = p.fma(r, FloatVector.broadcast(S, EXP_P4));
        p = p.fma(r, FloatVector.broadcast(S, EXP_P5));
        var y = p.fma(r.mul(r), r).add(1f);
        var ni = (IntVector) n.convert(VectorOperators.F2I, 0);
        var n1 = ni.lanewise(VectorOperators.ASHR, 1);
        var n2 = ni.sub(n1);
        var s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        var s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(s1).mul(s2);
    }

    /** {@code o[oo + i] = exp(x[xo + i])} for {@code i} below {@code bound}, a multiple of the lane count. */
    static void expRow(float[] x, int xo, float[] o, int oo, int bound) {
        for (int i = 0; i < bound; i += L) exp(FloatVector.fromArray(S, x, xo + i)).intoArray(o, oo + i);
    }

    /** Sigmoid, {@code 1 / (1 + e^-x)}, over whole vectors. */
    static void sigmoidRow(float[] x, int xo, float[] o, int oo, int bound) {
        var one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < bound; i += L) one.div(one.add(exp(FloatVector.fromArray(S, x, xo + i).neg()))).intoArray(o, oo + i);
    }

    /** SiLU, {@code x / (1 + e^-x)}, over whole vectors. */
    static void siluRow(float[] x, int xo, float[] o, int oo, int bound) {
        var one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < bound; i += L) {
            var v = FloatVector.fromArray(S, x, xo + i);
            v.div(one.add(exp(v.neg()))).intoArray(o, oo + i);
        }
    }

    /**
     * {@link FloatMath#tan} over whole vectors; lanes at or beyond {@link FloatMath#TAN_LIMIT} (and NaN) are redone
     * afterwards by the scalar function's exact reduction, as the scalar function does.
     */
    static void tanRow(float[] x, int xo, float[] o, int oo, int bound) {
        var one = FloatVector.broadcast(S, 1f);
        var c1 = FloatVector.broadcast(S, PIO2_1);
        var c2 = FloatVector.broadcast(S, PIO2_2);
        var c3 = FloatVector.broadcast(S, PIO2_3);
        var c4 = FloatVector.broadcast(S, PIO2_4);
        var t2 = FloatVector.broadcast(S, TAN_P2);
        var t3 = FloatVector.broadcast(S, TAN_P3);
        var t4 = FloatVector.broadcast(S, TAN_P4);
        var t5 = FloatVector.broadcast(S, TAN_P5);
        for (int i = 0; i < bound; i += L) {
            var v = FloatVector.fromArray(S, x, xo + i);
            var k = v.fma(TWO_OVER_PI, ROUND).sub(ROUND);
            var nk = k.neg();
            var r = nk.fma(c1, v);
            r = nk.fma(c2, r);
            r = nk.fma(c3, r);
            r = nk.fma(c4, r);
            var z = r.mul(r);
            var p = z.fma(TAN_P0, TAN_P1);
            p = p.fma(z, t2);
            p = p.fma(z, t3);
            p = p.fma(z, t4);
            p = p.fma(z, t5);
            var t = p.mul(z).fma(r, r).blend(v, v.compare(VectorOperators.EQ, 0f));
            VectorMask<Float> odd = ((IntVector) k.convert(VectorOperators.F2I, 0)).and(1).compare(VectorOperators.NE, 0).cast(S);
            t.blend(one.div(t).neg(), odd).intoArray(o, oo + i);
        }
        for (int j = 0; j < bound; j++) {
            float a = x[xo + j];
            if (!(Math.abs(a) < TAN_LIMIT)) o[oo + j] = (float) StrictMath.tan(a);
        }
    }

    /** {@link FloatMath#log} over whole vectors. */
    static void logRow(float[] x, int xo, float[] o, int oo, int bound) {
        var p1 = FloatVector.broadcast(S, LOG_P2);
        var p3 = FloatVector.broadcast(S, LOG_P3);
        var p4 = FloatVector.broadcast(S, LOG_P4);
        var p5 = FloatVector.broadcast(S, LOG_P5);
        var p6 = FloatVector.broadcast(S, LOG_P6);
        var p7 = FloatVector.broadcast(S, LOG_P7);
        var p8 = FloatVector.broadcast(S, LOG_P8);
        var lo = FloatVector.broadcast(S, LN2_LO);
        var hi = FloatVector.broadcast(S, LN2_HI);
        var half = FloatVector.broadcast(S, -0.5f);
        var zeroI = IntVector.zero(I);
        for (int i = 0; i < bound; i += L) {
            var v = FloatVector.fromArray(S, x, xo + i);
            VectorMask<Float> sub = v.compare(VectorOperators.LT, Float.MIN_NORMAL); // subnormal (or not positive: replaced below)
            var bits = v.blend(v.mul(0x1p23f), sub).reinterpretAsInts();
            var e = bits.lanewise(VectorOperators.LSHR, 23).sub(126).add(zeroI.blend(-23, sub.cast(I)));
            var m = bits.and(0x007fffff).or(0x3f000000).reinterpretAsFloats();
            VectorMask<Float> below = m.compare(VectorOperators.LT, SQRT_HALF);
            e = e.blend(e.sub(1), below.cast(I));
            var f = m.sub(1f).blend(m.add(m).sub(1f), below);
            var z = f.mul(f);
            var p = f.fma(LOG_P0, LOG_P1);
            p = p.fma(f, p1);
            p = p.fma(f, p3);
            p = p.fma(f, p4);
            p = p.fma(f, p5);
            p = p.fma(f, p6);
            p = p.fma(f, p7);
            p = p.fma(f, p8);
            var fe = (FloatVector) e.convert(VectorOperators.I2F, 0);
            var y = fe.fma(lo, p.mul(f).mul(z));
            y = z.fma(half, y);
            var r = fe.fma(hi, f.add(y))
                    .blend(Float.NaN, v.compare(VectorOperators.LT, 0f))
                    .blend(Float.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, 0f))
                    .blend(Float.POSITIVE_INFINITY, v.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
            r.blend(v, v.test(VectorOperators.IS_NAN)).intoArray(o, oo + i);
        }
    }

    /** {@link FloatMath#tanh} over whole vectors. */
    static void tanhRow(float[] x, int xo, float[] o, int oo, int bound) {
        var one = FloatVector.broadcast(S, 1f);
        var two = FloatVector.broadcast(S, 2f);
        var t2 = FloatVector.broadcast(S, TANH_P2);
        var t3 = FloatVector.broadcast(S, TANH_P3);
        var t4 = FloatVector.broadcast(S, TANH_P4);
        for (int i = 0; i < bound; i += L) {
            var v = FloatVector.fromArray(S, x, xo + i);
            var a = v.abs();
            var z = v.mul(v);
            var p = z.fma(TANH_P0, TANH_P1);
            p = p.fma(z, t2);
            p = p.fma(z, t3);
            p = p.fma(z, t4);
            var small = p.mul(z).fma(v, v).blend(v, v.compare(VectorOperators.EQ, 0f));
            var y = one.sub(two.div(exp(a.add(a)).add(1f)));
            var big = y.blend(y.neg(), v.compare(VectorOperators.LT, 0f));
            small.blend(big, a.compare(VectorOperators.GE, TANH_SMALL)).intoArray(o, oo + i);
        }
    }

    /** {@link FloatMath#gelu} (and so {@link FloatMath#erf}) over whole vectors. */
    static void geluRow(float[] x, int xo, float[] o, int oo, int bound) {
        var one = FloatVector.broadcast(S, 1f);
        var e2 = FloatVector.broadcast(S, ERF_P2);
        var e3 = FloatVector.broadcast(S, ERF_P3);
        var e4 = FloatVector.broadcast(S, ERF_P4);
        var e5 = FloatVector.broadcast(S, ERF_P5);
        var e6 = FloatVector.broadcast(S, ERF_P6);
        var u7 = FloatVector.broadcast(S, ERFC_U7);
        var u6 = FloatVector.broadcast(S, ERFC_U6);
        var u5 = FloatVector.broadcast(S, ERFC_U5);
        var u4 = FloatVector.broadcast(S, ERFC_U4);
        var u3 = FloatVector.broadcast(S, ERFC_U3);
        var u2 = FloatVector.broadcast(S, ERFC_U2);
        var u1 = FloatVector.broadcast(S, ERFC_U1);
        var u0 = FloatVector.broadcast(S, ERFC_U0);
        for (int i = 0; i < bound; i += L) {
            var v = FloatVector.fromArray(S, x, xo + i);
            var s = v.mul(SQRT_HALF_F); // erf's argument
            var a = s.abs().min(ERF_HI);
            var z = s.mul(s);
            var p = z.fma(ERF_P0, ERF_P1);
            p = p.fma(z, e2);
            p = p.fma(z, e3);
            p = p.fma(z, e4);
            p = p.fma(z, e5);
            p = p.fma(z, e6);
            var small = s.fma(p, s);
            var u = one.div(a).sub(ERFC_SHIFT);
            var q = u.fma(ERFC_U9, ERFC_U8);
            q = q.fma(u, u7);
            q = q.fma(u, u6);
            q = q.fma(u, u5);
            q = q.fma(u, u4);
            q = q.fma(u, u3);
            q = q.fma(u, u2);
            q = q.fma(u, u1);
            q = q.fma(u, u0);
            var y = exp(a.mul(a).neg()).neg().fma(q, one);
            var erf = y.blend(y.neg(), s.compare(VectorOperators.LT, 0f)).blend(small, a.compare(VectorOperators.LT, 1f));
            v.mul(0.5f).mul(erf.add(1f)).intoArray(o, oo + i);
        }
    }
}
