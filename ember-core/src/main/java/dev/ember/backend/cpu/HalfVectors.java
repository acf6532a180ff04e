package dev.ember.backend.cpu;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.LT;

import dev.ember.backend.HalfConversions;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API conversions of contiguous runs between 16-bit floats and float32, lane for lane equal to
 * {@link HalfConversions} (tested on every bit pattern). They are integer arithmetic on the bit patterns
 * plus one float add, so the result does not depend on the compiler tier or on the CPU having conversion
 * instructions (the JDK's {@code Float.float16ToFloat} intrinsic and its Java code disagree on signalling
 * NaNs). FLOAT16 follows the branch-free method of F. Giesen's {@code float_to_half_fast3_rtne} and
 * {@code half_to_float}; BFLOAT16 is a shift one way and a rounding add the other.
 */
final class HalfVectors {
    private HalfVectors() {}

    private static final VectorSpecies<Float> F = SimdKernels.S;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** As many 16-bit lanes as F has float lanes (half its width). */
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final int L = F.length();

    /** Float lanes per vector. */
    static int lanes() { return L; }

    /** The {@link #lanes()} FLOAT16 values from {@code src[off]} as float32. */
    static FloatVector float16s(short[] src, int off) {
        IntVector h = (IntVector) ShortVector.fromArray(S, src, off).convertShape(VectorOperators.S2I, I, 0);
        IntVector em = h.and(0x7fff), shifted = em.lanewise(LSHL, 13);
        IntVector bits = shifted.add((127 - 15) << 23); // normal: rebias the exponent
        bits = bits.blend(shifted.or(0x7f800000), em.compare(GE, 0x7c00)); // infinity and NaN
        bits = bits.blend(bits.or(0x00400000), em.compare(GT, 0x7c00)); // NaN: quiet
        // subnormal (and zero): the 10-bit fraction times 2^-24, exact in float32
        VectorMask<Integer> sub = em.compare(LT, 0x0400);
        bits = bits.blend(((FloatVector) em.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), sub);
        return bits.or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
    }

    /** The {@link #lanes()} BFLOAT16 values from {@code src[off]} as float32. */
    static FloatVector bfloat16s(short[] src, int off) {
        IntVector h = (IntVector) ShortVector.fromArray(S, src, off).convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(LSHL, 16).reinterpretAsFloats();
    }

    static void float16ToFloat(short[] src, int so, float[] dst, int o, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) float16s(src, so + i).intoArray(dst, o + i);
        for (; i < n; i++) dst[o + i] = HalfConversions.float16ToFloat(src[so + i]);
    }

    static void floatToFloat16(float[] src, int so, short[] dst, int o, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            IntVector f = FloatVector.fromArray(F, src, so + i).reinterpretAsInts();
            IntVector a = f.and(0x7fffffff);
            // normal: rebias, then round the 13 dropped bits to nearest even (a carry may reach infinity)
            IntVector r = a.add(((15 - 127) << 23) + 0xfff).add(a.lanewise(LSHR, 13).and(1)).lanewise(LSHR, 13);
            // below 2^-14: adding 0.5f aligns the subnormal fraction at the bottom and rounds it (to nearest even)
            IntVector sub = a.reinterpretAsFloats().add(0.5f).reinterpretAsInts().sub(0x3f000000);
            r = r.blend(sub, a.compare(LT, 0x38800000));
            // 65536 and above (after rounding, anything past 65520 is infinity): infinity, or quiet NaN
            IntVector big = IntVector.broadcast(I, 0x7c00).blend(IntVector.broadcast(I, 0x7e00), a.compare(GT, 0x7f800000));
            r = r.blend(big, a.compare(GE, 0x47800000));
            r = r.or(f.lanewise(LSHR, 16).and(0x8000));
            ((ShortVector) r.convertShape(VectorOperators.I2S, S, 0)).intoArray(dst, o + i);
        }
        for (; i < n; i++) dst[o + i] = HalfConversions.floatToFloat16(src[so + i]);
    }

    static void bfloat16ToFloat(short[] src, int so, float[] dst, int o, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) bfloat16s(src, so + i).intoArray(dst, o + i);
        for (; i < n; i++) dst[o + i] = HalfConversions.bfloat16ToFloat(src[so + i]);
    }

    static void floatToBfloat16(float[] src, int so, short[] dst, int o, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, src, so + i);
            IntVector b = v.reinterpretAsInts();
            IntVector r = b.add(0x7fff).add(b.lanewise(LSHR, 16).and(1)).lanewise(LSHR, 16);
            r = r.blend(IntVector.broadcast(I, 0xffff), v.compare(VectorOperators.NE, v).cast(I));
            ((ShortVector) r.convertShape(VectorOperators.I2S, S, 0)).intoArray(dst, o + i);
        }
        for (; i < n; i++) dst[o + i] = HalfConversions.floatToBfloat16(src[so + i]);
    }
}
