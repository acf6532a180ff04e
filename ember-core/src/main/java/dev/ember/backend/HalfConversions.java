package dev.ember.backend;

import dev.ember.DType;

/**
 * Conversions between float32 and the two 16-bit float formats, bit for bit as PyTorch converts
 * tensors ({@code x.to(torch.float16)}, {@code x.float()}); every backend and file reader uses these.
 *
 * <ul>
 *   <li>float32 to 16 bits rounds to nearest, ties to even; values past the largest finite one
 *       (65504 for FLOAT16) round to infinity; subnormals are kept (FLOAT16 has them; BFLOAT16 has
 *       float32's exponent range, so its subnormals are float32's).</li>
 *   <li>16 bits to float32 is exact.</li>
 *   <li>NaN stays NaN. FLOAT16 to float32 quiets a NaN and keeps its sign and payload (as the x86
 *       {@code vcvtph2ps} instruction PyTorch uses); float32 to FLOAT16 gives the quiet NaN
 *       {@code 0x7e00} with the input's sign. BFLOAT16 to float32 is a 16-bit shift, so payloads pass
 *       through unchanged; float32 to BFLOAT16 gives {@code 0xffff} for every NaN, as PyTorch's
 *       vectorised tensor conversion does (its scalar path, used for single values in arithmetic,
 *       gives {@code 0x7fc0}; both are quiet NaNs).</li>
 * </ul>
 *
 * <p>The JDK's {@link Float#float16ToFloat} and {@link Float#floatToFloat16} serve the finite and
 * infinite values (they are intrinsics where the CPU has conversion instructions); NaNs are handled
 * here, because the JDK's Java code keeps a signalling NaN signalling while its intrinsic quiets it,
 * so results would depend on how warm the JIT is.
 */
public final class HalfConversions {
    private HalfConversions() {}

    /** The largest finite FLOAT16, 65504. */
    public static final float FLOAT16_MAX = 65504f;

    /** The largest finite BFLOAT16, {@code 0x7f7f} (about 3.3895e38). */
    public static final float BFLOAT16_MAX = Float.intBitsToFloat(0x7f7f0000);

    /** The float32 value of a FLOAT16 bit pattern (exact). */
    public static float float16ToFloat(short h) {
        if ((h & 0x7fff) > 0x7c00) // NaN: quiet it, keep sign and payload
            return Float.intBitsToFloat((h & 0x8000) << 16 | 0x7fc00000 | (h & 0x03ff) << 13);
        return Float.float16ToFloat(h);
    }

    /** The FLOAT16 bit pattern nearest {@code f} (ties to even); NaN gives {@code 0x7e00} with f's sign. */
    public static short floatToFloat16(float f) {
        if (f != f) return (short) ((Float.floatToRawIntBits(f) >>> 16 & 0x8000) | 0x7e00);
        return Float.floatToFloat16(f);
    }

    /** The float32 value of a BFLOAT16 bit pattern: the pattern in float32's top 16 bits. */
    public static float bfloat16ToFloat(short b) {
        return Float.intBitsToFloat(b << 16);
    }

    /** The BFLOAT16 bit pattern nearest {@code f} (ties to even); every NaN gives {@code 0xffff}. */
    public static short floatToBfloat16(float f) {
        if (f != f) return (short) 0xffff;
        int bits = Float.floatToRawIntBits(f);
        // Adding 0x7fff plus the lowest kept bit rounds the discarded half to nearest, ties to even;
        // a carry out of the fraction bumps the exponent, which is what rounding up to a power of 2
        // (or to infinity, past the largest finite value) means.
        return (short) ((bits + 0x7fff + (bits >>> 16 & 1)) >>> 16);
    }

    /** The float32 value of a 16-bit pattern of {@code dtype} (FLOAT16 or BFLOAT16). */
    public static float toFloat(DType dtype, short bits) {
        return switch (dtype) {
            case BFLOAT16 -> bfloat16ToFloat(bits);
            case FLOAT16 -> float16ToFloat(bits);
            default -> throw notHalf(dtype);
        };
    }

    /** The bit pattern of {@code dtype} (FLOAT16 or BFLOAT16) nearest {@code f}. */
    public static short fromFloat(DType dtype, float f) {
        return switch (dtype) {
            case BFLOAT16 -> floatToBfloat16(f);
            case FLOAT16 -> floatToFloat16(f);
            default -> throw notHalf(dtype);
        };
    }

    /** {@code dst[dstOff + i] = toFloat(dtype, src[srcOff + i])} for {@code i < n}. */
    public static void toFloat(DType dtype, short[] src, int srcOff, float[] dst, int dstOff, int n) {
        if (dtype == DType.BFLOAT16) {
            for (int i = 0; i < n; i++) dst[dstOff + i] = Float.intBitsToFloat(src[srcOff + i] << 16);
        } else {
            if (dtype != DType.FLOAT16) throw notHalf(dtype);
            for (int i = 0; i < n; i++) dst[dstOff + i] = float16ToFloat(src[srcOff + i]);
        }
    }

    /** {@code dst[dstOff + i] = fromFloat(dtype, src[srcOff + i])} for {@code i < n}. */
    public static void fromFloat(DType dtype, float[] src, int srcOff, short[] dst, int dstOff, int n) {
        if (dtype == DType.BFLOAT16) {
            for (int i = 0; i < n; i++) dst[dstOff + i] = floatToBfloat16(src[srcOff + i]);
        } else {
            if (dtype != DType.FLOAT16) throw notHalf(dtype);
            for (int i = 0; i < n; i++) dst[dstOff + i] = floatToFloat16(src[srcOff + i]);
        }
    }

    private static IllegalArgumentException notHalf(DType dtype) {
        return new IllegalArgumentException("HalfConversions: " + dtype + " is not FLOAT16 or BFLOAT16");
    }
}
