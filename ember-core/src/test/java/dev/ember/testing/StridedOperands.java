package dev.ember.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.DType;
import dev.ember.backend.HalfConversions;
import dev.ember.backend.Backend;
import dev.ember.backend.Strided;
import java.util.Arrays;
import java.util.Random;

/**
 * Inputs for backend-level tests: one host array viewed the same way on two backends (an oracle and the
 * backend under test), random values per dtype, reading results back as doubles, and tolerant comparison.
 */
public final class StridedOperands {
    private StridedOperands() {}

    /** How an input view lays its elements out in its storage. */
    public enum View {
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

    /** One input: a host array of its dtype and the view of it an op reads. */
    public record Operand(DType dtype, Object host, int[] shape, int[] strides, int offset) {
        /** The same view on {@code b}, over a fresh copy of the host array. */
        public Strided on(Backend b) { return new Strided(b.fromHost(dtype, copy(host)), shape, strides, offset); }

        /** Sets element {@code i} of the host array to {@code v}, converted to the dtype (rounded, for 16-bit floats). */
        public void set(int i, double v) {
            if (host instanceof short[] h) h[i] = HalfConversions.fromFloat(dtype, (float) v);
            else StridedOperands.set(host, i, v);
        }

        /** Element {@code i} of the host array as a double. */
        public double get(int i) {
            if (host instanceof short[] h) return HalfConversions.toFloat(dtype, h[i]);
            return ((Number) java.lang.reflect.Array.get(host, i)).doubleValue();
        }

        /** A contiguous operand of {@code shape} over {@code host}. */
        public static Operand of(DType dtype, Object host, int... shape) {
            int[] st = new int[shape.length];
            int s = 1;
            for (int d = shape.length - 1; d >= 0; d--) { st[d] = s; s *= shape[d]; }
            return new Operand(dtype, host, shape, st, 0);
        }
    }

    /** Random values of {@code dtype} in a view of {@code shape}. */
    public static Operand operand(Random rnd, DType dtype, View view, int... shape) {
        int[] l = view.layout(shape);
        int len = l[shape.length + 1];
        return new Operand(dtype, randomArray(rnd, dtype, len), shape, Arrays.copyOf(l, shape.length), l[shape.length]);
    }

    /** Normal floats (std 1.5), integers in [-9, 9], 0/1 booleans. */
    public static Object randomArray(Random rnd, DType dtype, int n) {
        return switch (dtype) {
            case FLOAT32 -> { float[] a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * 1.5); yield a; }
            case FLOAT64 -> { double[] a = new double[n]; for (int i = 0; i < n; i++) a[i] = rnd.nextGaussian() * 1.5; yield a; }
            case INT32 -> { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = rnd.nextInt(-9, 10); yield a; }
            case INT64 -> { long[] a = new long[n]; for (int i = 0; i < n; i++) a[i] = rnd.nextInt(-9, 10); yield a; }
            case BOOL -> { byte[] a = new byte[n]; for (int i = 0; i < n; i++) a[i] = (byte) rnd.nextInt(2); yield a; }
            case FLOAT16, BFLOAT16 -> {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) a[i] = HalfConversions.fromFloat(dtype, (float) (rnd.nextGaussian() * 1.5));
                yield a;
            }
        };
    }

    /** Host array {@code v} converted to {@code dtype} (as Java casts). */
    public static Object host(DType dtype, double... v) {
        int n = v.length;
        return switch (dtype) {
            case FLOAT32 -> { float[] a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float) v[i]; yield a; }
            case FLOAT64 -> v.clone();
            case INT32 -> { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = (int) v[i]; yield a; }
            case INT64 -> { long[] a = new long[n]; for (int i = 0; i < n; i++) a[i] = (long) v[i]; yield a; }
            case BOOL -> { byte[] a = new byte[n]; for (int i = 0; i < n; i++) a[i] = (byte) (v[i] != 0 ? 1 : 0); yield a; }
            case FLOAT16, BFLOAT16 -> { short[] a = new short[n]; for (int i = 0; i < n; i++) a[i] = HalfConversions.fromFloat(dtype, (float) v[i]); yield a; }
        };
    }

    static Object copy(Object host) {
        return switch (host) {
            case float[] f -> f.clone();
            case double[] d -> d.clone();
            case int[] i -> i.clone();
            case long[] l -> l.clone();
            case byte[] b -> b.clone();
            case short[] h -> h.clone();
            default -> throw new IllegalArgumentException("not a host array: " + host.getClass());
        };
    }

    /** Sets element {@code i} of a host array to {@code v} (converted as Java casts). */
    public static void set(Object host, int i, double v) {
        switch (host) {
            case float[] f -> f[i] = (float) v;
            case double[] d -> d[i] = v;
            case int[] n -> n[i] = (int) v;
            case long[] l -> l[i] = (long) v;
            case byte[] b -> b[i] = (byte) (v != 0 ? 1 : 0);
            default -> throw new IllegalArgumentException("set: " + host.getClass().getSimpleName() + " (16-bit floats: Operand.set)");
        }
    }

    /** A fresh zero-filled contiguous output of {@code shape} on {@code b}. */
    public static Strided output(Backend b, DType dtype, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return Strided.contiguous(b.allocate(dtype, n), shape);
    }

    /** A host array of {@code dtype} with {@code n} elements. */
    public static Object hostArray(DType dtype, int n) {
        return switch (dtype) {
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case INT32 -> new int[n];
            case INT64 -> new long[n];
            case BOOL -> new byte[n];
            case FLOAT16, BFLOAT16 -> new short[n];
        };
    }

    /** The elements of {@code s} in row-major order, as doubles (exact for the values tests use). */
    public static double[] read(Backend b, Strided s) {
        Object host = hostArray(s.dtype(), s.numel32());
        b.toHost(s, host);
        double[] out = new double[s.numel32()];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (host) {
                case float[] f -> f[i];
                case double[] d -> d[i];
                case int[] n -> n[i];
                case long[] l -> l[i];
                case byte[] y -> y[i];
                case short[] h -> HalfConversions.toFloat(s.dtype(), h[i]);
                default -> throw new IllegalStateException();
            };
        }
        return out;
    }

    /** The elements of an INT64 result exactly. */
    public static long[] readLongs(Backend b, Strided s) {
        long[] host = new long[s.numel32()];
        b.toHost(s, host);
        return host;
    }

    /**
     * Elementwise {@code |actual - expected| <= rtol * |expected| + atol}; NaN must match NaN and infinities
     * must match exactly.
     */
    public static void assertClose(String what, double[] expected, double[] actual, double rtol, double atol) {
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

    /**
     * The elementwise tolerance: 2e-5 relative and 2e-6 absolute for float32 (the kernels compute in float), 1e-12 for float64,
     * about two units of the last place for the 16-bit floats.
     */
    public static double rtol(DType d) {
        return switch (d) {
            case FLOAT64 -> 1e-12;
            case FLOAT32 -> 2e-5;
            // about 2 units of the last place: a composed op rounds each intermediate to 16 bits, a fused one once
            case FLOAT16 -> 2e-3;
            case BFLOAT16 -> 1.6e-2;
            default -> 0;
        };
    }

    public static double atol(DType d) {
        return switch (d) {
            case FLOAT64 -> 1e-13;
            case FLOAT32 -> 2e-6;
            case FLOAT16 -> 2e-4;
            case BFLOAT16 -> 1.6e-3;
            default -> 0;
        };
    }
}
