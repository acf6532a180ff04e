package dev.ember.testing.ops;

import static dev.ember.testing.DTypes.ACCUMULATE;
import static dev.ember.testing.DTypes.ALL;
import static dev.ember.testing.DTypes.FLOAT;
import static dev.ember.testing.DTypes.FLOATS;
import static dev.ember.testing.DTypes.INT64;
import static dev.ember.testing.DTypes.NOT_FLOAT;
import static dev.ember.testing.DTypes.NUMBERS;
import static dev.ember.testing.SampleInputs.data;
import static dev.ember.testing.SampleInputs.sample;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.backend.ReduceOp;
import dev.ember.testing.Input;
import dev.ember.testing.Layout;
import dev.ember.testing.OpInfo;
import dev.ember.testing.OpInfo.ErrorInput;
import dev.ember.testing.OpInfo.Family;
import dev.ember.testing.OpInfo.Promotion;
import dev.ember.testing.Params;
import dev.ember.testing.Ref;
import dev.ember.testing.RefOps;
import dev.ember.testing.Sample;
import dev.ember.testing.SampleInputs;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleFunction;

/**
 * Entries for reductions ({@link ReduceOp} and the composite ones: mean, var, std, logsumexp, any, all)
 * and the softmax family. Every dim subset of the reduction shapes, with and without keepDim, contiguous
 * and not; the full reductions over 0-d, size-1 and long inputs.
 */
final class ReductionOpInfos {
    private ReductionOpInfos() {}

    /** Shapes reduced over each subset of their dims: 3-D, a size-1 dim, 1-D, odd 2-D, an empty dim, a long row. */
    static final int[][] SHAPES = {{5, 7, 3}, {1, 4}, {6}, {33, 65}, {2, 0, 3}, {100003}};

    /** Shapes reduced over all their dims (and the softmax family's shapes, along each dim). */
    static final int[][] FULL_SHAPES = {{}, {1}, {9}, {4, 33}, {3, 5, 7}, {130001}};

    /** {@code sum(...)}-style reductions over {@code dims} (keepDim or not) of one group of values. */
    private interface DimsCall { Tensor apply(Tensor x, Params p); }

    static List<OpInfo> all() {
        List<OpInfo> t = new ArrayList<>();
        t.add(dimsReduction("sum", RefOps::sum, (x, p) -> p.has("dims") ? x.sum(p.ints("dims"), p.b("keepDim"))
                        : p.has("dim") ? (p.has("keepDim") ? x.sum(p.i("dim"), p.b("keepDim")) : x.sum(p.i("dim"))) : x.sum(),
                true, false, "sum()", "sum(int)", "sum(int,boolean)", "sum(int[],boolean)")
                .enums(ReduceOp.SUM).dtypes(ALL).result(ACCUMULATE).promotion(Promotion.REDUCTION)
                .errors(r -> List.of(new ErrorInput("a dim twice", sample(Params.of("dims", new int[]{1, -1}, "keepDim", false), false,
                        data(r, new int[]{2, 3}, -1, 1)), DType.FLOAT32, IllegalArgumentException.class, "more than once"))).build());
        t.add(dimsReduction("mean", g -> RefOps.sum(g) / g.length, (x, p) -> p.has("dims") ? x.mean(p.ints("dims"), p.b("keepDim"))
                        : p.has("dim") ? (p.has("keepDim") ? x.mean(p.i("dim"), p.b("keepDim")) : x.mean(p.i("dim"))) : x.mean(),
                true, false, "mean()", "mean(int)", "mean(int,boolean)", "mean(int[],boolean)")
                .dtypes(FLOATS).refuses(NOT_FLOAT).promotion(Promotion.REDUCTION).build());
        for (boolean std : new boolean[]{false, true}) {
            String name = std ? "std" : "var";
            t.add(dimsReduction(name, null, (x, p) -> p.has("correction") ? (std ? x.std(p.ints("dims"), p.i("correction"), p.b("keepDim"))
                                    : x.var(p.ints("dims"), p.i("correction"), p.b("keepDim")))
                            : p.has("dim") ? (std ? x.std(p.i("dim")) : x.var(p.i("dim"))) : (std ? x.std() : x.var()),
                    false, true, name + "()", name + "(int)", name + "(int[],int,boolean)")
                    .ref((x, p) -> {
                        int c = p.has("correction") ? p.i("correction") : 1;
                        int[] dims = p.has("dims") ? RefOps.normDims(p.ints("dims"), x[0].shape.length)
                                : p.has("dim") ? new int[]{RefOps.normDim(p.i("dim"), x[0].shape.length)} : RefOps.allDims(x[0].shape.length);
                        boolean keep = p.has("keepDim") && p.b("keepDim");
                        return x[0].reduce(dims, keep, g -> std ? Math.sqrt(RefOps.variance(g, c)) : RefOps.variance(g, c));
                    })
                    .dtypes(FLOATS).refuses(NOT_FLOAT).promotion(Promotion.REDUCTION).build());
        }
        t.add(prod());
        for (boolean max : new boolean[]{true, false}) {
            t.add(extremeAll(max));
            t.add(extremeDim(max, false));
            t.add(extremeDim(max, true));
            t.add(argExtreme(max));
        }
        t.add(logsumexp());
        t.add(anyAll(true));
        t.add(anyAll(false));
        t.add(softmax(false));
        t.add(softmax(true));
        return t;
    }

    /** The terms summed into each output element, for tolerances. */
    private static int terms(Sample s) {
        int[] shape = s.inputs().get(0).shape();
        Params p = s.params();
        if (p.has("dims")) return SampleInputs.count(shape, p.ints("dims"));
        if (p.has("dim")) return shape.length == 0 ? 1 : shape[RefOps.normDim(p.i("dim"), shape.length)];
        return Ref.numel(shape);
    }

    /** Checks.tolerance's scaling with the number of terms, times 10 (what the hand-written suite allowed). */
    private static double scale(Sample s) { return 10 * Math.max(1, Math.sqrt(terms(s)) * 4); }

    /**
     * A reduction over dims with the standard samples: each dim subset of {@link #SHAPES} with keepDim false and true,
     * contiguous and laid out otherwise; {@link #FULL_SHAPES} reduced over everything. Single dims use the
     * {@code (int)} and {@code (int, boolean)} overloads, several the {@code (int[], boolean)} one; {@code varLike}
     * samples carry a correction (0 or 1) and skip groups too small for it.
     */
    private static OpInfo.Builder dimsReduction(String name, ToDoubleFunction<double[]> group, DimsCall call, boolean emptyOk,
                                                boolean varLike, String... methods) {
        OpInfo.Builder b = OpInfo.builder(name, Family.REDUCTION).methods(methods)
                .op((x, p) -> call.apply(x[0], p))
                .samples(r -> dimsSamples(r, emptyOk, varLike))
                .differentiable().tol(1e-5, 1e-10).tolScale(ReductionOpInfos::scale);
        if (group != null)
            b.ref((x, p) -> {
                int[] dims = p.has("dims") ? RefOps.normDims(p.ints("dims"), x[0].shape.length)
                        : p.has("dim") ? new int[]{RefOps.normDim(p.i("dim"), x[0].shape.length)} : RefOps.allDims(x[0].shape.length);
                boolean keep = p.has("keepDim") && p.b("keepDim");
                return x[0].reduce(dims, keep, group);
            });
        return b;
    }

    private static List<Sample> dimsSamples(Random r, boolean emptyOk, boolean varLike) {
        List<Sample> s = new ArrayList<>();
        for (int[] shape : SHAPES)
            for (int[] dims : SampleInputs.dimSubsets(shape.length))
                for (boolean keep : new boolean[]{false, true})
                    for (int lay = 0; lay < 2; lay++) {
                        int k = SampleInputs.count(shape, dims);
                        if (!emptyOk && k == 0) continue;
                        Layout l = lay == 0 || Ref.numel(shape) == 0 ? Layout.CONTIGUOUS : shape.length >= 2 ? Layout.TRANSPOSED : Layout.STRIDED;
                        if (lay == 1 && l == Layout.CONTIGUOUS) continue;
                        Input in = data(r, shape, l, -2, 2);
                        if (varLike) {
                            for (int c = 0; c <= 1; c++) {
                                if (k <= c) continue;
                                if (dims.length == 1 && !keep && c == 1 && lay == 0)
                                    s.add(sample(Params.of("dim", dims[0] - shape.length), false, in)); // var(int), negative dim
                                else s.add(sample(Params.of("dims", dims, "correction", c, "keepDim", keep), false, in));
                            }
                        } else if (dims.length == 1) {
                            s.add(sample(keep ? Params.of("dim", dims[0], "keepDim", true) : Params.of("dim", dims[0] - shape.length), false, in));
                        } else {
                            s.add(sample(Params.of("dims", dims, "keepDim", keep), false, in));
                        }
                    }
        for (int[] shape : FULL_SHAPES) {
            if (varLike && Ref.numel(shape) <= 1) continue;
            s.add(sample(Params.NONE, false, data(r, shape, -3, 3)));
        }
        // gradchecks: all, one dim, several dims kept, a negative dim
        int[] g = {3, 4, 5};
        s.add(sample(Params.NONE, true, data(r, g, -1, 1)));
        s.add(sample(varLike ? Params.of("dims", new int[]{1}, "correction", 1, "keepDim", false) : Params.of("dim", 1), true, data(r, g, -1, 1)));
        s.add(sample(Params.of("dims", new int[]{0, 2}, "keepDim", true).with("correction", 0), true, data(r, g, Layout.TRANSPOSED, -1, 1)));
        return stripCorrection(s, varLike);
    }

    /** Non-var reductions take no correction (a gradcheck sample above is shared). */
    private static List<Sample> stripCorrection(List<Sample> s, boolean varLike) {
        if (varLike) return s;
        List<Sample> out = new ArrayList<>();
        for (Sample a : s) {
            Params p = a.params();
            if (p.has("correction")) p = Params.of("dims", p.ints("dims"), "keepDim", p.b("keepDim"));
            out.add(a.withParams(p));
        }
        return out;
    }

    private static OpInfo prod() {
        return OpInfo.builder("prod", Family.REDUCTION).methods("prod()").enums(ReduceOp.PROD)
                .op((x, p) -> x[0].prod()).ref((x, p) -> x[0].reduce(RefOps.allDims(x[0].shape.length), false, RefOps::prod))
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    for (int[] shape : new int[][]{{}, {1}, {7}, {0, 3}, {2, 3}, {3, 4}})
                        for (Layout l : SampleInputs.layouts(shape)) s.add(sample(Params.NONE, false, data(r, shape, l, -2, 2)));
                    s.add(sample(Params.NONE, false, data(r, new int[]{1000}, 0.9, 1.1)).only(FLOATS));
                    s.add(sample(Params.NONE, true, data(r, new int[]{2, 3}, -1, 1)));
                    // one zero (only it gets a gradient), two zeros (none does)
                    s.add(sample("one zero", Params.NONE, true, Input.data(new double[]{0.5, 0, -1.5, 2}, new int[]{4}, Layout.CONTIGUOUS)));
                    s.add(sample("two zeros", Params.NONE, true, Input.data(new double[]{0.5, 0, -1.5, 0}, new int[]{4}, Layout.CONTIGUOUS)));
                    return s;
                })
                .dtypes(ALL).result(ACCUMULATE).differentiable().tol(1e-5, 1e-10).tolScale(s -> 10 * Math.max(1, Math.sqrt(s.maxNumel()) * 4))
                .promotion(Promotion.REDUCTION).build();
    }

    private static OpInfo extremeAll(boolean max) {
        String name = max ? "max" : "min";
        return OpInfo.builder(name, Family.REDUCTION).methods(name + "()").enums(max ? ReduceOp.MAX : ReduceOp.MIN)
                .op((x, p) -> max ? x[0].max() : x[0].min())
                .ref((x, p) -> x[0].reduce(RefOps.allDims(x[0].shape.length), false, max ? RefOps::max : RefOps::min))
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    for (int[] shape : FULL_SHAPES)
                        for (Layout l : SampleInputs.layouts(shape)) s.add(sample(Params.NONE, false, data(r, shape, l, -3, 3)));
                    s.add(sample("NaN propagates", Params.NONE, false, Input.data(new double[]{1, Double.NaN, 3, -1}, new int[]{4}, Layout.CONTIGUOUS)).only(FLOATS));
                    s.add(sample(Params.NONE, true, data(r, new int[]{3, 4, 5}, -1, 1)));
                    s.add(sample(Params.NONE, true, data(r, new int[]{}, -1, 1)));
                    return s;
                })
                .dtypes(ALL).differentiable().tol(0, 0).promotion(Promotion.REDUCTION)
                .errors(r -> List.of(new ErrorInput("an empty tensor", sample(Params.NONE, false, data(r, new int[]{0, 3}, -1, 1)), DType.FLOAT32,
                        IllegalArgumentException.class, "empty"))).build();
    }

    /** Samples of a reduction along one dim: every dim of the reduction shapes, keepDim or not, values with ties in some. */
    private static List<Sample> alongSamples(Random r, boolean ties) {
        List<Sample> s = new ArrayList<>();
        for (int[] shape : SHAPES)
            for (int d = 0; d < shape.length; d++)
                for (boolean keep : new boolean[]{false, true}) {
                    if (shape[d] == 0) continue;
                    for (Layout l : SampleInputs.layouts(shape)) {
                        Input in = data(r, shape, l, -2, 2);
                        if (ties) in = SampleInputs.rounded(in);
                        s.add(sample(keep ? Params.of("dim", d, "keepDim", true) : Params.of("dim", d - shape.length), false, in));
                    }
                }
        s.add(sample(Params.of("dim", 0), false, data(r, new int[]{}, -2, 2)));
        s.add(sample(Params.of("dim", 1, "keepDim", true), false, data(r, new int[]{0, 3}, -2, 2)));
        s.add(sample("NaN", Params.of("dim", 1), false, Input.data(new double[]{1, Double.NaN, 3, -1, 2, 0}, new int[]{2, 3}, Layout.CONTIGUOUS)).only(FLOATS));
        s.add(sample(Params.of("dim", 1), true, data(r, new int[]{3, 4, 5}, -1, 1)));
        s.add(sample(Params.of("dim", 2, "keepDim", true), true, data(r, new int[]{3, 4, 5}, Layout.TRANSPOSED, -1, 1)));
        return s;
    }

    private static Ref along(Ref x, Params p, ToDoubleFunction<double[]> f) {
        int rank = x.shape.length;
        int[] dims = rank == 0 ? new int[0] : new int[]{RefOps.normDim(p.i("dim"), rank)};
        return x.reduce(dims, p.has("keepDim") && p.b("keepDim"), f);
    }

    /** {@code max(dim)} (values) or {@code maxWithIndices(dim, keepDim)} (values and first indices). */
    private static OpInfo extremeDim(boolean max, boolean withIndices) {
        String base = max ? "max" : "min";
        String name = withIndices ? base + "WithIndices" : base + ".dim";
        OpInfo.Builder b = OpInfo.builder(name, Family.REDUCTION)
                .samples(r -> alongSamples(r, true)).dtypes(ALL).differentiable().tol(0, 0).errorName(base);
        if (withIndices) {
            b.methods(name + "(int,boolean)").enums(max ? ReduceOp.ARGMAX : ReduceOp.ARGMIN)
                    .op((x, p) -> max ? x[0].maxWithIndices(p.i("dim"), p.has("keepDim") && p.b("keepDim"))
                            : x[0].minWithIndices(p.i("dim"), p.has("keepDim") && p.b("keepDim")))
                    .ref((x, p) -> List.of(along(x[0], p, max ? RefOps::max : RefOps::min), along(x[0], p, g -> RefOps.argExtreme(g, max))));
        } else {
            b.methods(base + "(int)", base + "(int,boolean)").promotion(Promotion.REDUCTION, Params.of("dim", 1))
                    .op((x, p) -> p.has("keepDim") ? (max ? x[0].max(p.i("dim"), p.b("keepDim")) : x[0].min(p.i("dim"), p.b("keepDim")))
                            : (max ? x[0].max(p.i("dim")) : x[0].min(p.i("dim"))))
                    .ref((x, p) -> along(x[0], p, max ? RefOps::max : RefOps::min));
        }
        return b.errors(r -> List.of(new ErrorInput("along an empty dim", sample(Params.of("dim", 0), false, data(r, new int[]{0, 3}, -1, 1)),
                DType.FLOAT32, IllegalArgumentException.class, "zero-size"))).build();
    }

    private static OpInfo argExtreme(boolean max) {
        String name = max ? "argmax" : "argmin";
        return OpInfo.builder(name, Family.REDUCTION).methods(name + "()", name + "(int)", name + "(int,boolean)")
                .enums(max ? ReduceOp.ARGMAX : ReduceOp.ARGMIN)
                .op((x, p) -> !p.has("dim") ? (max ? x[0].argmax() : x[0].argmin())
                        : p.has("keepDim") ? (max ? x[0].argmax(p.i("dim"), p.b("keepDim")) : x[0].argmin(p.i("dim"), p.b("keepDim")))
                        : (max ? x[0].argmax(p.i("dim")) : x[0].argmin(p.i("dim"))))
                .ref((x, p) -> p.has("dim") ? along(x[0], p, g -> RefOps.argExtreme(g, max))
                        : new Ref(new double[]{RefOps.argExtreme(x[0].v, max)}))
                .samples(r -> {
                    List<Sample> s = new ArrayList<>(alongSamples(r, true));
                    s.removeIf(Sample::gradcheck);
                    for (int[] shape : FULL_SHAPES) s.add(sample(Params.NONE, false, SampleInputs.rounded(data(r, shape, -3, 3))));
                    return s;
                })
                .dtypes(ALL).result(INT64).tol(0, 0).promotion(Promotion.REDUCTION)
                .diverges("BOOL", "Ember finds the first largest BOOL; PyTorch 1.13 has no BOOL " + name + " kernel").build();
    }

    private static OpInfo logsumexp() {
        return OpInfo.builder("logsumexp", Family.REDUCTION).methods("logsumexp(int,boolean)")
                .op((x, p) -> x[0].logsumexp(p.i("dim"), p.has("keepDim") && p.b("keepDim")))
                .ref((x, p) -> along(x[0], p, RefOps::logsumexp))
                .samples(r -> {
                    List<Sample> s = new ArrayList<>(alongSamples(r, false));
                    s.removeIf(a -> a.label().equals("NaN"));
                    double inf = Double.NEGATIVE_INFINITY;
                    s.add(sample("-inf, all -inf row", Params.of("dim", 1), false,
                            Input.data(new double[]{inf, 0, 1, inf, inf, inf}, new int[]{2, 3}, Layout.CONTIGUOUS)).only(FLOATS));
                    s.add(sample("large values", Params.of("dim", 0), false, Input.data(new double[]{1000, 1001, -1000}, new int[]{3}, Layout.CONTIGUOUS)).only(FLOATS));
                    return s;
                })
                .dtypes(NUMBERS).result(FLOAT).differentiable().tol(1e-5, 1e-10).tolScale(ReductionOpInfos::scale)
                .promotion(Promotion.REDUCTION, Params.of("dim", 1)).build();
    }

    private static OpInfo anyAll(boolean any) {
        String name = any ? "any" : "all";
        return OpInfo.builder(name, Family.REDUCTION).methods(name + "()")
                .op((x, p) -> any ? x[0].any() : x[0].all())
                .ref((x, p) -> {
                    boolean r = !any;
                    for (double v : x[0].v) r = any ? r || v != 0 : r && v != 0;
                    return new Ref(new double[]{r ? 1 : 0});
                })
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    for (int[] shape : new int[][]{{}, {1}, {7}, {0, 3}, {3, 5}, {37, 129}})
                        for (Layout l : SampleInputs.layouts(shape)) s.add(sample(Params.NONE, false, SampleInputs.rounded(data(r, shape, l, -0.7, 0.7))));
                    s.add(sample("all ones", Params.NONE, false, data(r, new int[]{4, 5}, 0.6, 1.4)));
                    s.add(sample("NaN is true", Params.NONE, false, Input.data(new double[]{0, Double.NaN}, new int[]{2}, Layout.CONTIGUOUS)).only(FLOATS));
                    return s;
                })
                .dtypes(ALL).tol(0, 0).build();
    }

    private static OpInfo softmax(boolean log) {
        String name = log ? "logSoftmax" : "softmax";
        return OpInfo.builder(name, Family.SOFTMAX).methods(name + "(int)")
                .op((x, p) -> log ? x[0].logSoftmax(p.i("dim")) : x[0].softmax(p.i("dim")))
                .ref((x, p) -> RefOps.softmax(x[0], p.i("dim"), log))
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    for (int[] shape : FULL_SHAPES)
                        for (int d = 0; d < Math.max(1, shape.length); d++)
                            s.add(sample(Params.of("dim", d), false, data(r, shape, shape.length >= 2 && d == 0 ? Layout.TRANSPOSED : Layout.CONTIGUOUS, -3, 3)));
                    s.add(sample(Params.of("dim", -1), false, data(r, new int[]{2, 0, 3}, -3, 3)));
                    double inf = Double.NEGATIVE_INFINITY;
                    s.add(sample("masked with -inf", Params.of("dim", 1), false,
                            Input.data(new double[]{inf, 0, 1, 2, inf, 3}, new int[]{2, 3}, Layout.CONTIGUOUS)).only(FLOATS));
                    s.add(sample("large values", Params.of("dim", 0), false, Input.data(new double[]{1000, 1001, -1000}, new int[]{3}, Layout.CONTIGUOUS)).only(FLOATS));
                    s.add(sample(Params.of("dim", 2), true, data(r, new int[]{3, 4, 5}, -1, 1)));
                    s.add(sample(Params.of("dim", 0), true, data(r, new int[]{3, 4, 5}, -1, 1)));
                    s.add(sample(Params.of("dim", 1), true, data(r, new int[]{3, 4, 5}, Layout.TRANSPOSED, -1, 1)));
                    return s;
                })
                .dtypes(NUMBERS).result(FLOAT).differentiable().tol(2e-6, 1e-12).promotion(Promotion.REDUCTION, Params.of("dim", 1))
                .diverges("INT", "Ember computes " + name + " of integers in the default float dtype; PyTorch 1.13 has no integer kernel")
                .diverges("BOOL", "likewise for BOOL").build();
    }
}
