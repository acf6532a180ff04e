package dev.ember.backend.cpu;

import dev.ember.DType;
import dev.ember.backend.HalfConversions;

/**
 * Contiguous runs of 16-bit values to and from float32, the hot part of every 16-bit op on the CPU: the
 * Vector API loops of {@link HalfVectors} where the Vector API is present, else {@link HalfConversions}.
 */
final class HalfSimd {
    private HalfSimd() {}

    static void toFloat(DType dtype, short[] src, int so, float[] dst, int o, int n) {
        if (!Simd.AVAILABLE) HalfConversions.toFloat(dtype, src, so, dst, o, n);
        else if (dtype == DType.BFLOAT16) HalfVectors.bfloat16ToFloat(src, so, dst, o, n);
        else HalfVectors.float16ToFloat(src, so, dst, o, n);
    }

    static void fromFloat(DType dtype, float[] src, int so, short[] dst, int o, int n) {
        if (!Simd.AVAILABLE) HalfConversions.fromFloat(dtype, src, so, dst, o, n);
        else if (dtype == DType.BFLOAT16) HalfVectors.floatToBfloat16(src, so, dst, o, n);
        else HalfVectors.floatToFloat16(src, so, dst, o, n);
    }
}
