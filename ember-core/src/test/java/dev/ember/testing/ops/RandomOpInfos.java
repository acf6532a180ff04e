package dev.ember.testing.ops;

import static dev.ember.testing.DTypes.FLOATS;
import static dev.ember.testing.DTypes.NOT_FLOAT;
import static dev.ember.testing.SampleInputs.data;
import static dev.ember.testing.SampleInputs.sample;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.testing.DTypes;
import dev.ember.testing.Layout;
import dev.ember.testing.OpInfo;
import dev.ember.testing.OpInfo.ErrorInput;
import dev.ember.testing.OpInfo.Family;
import dev.ember.testing.Params;
import dev.ember.testing.Sample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entries for random ops. Each call seeds the generator from the sample, so a run repeats; the property
 * checks the values' range and moments (within 8 standard errors: a wrong distribution misses by far more),
 * that the same seed gives the same values, and that a device other than the CPU draws the CPU's values.
 */
final class RandomOpInfos {
    private RandomOpInfos() {}

    /** Makes the random tensor on {@code device} (creation functions use the default device; the maker sets it). */
    private interface Maker { Tensor make(Tensor[] in, Params p, Device device); }

    /** The distribution's mean and variance, and whether its values are integers in [lo, hi). */
    private record Moments(double mean, double variance, double lo, double hi, boolean integers) {}

    static List<OpInfo> all() {
        List<OpInfo> t = new ArrayList<>();
        Moments unit = new Moments(0.5, 1.0 / 12, 0, 1, false), normal = new Moments(0, 1, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, false);
        t.add(random("rand", "rand(long[])", creation(p -> Tensor.rand(p.longs("shape"))), unit, false).build());
        t.add(random("randn", "randn(long[])", creation(p -> Tensor.randn(p.longs("shape"))), normal, false).build());
        t.add(random("randLike", "randLike(Tensor)", (in, p, d) -> Tensor.randLike(in[0].to(d)), unit, true).build());
        t.add(random("randnLike", "randnLike(Tensor)", (in, p, d) -> Tensor.randnLike(in[0].to(d)), normal, true).build());
        t.add(random("uniformInPlace", "uniformInPlace(double,double)", (in, p, d) -> in[0].to(d).uniformInPlace(-2, 3),
                new Moments(0.5, 25.0 / 12, -2, 3, false), true).refuses(NOT_FLOAT).writesInput().build());
        t.add(random("normalInPlace", "normalInPlace(double,double)", (in, p, d) -> in[0].to(d).normalInPlace(1.5, 0.5),
                new Moments(1.5, 0.25, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, false), true).refuses(NOT_FLOAT).writesInput().build());
        t.add(random("randint", "randint(long,long,long[])", creation(p -> Tensor.randint(p.has("low") ? p.l("low") : -3, p.has("high") ? p.l("high") : 4, p.longs("shape"))),
                new Moments(0, 4, -3, 4, true), false).result(d -> DType.INT64)
                .errors(r -> List.of(new ErrorInput("high <= low", sample(Params.of("seed", 1L, "shape", new long[]{3}, "low", 2L, "high", 2L), false),
                        DTypes.DEFAULT_FLOAT, IllegalArgumentException.class, "must be greater than low"))).build());
        t.add(OpInfo.builder("randperm", Family.RANDOM).methods("randperm(int)")
                .op((x, p) -> {
                    Ember.manualSeed(p.l("seed"));
                    return Tensor.randperm(p.i("n"));
                })
                .property((out, in, s, dt, dev) -> {
                    Tensor y = (Tensor) out;
                    if (y.dtype() != DType.INT64) throw new AssertionError("randperm: dtype " + y.dtype());
                    long[] v = y.toLongArray();
                    Arrays.sort(v);
                    for (int i = 0; i < v.length; i++) if (v[i] != i) throw new AssertionError("randperm(" + s.params().i("n") + ") is not a permutation");
                    if (v.length != s.params().i("n")) throw new AssertionError("randperm: " + v.length + " values");
                })
                .samples(r -> List.of(sample(Params.of("seed", 3L, "n", 0), false), sample(Params.of("seed", 3L, "n", 1), false),
                        sample(Params.of("seed", 3L, "n", 1000), false)))
                .dtypes(DTypes.DEFAULT_FLOAT).result(d -> DType.INT64).build());
        return t;
    }

    /** A creation function, made on {@code device} by setting the default device around it. */
    private static Maker creation(java.util.function.Function<Params, Tensor> f) {
        return (in, p, device) -> {
            Device before = Ember.defaultDevice();
            Ember.setDefaultDevice(device);
            try {
                return f.apply(p);
            } finally {
                Ember.setDefaultDevice(before);
            }
        };
    }

    private static OpInfo.Builder random(String name, String method, Maker maker, Moments m, boolean hasInput) {
        OpInfo.Call call = (in, p) -> {
            Ember.manualSeed(p.l("seed"));
            return maker.make(in, p, hasInput ? in[0].device() : Ember.defaultDevice());
        };
        return OpInfo.builder(name, Family.RANDOM).methods(method).op(call)
                .property((out, in, s, dt, dev) -> {
                    Tensor y = (Tensor) out;
                    double[] v = y.toDoubleArray();
                    check(name, v, m, s);
                    // the same seed, the same values
                    Tensor again = (Tensor) call.apply(hasInput ? fresh(in, s, dt, dev) : in, s.params());
                    if (!Arrays.equals(v, again.toDoubleArray())) throw new AssertionError(name + ": the same seed gave different values on " + dev);
                    if (!dev.isCpu()) {
                        Ember.manualSeed(s.params().l("seed"));
                        double[] cpu = maker.make(hasInput ? fresh(in, s, dt, Device.cpu()) : in, s.params(), Device.cpu()).toDoubleArray();
                        for (int i = 0; i < v.length; i++)
                            if (!(Math.abs(v[i] - cpu[i]) <= 1e-5 * Math.max(1, Math.abs(cpu[i]))))
                                throw new AssertionError(name + ": element " + i + " is " + v[i] + " on " + dev + " but " + cpu[i] + " on the CPU");
                    }
                })
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    for (long[] shape : new long[][]{{64, 128}, {}, {0, 3}, {5, 7}}) {
                        Params p = Params.of("seed", 20261205L + shape.length, "shape", shape);
                        int[] is = new int[shape.length];
                        for (int i = 0; i < is.length; i++) is[i] = (int) shape[i];
                        s.add(hasInput ? sample(p, false, data(r, is, shape.length == 2 && shape[0] == 5 ? Layout.TRANSPOSED : Layout.CONTIGUOUS, -1, 1))
                                : sample(p, false));
                    }
                    return s;
                })
                .dtypes(hasInput ? FLOATS : new DType[]{DTypes.DEFAULT_FLOAT});
    }

    /** The sample's inputs rebuilt (an in-place op wrote the first). */
    private static Tensor[] fresh(Tensor[] in, Sample s, DType dt, Device dev) { return s.tensors(dt, dev); }

    /** Range, integrality and moments within 8 standard errors (only for at least 1000 values). */
    private static void check(String name, double[] v, Moments m, Sample s) {
        for (double x : v) {
            if (!(x >= m.lo() && x < m.hi()) && !(Double.isInfinite(m.lo()) && Double.isFinite(x)))
                throw new AssertionError(name + ": value " + x + " outside [" + m.lo() + ", " + m.hi() + ") in " + s.describe(DType.FLOAT32));
            if (m.integers() && x != Math.rint(x)) throw new AssertionError(name + ": value " + x + " is not an integer");
        }
        int n = v.length;
        if (n < 1000) return;
        double mean = 0, var = 0;
        for (double x : v) mean += x;
        mean /= n;
        for (double x : v) var += (x - mean) * (x - mean);
        var /= n - 1;
        double se = Math.sqrt(m.variance() / n);
        if (Math.abs(mean - m.mean()) > 8 * se) throw new AssertionError(name + ": mean " + mean + ", expected " + m.mean() + " (" + n + " values)");
        if (Math.abs(var - m.variance()) > 8 * m.variance() * Math.sqrt(2.0 / n))
            throw new AssertionError(name + ": variance " + var + ", expected " + m.variance() + " (" + n + " values)");
    }

}
