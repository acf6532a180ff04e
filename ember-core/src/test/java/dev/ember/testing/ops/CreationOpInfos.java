package dev.ember.testing.ops;

import static dev.ember.testing.DTypes.ALL;
import static dev.ember.testing.SampleInputs.data;
import static dev.ember.testing.SampleInputs.sample;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.testing.DTypes;
import dev.ember.testing.Layout;
import dev.ember.testing.OpInfo;
import dev.ember.testing.OpInfo.ErrorInput;
import dev.ember.testing.OpInfo.Family;
import dev.ember.testing.Params;
import dev.ember.testing.Ref;
import dev.ember.testing.Sample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Entries for creation functions (on the default device, which the suites set to the device under test) and
 * random ones. Random values have no float64 reference: their properties are checked instead (range, mean and
 * variance from a fixed seed, the same values for the same seed, and on every device the CPU's values).
 */
final class CreationOpInfos {
    private CreationOpInfos() {}

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;

    private static final int[][] SHAPES = {{}, {1}, {7}, {0, 3}, {3, 5}, {2, 3, 4}};

    static List<OpInfo> all() {
        List<OpInfo> t = new ArrayList<>();
        t.add(of("of.float", "of(float[],long[])", DType.FLOAT32));
        t.add(of("of.double", "of(double[],long[])", DType.FLOAT64));
        t.add(of("of.int", "of(int[],long[])", DType.INT32));
        t.add(of("of.long", "of(long[],long[])", DType.INT64));
        t.add(of("of.boolean", "of(boolean[],long[])", DType.BOOL));
        t.add(filled("zeros", "zeros(long[])", false, 0, (p, s) -> Tensor.zeros(s)).build());
        t.add(filled("zeros.dtype", "zeros(DType,long[])", true, 0, (p, s) -> Tensor.zeros(p.tested(), s)).build());
        t.add(filled("ones", "ones(long[])", false, 1, (p, s) -> Tensor.ones(s)).build());
        t.add(filled("ones.dtype", "ones(DType,long[])", true, 1, (p, s) -> Tensor.ones(p.tested(), s)).build());
        t.add(filled("full", "full(double,long[])", false, -2.5, (p, s) -> Tensor.full(-2.5, s)).build());
        t.add(filled("full.dtype", "full(double,DType,long[])", true, -2, (p, s) -> Tensor.full(-2, p.tested(), s)).build());
        t.add(filled("empty", "empty(long[])", false, 0, (p, s) -> Tensor.empty(s)).build());
        t.add(filled("scalar", "scalar(double)", false, 3.5, (p, s) -> Tensor.scalar(3.5)).samples(r -> List.of(sample(Params.of("shape", new long[0]), false)))
                .errors(r -> List.of()).build());
        t.add(filled("scalar.dtype", "scalar(double,DType)", true, 3, (p, s) -> Tensor.scalar(3, p.tested()))
                .samples(r -> List.of(sample(Params.of("shape", new long[0]), false))).errors(r -> List.of()).build());
        t.add(like("zerosLike", "zerosLike(Tensor)", x -> Tensor.zerosLike(x), v -> 0.0));
        t.add(like("onesLike", "onesLike(Tensor)", x -> Tensor.onesLike(x), v -> 1.0));
        t.add(like("fullLike", "fullLike(Tensor,double)", x -> Tensor.fullLike(x, -2), v -> -2.0));
        t.add(sequence("arange", "arange(long)", DType.INT64, p -> Tensor.arange(p.l("end")), p -> range(0, p.l("end"), 1),
                Params.of("end", 7L), Params.of("end", 0L), Params.of("end", 1L)));
        t.add(sequence("arange.range", "arange(long,long,long)", DType.INT64, p -> Tensor.arange(p.l("start"), p.l("end"), p.l("step")),
                p -> range(p.l("start"), p.l("end"), p.l("step")), Params.of("start", 2L, "end", 10L, "step", 3L),
                Params.of("start", 5L, "end", -4L, "step", -2L), Params.of("start", 3L, "end", 3L, "step", 1L)));
        t.add(sequence("arange.double", "arange(double,double,double)", DType.FLOAT32, p -> Tensor.arange(p.d("start"), p.d("end"), p.d("step")),
                p -> range(p.d("start"), p.d("end"), p.d("step")), Params.of("start", 0.0, "end", 1.0, "step", 0.25),
                Params.of("start", 1.5, "end", -1.0, "step", -0.5), Params.of("start", 0.0, "end", 6.0, "step", 1.0)));
        t.add(sequence("linspace", "linspace(double,double,int)", DType.FLOAT32, p -> Tensor.linspace(p.d("start"), p.d("end"), p.i("steps")),
                p -> {
                    int n = p.i("steps");
                    double[] v = new double[n];
                    for (int i = 0; i < n; i++) v[i] = n == 1 ? p.d("start") : p.d("start") + (p.d("end") - p.d("start")) * i / (n - 1);
                    return v;
                }, Params.of("start", 0.0, "end", 1.0, "steps", 5), Params.of("start", -3.0, "end", 7.0, "steps", 11),
                Params.of("start", 2.0, "end", 2.0, "steps", 1), Params.of("start", 0.0, "end", 1.0, "steps", 0)));
        t.add(eye("eye", "eye(long)", p -> Tensor.eye(p.l("n")), Params.of("n", 3L), Params.of("n", 1L), Params.of("n", 0L)));
        t.add(eye("eye.rect", "eye(long,long)", p -> Tensor.eye(p.l("n"), p.l("m")), Params.of("n", 2L, "m", 3L), Params.of("n", 4L, "m", 2L)));
        t.addAll(RandomOpInfos.all());
        return t;
    }

    private static double[] range(double start, double end, double step) {
        int n = (int) Math.max(0, Math.ceil((end - start) / step));
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = start + i * step;
        return v;
    }

    private static int[] ints(long[] s) {
        int[] o = new int[s.length];
        for (int i = 0; i < s.length; i++) o[i] = (int) s[i];
        return o;
    }

    private static List<Sample> shapeSamples() {
        List<Sample> s = new ArrayList<>();
        for (int[] shape : SHAPES) s.add(sample(Params.of("shape", Ref.toLong(shape)), false));
        return s;
    }

    private static OpInfo of(String name, String method, DType dtype) {
        return OpInfo.builder(name, Family.CREATION).methods(method)
                .op((x, p) -> {
                    double[] v = (double[]) p.get("values");
                    long[] s = p.longs("shape");
                    return switch (dtype) {
                        case FLOAT32 -> {
                            float[] a = new float[v.length];
                            for (int i = 0; i < a.length; i++) a[i] = (float) v[i];
                            yield Tensor.of(a, s);
                        }
                        case FLOAT64 -> Tensor.of(v.clone(), s);
                        case INT32 -> Tensor.of(Arrays.stream(v).mapToInt(d -> (int) d).toArray(), s);
                        case INT64 -> Tensor.of(Arrays.stream(v).mapToLong(d -> (long) d).toArray(), s);
                        case BOOL -> {
                            boolean[] a = new boolean[v.length];
                            for (int i = 0; i < a.length; i++) a[i] = v[i] != 0;
                            yield Tensor.of(a, s);
                        }
                        case FLOAT16, BFLOAT16 -> throw new IllegalStateException("Tensor.of has no 16-bit array overload");
                    };
                })
                .ref((x, p) -> {
                    double[] v = (double[]) p.get("values");
                    long[] s = p.longs("shape");
                    int[] shape = s.length == 0 ? new int[]{v.length} : ints(s);
                    double[] held = new double[v.length];
                    for (int i = 0; i < v.length; i++) held[i] = ConversionOpInfos.convert(v[i], dtype); // the Java array's values
                    return new Ref(held, shape);
                })
                .samples(r -> {
                    double[] six = dev.ember.testing.SampleInputs.uniform(r, 6, -3, 3);
                    return List.of(sample(Params.of("values", six, "shape", new long[]{2, 3}), false),
                            sample(Params.of("values", six, "shape", new long[0]), false),
                            sample(Params.of("values", new double[]{1.5}, "shape", new long[]{1, 1}), false),
                            sample(Params.of("values", new double[0], "shape", new long[]{0, 3}), false));
                })
                .dtypes(dtype).result(d -> dtype).tol(0, 0).errorName("Tensor.of")
                .errors(r -> List.of(new ErrorInput("values that do not fill the shape", sample(Params.of("values", new double[]{1, 2, 3}, "shape", new long[]{2, 2}), false),
                        dtype, IAE, "cannot fill shape")))
                .build();
    }

    /** A creation function of a shape, filled with {@code value}; with {@code dtyped}, in the dtype under test, else the default. */
    private interface Fill { Tensor make(Params p, long[] shape); }

    private static OpInfo.Builder filled(String name, String method, boolean dtyped, double value, Fill f) {
        return OpInfo.builder(name, Family.CREATION).methods(method)
                .op((x, p) -> f.make(p, p.longs("shape")))
                .ref((x, p) -> {
                    int[] s = ints(p.longs("shape"));
                    double[] v = new double[Ref.numel(s)];
                    Arrays.fill(v, dtyped ? ConversionOpInfos.convert(value, p.tested()) : value);
                    return new Ref(v, s);
                })
                .samples(r -> shapeSamples()).dtypes(dtyped ? ALL : new DType[]{DTypes.DEFAULT_FLOAT}).result(d -> d).tol(0, 0)
                .errorName(name.contains(".") ? name.substring(0, name.indexOf('.')) : name)
                .errors(r -> List.of(new ErrorInput("a negative size", sample(Params.of("shape", new long[]{2, -1}), false), DTypes.DEFAULT_FLOAT, IAE, "invalid size")));
    }

    private static OpInfo like(String name, String method, Function<Tensor, Tensor> f, java.util.function.DoubleUnaryOperator value) {
        return OpInfo.builder(name, Family.CREATION).methods(method)
                .op((x, p) -> f.apply(x[0])).ref((x, p) -> x[0].map(v -> value.applyAsDouble(v)))
                .samples(r -> List.of(sample(Params.NONE, false, data(r, new int[]{3, 4}, Layout.TRANSPOSED, -3, 3)),
                        sample(Params.NONE, false, data(r, new int[]{}, -3, 3)), sample(Params.NONE, false, data(r, new int[]{0, 2}, -3, 3))))
                .dtypes(ALL).tol(0, 0).build();
    }

    private static OpInfo sequence(String name, String method, DType dtype, Function<Params, Tensor> f, Function<Params, double[]> ref, Params... cases) {
        return OpInfo.builder(name, Family.CREATION).methods(method)
                .op((x, p) -> f.apply(p)).ref((x, p) -> {
                    double[] v = ref.apply(p);
                    return new Ref(dev.ember.testing.Input.cast(v, dtype), v.length);
                })
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    for (Params p : cases) s.add(sample(p, false));
                    return s;
                })
                .dtypes(DTypes.DEFAULT_FLOAT).result(d -> dtype).tol(0, 1e-15).errorName(name.contains(".") ? name.substring(0, name.indexOf('.')) : name)
                .errors(r -> switch (name) {
                    case "arange.range" -> List.of(new ErrorInput("step 0", sample(Params.of("start", 0L, "end", 3L, "step", 0L), false),
                            DTypes.DEFAULT_FLOAT, IAE, "step must be non-zero"));
                    case "arange.double" -> List.of(new ErrorInput("step 0", sample(Params.of("start", 0.0, "end", 3.0, "step", 0.0), false),
                            DTypes.DEFAULT_FLOAT, IAE, "step must be non-zero"));
                    case "linspace" -> List.of(new ErrorInput("negative steps", sample(Params.of("start", 0.0, "end", 1.0, "steps", -1), false),
                            DTypes.DEFAULT_FLOAT, IAE, "steps"));
                    default -> List.of();
                })
                .build();
    }

    private static OpInfo eye(String name, String method, Function<Params, Tensor> f, Params... cases) {
        return OpInfo.builder(name, Family.CREATION).methods(method)
                .op((x, p) -> f.apply(p)).ref((x, p) -> {
                    int n = (int) p.l("n"), m = p.has("m") ? (int) p.l("m") : n;
                    double[] v = new double[n * m];
                    for (int i = 0; i < Math.min(n, m); i++) v[i * m + i] = 1;
                    return new Ref(v, n, m);
                })
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    for (Params p : cases) s.add(sample(p, false));
                    return s;
                })
                .dtypes(DTypes.DEFAULT_FLOAT).tol(0, 0).errorName("eye")
                .errors(r -> List.of(new ErrorInput("a negative size", sample(name.equals("eye") ? Params.of("n", -2L) : Params.of("n", 2L, "m", -1L), false),
                        DTypes.DEFAULT_FLOAT, IAE, "invalid size")))
                .build();
    }
}
