package dev.ember.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.DType;
import dev.ember.Tensor;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * FLOAT16 and BFLOAT16 conversions against PyTorch's, bit for bit: every one of the 65,536 bit patterns
 * of each type to float32, and float32 to 16 bits on every representable value, every tie between two
 * neighbours and the float32 values either side of it (so rounding to even, overflow to infinity past
 * the largest finite value, the subnormal range and signed zeros), NaNs with payloads, and random
 * patterns. The expectations come from {@code benchmarks/reference/make_half_refs.py}; the inputs of the
 * narrowing table are rebuilt here by the script's rule ({@link #narrowInputs}). Both the scalar
 * functions and the tensor conversions (contiguous runs and strided views) are checked.
 */
@Tag("conformance") // also at 8 float lanes (the AVX2 run), so both widths of the vector conversions see every pattern
class HalfConversionsTest {
    /** The script's SPECIALS, in order. */
    private static final int[] SPECIALS = {0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001,
            0xFF800001, 0x7FA00000, 0x7FFFFFFF, 0xFFFFFFFF, 0x7FC00001, 0x7F7FFFFF, 0xFF7FFFFF, 0x00800000, 0x80800000,
            0x00000001, 0x80000001, 0x007FFFFF, 0x33000000, 0x33000001, 0x32FFFFFF, 0x387FC000, 0x38800000, 0x477FE000,
            0x477FEFFF, 0x477FF000, 0x477FF001, 0x47800000, 0x3F800000, 0x3F801000, 0x3F808000, 0x3F818000, 0x3F800001,
            0x3F7FFFFF, 0x7F7F7FFF, 0x7F7F8000, 0x7F7F8001, 0x7F7EFFFF, 0x7F7F0000};
    private static final int RANDOM_COUNT = 4096;

    record Type(DType dtype, String key, int finite, int aboveMax) {}

    static final Type F16 = new Type(DType.FLOAT16, "f16", 0x7C00, 0x47800000);
    static final Type BF16 = new Type(DType.BFLOAT16, "bf16", 0x7F80, 0x7F800000);

    @Test
    void float16ToFloatOnEveryPattern() { widenEveryPattern(F16); }

    @Test
    void bfloat16ToFloatOnEveryPattern() { widenEveryPattern(BF16); }

    @Test
    void floatToFloat16OnTiesOverflowSubnormalsAndNaN() { narrowTrickyValues(F16); }

    @Test
    void floatToBfloat16OnTiesOverflowSubnormalsAndNaN() { narrowTrickyValues(BF16); }

    private static void widenEveryPattern(Type t) {
        int[] expected = widenTable(t);
        short[] patterns = new short[65536];
        for (int h = 0; h < 65536; h++) {
            patterns[h] = (short) h;
            int got = Float.floatToRawIntBits(HalfConversions.toFloat(t.dtype, (short) h));
            if (got != expected[h]) fail(t.dtype + " pattern " + hex4(h) + " -> float32 " + hex8(got) + ", torch gives " + hex8(expected[h]));
        }
        // Tensor conversions: one contiguous run (the SIMD path), and a strided view (the element path).
        Tensor x = Tensor.ofBits(patterns, t.dtype);
        compareInts(t.dtype + " tensor to FLOAT32", expected, bits(x.to(DType.FLOAT32).toFloatArray()), patterns);
        Tensor strided = x.reshape(256, 256).transpose(0, 1);
        int[] expectedT = new int[65536];
        for (int i = 0; i < 65536; i++) expectedT[i] = expected[(i % 256) * 256 + i / 256];
        compareInts(t.dtype + " transposed tensor to FLOAT32", expectedT, bits(strided.to(DType.FLOAT32).toFloatArray()), null);
        // float64 holds every value exactly, NaN as NaN
        double[] d = x.toDoubleArray();
        for (int h = 0; h < 65536; h++) {
            float e = Float.intBitsToFloat(expected[h]);
            if (!(Float.isNaN(e) ? Double.isNaN(d[h]) : d[h] == e)) fail(t.dtype + " " + hex4(h) + " to FLOAT64 gives " + d[h] + ", expected " + e);
        }
    }

    private static void narrowTrickyValues(Type t) {
        int[] inputs = narrowInputs(widenTable(t), t.finite, t.aboveMax);
        short[] expected = narrowTable(t, inputs.length);
        for (int i = 0; i < inputs.length; i++) {
            short got = HalfConversions.fromFloat(t.dtype, Float.intBitsToFloat(inputs[i]));
            if (got != expected[i])
                fail("float32 " + hex8(inputs[i]) + " (" + Float.intBitsToFloat(inputs[i]) + ", input " + i + ") -> " + t.dtype + " "
                        + hex4(got) + ", torch gives " + hex4(expected[i]));
        }
        float[] values = new float[inputs.length];
        for (int i = 0; i < values.length; i++) values[i] = Float.intBitsToFloat(inputs[i]);
        Tensor x = Tensor.of(values);
        short[] contiguous = x.to(t.dtype).toBits();
        short[] strided = x.narrow(0, 0, values.length / 2 * 2).reshape(values.length / 2, 2).transpose(0, 1).to(t.dtype).toBits();
        for (int i = 0; i < values.length; i++) {
            if (contiguous[i] != expected[i])
                fail("tensor of float32 " + hex8(inputs[i]) + " to " + t.dtype + " gives " + hex4(contiguous[i]) + ", torch gives " + hex4(expected[i]));
        }
        int half = values.length / 2;
        for (int i = 0; i < 2 * half; i++) {
            int src = (i % half) * 2 + i / half;
            if (strided[i] != expected[src])
                fail("strided float32 " + hex8(inputs[src]) + " to " + t.dtype + " gives " + hex4(strided[i]) + ", torch gives " + hex4(expected[src]));
        }
    }

    /**
     * The script's narrow_inputs: for each positive finite pattern h, its float32 value lo and the patterns
     * mid - 1, mid, mid + 1 around the tie between lo and the next value up; the same negated; the
     * specials; xorshift32 patterns.
     */
    static int[] narrowInputs(int[] table, int finite, int aboveMax) {
        int[] out = new int[finite * 8 + SPECIALS.length + RANDOM_COUNT];
        int k = 0;
        for (int sign = 0; sign < 2; sign++)
            for (int h = 0; h < finite; h++) {
                long lo = Integer.toUnsignedLong(table[h]);
                long hi = Integer.toUnsignedLong(h + 1 < finite ? table[h + 1] : aboveMax);
                long mid = (lo + hi) / 2;
                int s = sign == 0 ? 0 : 0x80000000;
                out[k++] = (int) lo | s;
                out[k++] = (int) (mid - 1) | s;
                out[k++] = (int) mid | s;
                out[k++] = (int) (mid + 1) | s;
            }
        for (int v : SPECIALS) out[k++] = v;
        int x = 0x2545F491;
        for (int i = 0; i < RANDOM_COUNT; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            out[k++] = x;
        }
        return out;
    }

    @Test
    void refusesOtherDtypes() {
        assertThrows(IllegalArgumentException.class, () -> HalfConversions.toFloat(DType.FLOAT32, (short) 0));
        assertThrows(IllegalArgumentException.class, () -> HalfConversions.fromFloat(DType.INT32, 1f));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofBits(new short[1], DType.FLOAT32));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[]{1}).toBits());
    }

    @Test
    void limits() {
        assertEquals(0x7bff, HalfConversions.floatToFloat16(HalfConversions.FLOAT16_MAX));
        assertEquals(0x7f7f, HalfConversions.floatToBfloat16(HalfConversions.BFLOAT16_MAX));
    }

    // ---- the committed tables ----------------------------------------------------------------------

    static int[] widenTable(Type t) {
        ByteBuffer b = read("/half/widen_" + t.key + ".bin.gz", 65536 * 4);
        int[] out = new int[65536];
        int acc = 0;
        for (int i = 0; i < out.length; i++) out[i] = acc += b.getInt(); // delta-coded, wrapping
        return out;
    }

    static short[] narrowTable(Type t, int n) {
        ByteBuffer b = read("/half/narrow_" + t.key + ".bin.gz", n * 2);
        short[] out = new short[n];
        short acc = 0;
        for (int i = 0; i < n; i++) out[i] = acc += b.getShort();
        return out;
    }

    private static ByteBuffer read(String resource, int bytes) {
        try (InputStream in = HalfConversionsTest.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            byte[] all = new DataInputStream(new GZIPInputStream(in)).readAllBytes();
            if (all.length != bytes)
                throw new IllegalStateException(resource + " has " + all.length + " bytes, the rule expects " + bytes
                        + " (regenerate with benchmarks/reference/make_half_refs.py)");
            return ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    private static int[] bits(float[] f) {
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) out[i] = Float.floatToRawIntBits(f[i]);
        return out;
    }

    private static void compareInts(String what, int[] expected, int[] actual, short[] inputs) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++)
            if (expected[i] != actual[i])
                fail(what + ": element " + i + (inputs == null ? "" : " (" + hex4(inputs[i]) + ")") + " gives " + hex8(actual[i])
                        + ", torch gives " + hex8(expected[i]));
    }

    private static String hex4(int v) { return String.format("0x%04x", v & 0xffff); }

    private static String hex8(int v) { return String.format("0x%08x", v); }
}
