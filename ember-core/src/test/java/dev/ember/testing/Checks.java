package dev.ember.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Tensor;
import dev.ember.backend.Backends;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Assertions, random inputs and the device list shared by the tests. */
public final class Checks {
    private Checks() {}

    /**
     * Every device this machine has (the CPU, then each CUDA and OpenCL device that started), or, when the
     * system property {@code ember.test.devices} lists backend kinds ({@code opencl}, {@code cpu,cuda}), the
     * devices of those kinds: a backend module reruns ember-core's device-generic suites (tag {@code devices})
     * on its own devices that way. When the listed kinds have no device here, the suites are skipped.
     */
    public static List<Device> devices() {
        String only = System.getProperty("ember.test.devices", "").trim().toLowerCase(Locale.ROOT);
        List<String> kinds = only.isEmpty() ? List.of() : List.of(only.split("\\s*,\\s*"));
        List<Device> out = new ArrayList<>();
        for (Backends.Family f : Backends.all()) {
            if (!kinds.isEmpty() && !kinds.contains(f.type())) continue;
            for (int i = 0; i < f.devices().size(); i++) out.add(f.devices().get(i).device());
        }
        Assumptions.assumeFalse(out.isEmpty(), "no device of kind " + kinds + " on this machine");
        return out;
    }

    /**
     * Relative tolerance by dtype, scaled by the number of terms {@code k} summed into each element. The 16-bit
     * floats accumulate in float32 and round once, so their bound is a few units of their last place, whatever k.
     */
    public static double tolerance(DType dtype, int k) {
        if (dtype == DType.FLOAT16) return 2e-3;
        if (dtype == DType.BFLOAT16) return 1.6e-2;
        double base = dtype == DType.FLOAT64 ? 1e-10 : dtype == DType.FLOAT32 ? 1e-5 : 0;
        return base * Math.max(1, Math.sqrt(k) * 4);
    }

    /** Asserts shape and values match the reference within {@code rtol} (and the same absolute bound near zero). */
    public static void assertClose(Ref expected, Tensor actual, double rtol, String what) {
        long[] s = actual.shape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) shape[i] = (int) s[i];
        assertArrayEquals(expected.shape, shape, what + ": shape");
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            double e = expected.v[i];
            boolean ok = (Double.isNaN(e) && Double.isNaN(a[i])) || e == a[i]
                    || Math.abs(e - a[i]) <= rtol * Math.max(1, Math.abs(e));
            if (!ok)
                fail(what + ": element " + i + " " + Arrays.toString(Ref.unravel(i, shape)) + " expected " + e + " but was " + a[i]
                        + " (shape " + Arrays.toString(shape) + ", rtol " + rtol + ")");
        }
    }

    /** Asserts shape and values match within {@code rtol} (and the same absolute bound near zero); NaN matches NaN. */
    public static void assertClose(Ref expected, Ref actual, double rtol, String what) {
        assertArrayEquals(expected.shape, actual.shape, what + ": shape");
        for (int i = 0; i < actual.v.length; i++) {
            double e = expected.v[i], a = actual.v[i];
            boolean ok = (Double.isNaN(e) && Double.isNaN(a)) || e == a || Math.abs(e - a) <= rtol * Math.max(1, Math.abs(e));
            if (!ok)
                fail(what + ": element " + i + " " + Arrays.toString(Ref.unravel(i, actual.shape)) + " expected " + e + " but was " + a
                        + " (shape " + Arrays.toString(actual.shape) + ", rtol " + rtol + ")");
        }
    }

    public static double[] random(Random r, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        return v;
    }

    /** A tensor of {@code dtype} on {@code device} with values from {@code values}. */
    public static Tensor tensor(double[] values, DType dtype, Device device, int... shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < shape.length; i++) s[i] = shape[i];
        return Tensor.of(values).reshape(s).to(dtype).to(device);
    }

    /**
     * The same values laid out non-contiguously: stored transposed (last two dims swapped) and viewed back,
     * or embedded in a larger buffer and narrowed, depending on {@code layout}.
     */
    public static Tensor layout(Tensor t, int layout) {
        if (layout == 0 || t.dim() == 0) return t;
        if (layout == 1 && t.dim() >= 2) {
            int a = t.dim() - 2, b = t.dim() - 1;
            return t.transpose(a, b).contiguous().transpose(a, b);
        }
        // layout 2: every other element of a buffer twice as long along dim 0
        long[] big = t.shape();
        big[0] *= 2;
        Tensor buf = Tensor.zeros(t.dtype(), big).to(t.device());
        Tensor inter = buf.view(stackShape(t.shape()));
        inter.select(1, 0).copyFrom(t);
        return inter.select(1, 0);
    }

    private static long[] stackShape(long[] s) {
        long[] out = new long[s.length + 1];
        out[0] = s[0];
        out[1] = 2;
        System.arraycopy(s, 1, out, 2, s.length - 1);
        return out;
    }
}
