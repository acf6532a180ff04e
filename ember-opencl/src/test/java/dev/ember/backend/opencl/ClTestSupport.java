package dev.ember.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.Strided;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;

/**
 * Shared by the OpenCL tests: the device (or a skip with discovery's reason), operands built
 * from one host array on both the CPU and the OpenCL backend, and tolerant comparisons.
 */
final class ClTestSupport {
    private ClTestSupport() {}

    /** The default OpenCL backend; skips the test, with the reason, when there is none. */
    static Backend openCl() {
        Backends.Family f = Backends.family(Device.OPENCL_TYPE);
        Assumptions.assumeTrue(f.available(), () -> "no OpenCL device: " + f.reason());
        return Backends.of(Device.opencl());
    }

    /** How an input view lays its elements out in its storage. */
    enum View {
        CONTIGUOUS, TRANSPOSED, STEPPED_WITH_OFFSET, BROADCAST;

        /** Strides and offset of this view for {@code shape}; [rank] = offset, [rank + 1] = storage length. */
        int[] layout(int[] shape) {
            int r = shape.length;
            int[] st = new int[r + 2];
            switch (this) {
                case CONTIGUOUS -> { int s = 1; for (int d = r - 1; d >= 0; d--) { st[d] = s; s *= shape[d]; } }
                case TRANSPOSED -> { int s = 1; for (int d = 0; d < r; d++) { st[d] = s; s *= shape[d]; } }
                case STEPPED_WITH_OFFSET -> { int s = 2; for (int d = r - 1; d >= 0; d--) { st[d] = s; s *= shape[d] + 1; } st[r] = 3; }
                case BROADCAST -> { int s = 1; for (int d = r - 1; d >= 0; d--) { st[d] = d == 0 ? 0 : s; s *= d == 0 ? 1 : shape[d]; } }
            }
            int last = st[r];
            boolean empty = false;
            for (int d = 0; d < r; d++) { last += (shape[d] - 1) * st[d]; empty |= shape[d] == 0; }
            st[r + 1] = empty ? st[r] : last + 1;
            return st;
        }
    }

    /** One input: a host array of its dtype and the view of it the op reads. */
    record Operand(DType dtype, Object host, int[] shape, int[] strides, int offset) {
        Strided on(Backend b) { return new Strided(b.fromHost(dtype, host), shape, strides, offset); }
    }

    /** Random values of {@code dtype} in a view of {@code shape}. */
    static Operand operand(Random rnd, DType dtype, View view, int... shape) {
        int[] l = view.layout(shape);
        int len = l[shape.length + 1];
        return new Operand(dtype, randomArray(rnd, dtype, len), shape, Arrays.copyOf(l, shape.length), l[shape.length]);
    }

    static Object randomArray(Random rnd, DType dtype, int n) {
        return switch (dtype) {
            case FLOAT32 -> { float[] a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * 1.5); yield a; }
            case FLOAT64 -> { double[] a = new double[n]; for (int i = 0; i < n; i++) a[i] = rnd.nextGaussian() * 1.5; yield a; }
            case INT32 -> { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = rnd.nextInt(-9, 10); yield a; }
            case INT64 -> { long[] a = new long[n]; for (int i = 0; i < n; i++) a[i] = rnd.nextInt(-9, 10); yield a; }
            case BOOL -> { byte[] a = new byte[n]; for (int i = 0; i < n; i++) a[i] = (byte) rnd.nextInt(2); yield a; }
            case FLOAT16, BFLOAT16 -> throw new IllegalArgumentException("no " + dtype + " operands in these tests");
        };
    }

    /** A fresh contiguous output of {@code shape} on {@code b}. */
    static Strided output(Backend b, DType dtype, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return Strided.contiguous(b.allocate(dtype, n), shape);
    }

    /** The elements of {@code s} in row-major order, as doubles (exact for every dtype used in tests). */
    static double[] read(Backend b, Strided s) {
        Object host = switch (s.dtype()) {
            case FLOAT32 -> new float[s.numel()];
            case FLOAT64 -> new double[s.numel()];
            case INT32 -> new int[s.numel()];
            case INT64 -> new long[s.numel()];
            case BOOL -> new byte[s.numel()];
            case FLOAT16, BFLOAT16 -> throw new IllegalArgumentException("no " + s.dtype() + " results in these tests");
        };
        b.toHost(s, host);
        double[] out = new double[s.numel()];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (host) {
                case float[] f -> f[i];
                case double[] d -> d[i];
                case int[] n -> n[i];
                case long[] l -> l[i];
                case byte[] y -> y[i];
                default -> throw new IllegalStateException();
            };
        }
        return out;
    }

    /**
     * Elementwise {@code |actual - expected| <= rtol * |expected| + atol}; NaNs must match NaNs and
     * infinities must match exactly.
     */
    static void assertClose(String what, double[] expected, double[] actual, double rtol, double atol) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (Double.isNaN(e) && Double.isNaN(a)) continue;
            if (Double.isInfinite(e) || Double.isNaN(e) || Double.isInfinite(a) || Double.isNaN(a)) {
                if (e != a) fail(what + ": element " + i + " expected " + e + " but was " + a);
                continue;
            }
            if (!(Math.abs(a - e) <= rtol * Math.abs(e) + atol))
                fail(what + ": element " + i + " expected " + e + " but was " + a + " (rtol " + rtol + ", atol " + atol + ")");
        }
    }

    /** Exact equality (NaN equals NaN). */
    static void assertSame(String what, double[] expected, double[] actual) { assertClose(what, expected, actual, 0, 0); }

    /** The float32 tolerance for elementwise ops: 1e-5 relative, and 1e-6 absolute near zero. */
    static double rtol(DType d) { return d == DType.FLOAT64 ? 1e-12 : d == DType.FLOAT32 ? 1e-5 : 0; }

    static double atol(DType d) { return d == DType.FLOAT64 ? 1e-13 : d == DType.FLOAT32 ? 1e-6 : 0; }
}
