package dev.ember;

import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.Philox;
import dev.ember.backend.Strided;
import dev.ember.backend.cpu.CpuBackend;

/** Creation functions and host transfers. */
final class Creation {
    private Creation() {}

    static Tensor of(DType dtype, Object data, int length, long... shape) {
        long[] s = shape.length == 0 ? new long[]{length} : Shapes.of("Tensor.of", shape);
        if (Shapes.numel(s) != length)
            throw new IllegalArgumentException("Tensor.of: " + length + " values cannot fill shape " + Shapes.str(s)
                    + " of " + Shapes.numel(s) + " elements");
        Backend b = Backends.of(Ember.defaultDevice());
        return new Tensor(b.fromHost(dtype, data), s, Shapes.contiguousStrides(s), 0);
    }

    static Tensor full(double value, DType dtype, Device device, long... shape) { return full("full", value, dtype, device, shape); }

    /** {@link #full} whose size errors name {@code op} (zeros, ones, empty). */
    static Tensor full(String op, double value, DType dtype, Device device, long... shape) {
        Tensor t = Tensor.empty(Backends.of(device), dtype, Shapes.of(op, shape));
        if (value != 0) t.backend().fill(t.strided(), value);
        return t;
    }

    static Tensor random(Philox.Distribution dist, double a, double b, DType dtype, Device device, long... shape) {
        if (!dtype.isFloatingPoint()) throw new IllegalArgumentException("random: dtype must be floating point, got " + dtype);
        Tensor t = Tensor.empty(Backends.of(device), dtype, Shapes.of(dist == Philox.Distribution.NORMAL ? "randn" : "rand", shape));
        long start = Ember.generator().take(t.numel());
        t.backend().random(t.strided(), dist, Ember.generator().seed(), start, a, b);
        return t;
    }

    static Tensor randint(long low, long high, long... shape) {
        if (high <= low) throw new IllegalArgumentException("randint: high (" + high + ") must be greater than low (" + low + ")");
        // Drawn in float64 on the CPU (exact for ranges below 2^53; not every GPU has fp64), then moved.
        Tensor u = random(Philox.Distribution.UNIFORM, 0, 1, DType.FLOAT64, Device.cpu(), shape);
        try (var ignored = Ember.noGrad()) {
            // high - low in double: as a long it overflows for ranges wider than 2^63 - 1.
            return u.mul((double) high - (double) low).floor().add((double) low).clamp(low, high - 1).to(DType.INT64).to(Ember.defaultDevice());
        }
    }

    static Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0) throw new IllegalArgumentException("arange: step must be non-zero");
        long n = (long) Math.ceil((end - start) / step);
        if (n < 0) n = 0;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("arange: " + n + " elements is too many");
        double[] v = new double[(int) n];
        for (int i = 0; i < n; i++) v[i] = start + i * step;
        return fromDoubles(v, dtype, new long[]{n});
    }

    static Tensor linspace(double start, double end, int steps) {
        if (steps < 0) throw new IllegalArgumentException("linspace: steps must be >= 0, got " + steps);
        double[] v = new double[steps];
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        // Symmetric fill as PyTorch does: the second half counts back from end, so end is exact.
        for (int i = 0; i < steps; i++) v[i] = i < steps / 2 ? start + i * step : end - (steps - 1 - i) * step;
        return fromDoubles(v, Ember.defaultDType(), new long[]{steps});
    }

    static Tensor eye(long n, long m) {
        long[] s = Shapes.of("eye", n, m);
        double[] v = new double[Shapes.int32("eye", "n * m", Shapes.numel(s))];
        for (int i = 0; i < Math.min(s[0], s[1]); i++) v[(int) (i * s[1] + i)] = 1;
        return fromDoubles(v, Ember.defaultDType(), s);
    }

    /** Builds a tensor of {@code dtype} from double values. */
    static Tensor fromDoubles(double[] v, DType dtype, long[] shape) {
        Tensor t = new Tensor(CpuBackend.INSTANCE.wrap(DType.FLOAT64, v), shape, Shapes.contiguousStrides(shape), 0);
        return t.to(dtype).to(Ember.defaultDevice());
    }

    /**
     * The element count of {@code t} as the length of a host array; throws, naming {@code op}, past 2^31 - 1 (Java's
     * array limit): read a large tensor in slices.
     */
    static int hostLength(String op, Tensor t) {
        long n = t.numel();
        if (n > Integer.MAX_VALUE)
            throw new IllegalArgumentException(op + ": a tensor of shape " + Shapes.str(t.shape) + " has " + n
                    + " elements, more than a Java array holds (2^31 - 1); copy it out in slices (narrow, then toFloatArray)");
        return (int) n;
    }

    /** Reads a tensor back as a contiguous host array of {@code dtype}. */
    static Object toHost(Tensor t, DType dtype) {
        Tensor src = t.dtype() == dtype ? t : Conversions.toDTypeRaw(t, dtype);
        int n = hostLength("toHost", src);
        Object arr = switch (dtype) {
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case INT32 -> new int[n];
            case INT64 -> new long[n];
            case BOOL -> new byte[n];
            case FLOAT16, BFLOAT16 -> new short[n];
        };
        Strided s = src.strided();
        src.backend().toHost(s, arr);
        if (src != t) src.close(); // the conversion's own temporary
        return arr;
    }
}
