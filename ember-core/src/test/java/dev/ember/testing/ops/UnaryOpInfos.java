package dev.ember.testing.ops;

import static dev.ember.testing.DTypes.ALL;
import static dev.ember.testing.DTypes.BOOL_AS_INT64;
import static dev.ember.testing.DTypes.FLOAT;
import static dev.ember.testing.DTypes.FLOATS;
import static dev.ember.testing.DTypes.NUMBERS;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.backend.UnaryOp;
import dev.ember.testing.OpInfo;
import dev.ember.testing.OpInfo.Family;
import dev.ember.testing.OpInfo.Promotion;
import dev.ember.testing.Params;
import dev.ember.testing.RefMath;
import dev.ember.testing.Sample;
import dev.ember.testing.SampleInputs;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

/**
 * Entries for the one-input elementwise ops ({@link UnaryOp}): float functions (integer inputs compute in
 * the default float dtype), the integer-keeping ones, parameterised ones (leaky ReLU, scalar power, clamp)
 * and the BOOL-valued ones. Each runs the standard elementwise samples plus non-finite values.
 */
final class UnaryOpInfos {
    private UnaryOpInfos() {}

    static List<OpInfo> all() {
        List<OpInfo> t = new ArrayList<>();
        // float functions: integer and BOOL inputs compute in the default float dtype, as PyTorch
        t.add(floating("exp", "exp()", UnaryOp.EXP, Tensor::exp, Math::exp, -5, 5, -1, 1).build());
        t.add(floating("log", "log()", UnaryOp.LOG, Tensor::log, Math::log, 0.01, 10, 0.5, 2).build());
        t.add(floating("log1p", "log1p()", UnaryOp.LOG1P, Tensor::log1p, Math::log1p, -0.9, 5, 0.5, 2).build());
        t.add(floating("expm1", "expm1()", UnaryOp.EXPM1, Tensor::expm1, Math::expm1, -3, 3, -1, 1).build());
        t.add(floating("sqrt", "sqrt()", UnaryOp.SQRT, Tensor::sqrt, Math::sqrt, 0, 10, 0.5, 2).build());
        t.add(floating("rsqrt", "rsqrt()", UnaryOp.RSQRT, Tensor::rsqrt, x -> 1 / Math.sqrt(x), 0.1, 10, 0.5, 2).build());
        t.add(floating("reciprocal", "reciprocal()", UnaryOp.RECIPROCAL, Tensor::reciprocal, x -> 1 / x, 0.2, 5, 0.5, 2).build());
        t.add(floating("sin", "sin()", UnaryOp.SIN, Tensor::sin, Math::sin, -4, 4, -1, 1).build());
        t.add(floating("cos", "cos()", UnaryOp.COS, Tensor::cos, Math::cos, -4, 4, -1, 1).build());
        t.add(floating("tan", "tan()", UnaryOp.TAN, Tensor::tan, Math::tan, -1.4, 1.4, -1, 1)
                .samples(r -> {
                    List<Sample> s = withExtremal(SampleInputs.unary(r, -1.4, 1.4, -1, 1, Params.NONE), Params.NONE);
                    // many periods, across the CPU's float reduction limit (4096): both of its paths, and the GPUs' reductions
                    s.add(new Sample("wide", List.of(SampleInputs.data(r, new int[]{257}, -5000, 5000)), Params.NONE, false).only(FLOATS));
                    return s;
                }).build());
        t.add(floating("tanh", "tanh()", UnaryOp.TANH, Tensor::tanh, Math::tanh, -4, 4, -1, 1).build());
        t.add(floating("sigmoid", "sigmoid()", UnaryOp.SIGMOID, Tensor::sigmoid, x -> 1 / (1 + Math.exp(-x)), -8, 8, -1, 1).build());
        t.add(floating("silu", "silu()", UnaryOp.SILU, Tensor::silu, x -> x * (1 / (1 + Math.exp(-x))), -8, 8, -1, 1)
                .diverges("INT", "Ember computes SiLU of integers in the default float dtype; PyTorch 1.13 has no integer SiLU kernel")
                .diverges("BOOL", "likewise for BOOL").build());
        t.add(floating("erf", "erf()", UnaryOp.ERF, Tensor::erf, RefMath::erf, -4, 4, -1, 1).build());
        t.add(floating("gelu", "gelu()", UnaryOp.GELU, Tensor::gelu, x -> 0.5 * x * (1 + RefMath.erf(x / Math.sqrt(2))), -5, 5, -1, 1)
                .diverges("INT", "Ember computes GELU of integers in the default float dtype; PyTorch 1.13 has no integer GELU kernel")
                .diverges("BOOL", "likewise for BOOL").build());
        t.add(floating("softplus", "softplus()", UnaryOp.SOFTPLUS, Tensor::softplus, x -> x > 20 ? x : Math.log1p(Math.exp(x)), -10, 25, -1, 1)
                .diverges("INT", "Ember computes softplus of integers in the default float dtype; PyTorch 1.13 has no integer kernel")
                .diverges("BOOL", "likewise for BOOL").build());
        t.add(floating("leakyRelu", "leakyRelu(double)", UnaryOp.LEAKY_RELU, x -> x.leakyRelu(0.1), x -> x > 0 ? x : 0.1 * x, -3, 3, -1, 1)
                .gradAvoid(0)
                .diverges("INT", "Ember computes leaky ReLU of integers in the default float dtype; PyTorch 1.13 has no integer kernel")
                .diverges("BOOL", "likewise for BOOL").build());
        // integer-keeping ops: integer tensors keep their dtype; Ember reads BOOL as INT64
        t.add(integer("neg", UnaryOp.NEG, Tensor::neg, x -> -x, 0.0).dtypes(NUMBERS).refuses(DType.BOOL).build()); // as PyTorch
        t.add(integer("abs", UnaryOp.ABS, Tensor::abs, Math::abs, 0.0).gradAvoid(0).diverges("BOOL", boolRefused("abs")).build());
        // PyTorch's sign is (0 < x) - (x < 0): NaN and -0 give +0; BOOL stays BOOL
        t.add(integer("sign", UnaryOp.SIGN, Tensor::sign, x -> x > 0 ? 1 : (x < 0 ? -1 : 0), 0.0).gradAvoid(0).result(d -> d).build());
        t.add(integer("square", UnaryOp.SQUARE, Tensor::square, x -> x * x, 0.0).tol(1e-6, 0).build());
        t.add(integer("relu", UnaryOp.RELU, Tensor::relu, x -> Double.isNaN(x) ? x : Math.max(0, x), 0.0).gradAvoid(0)
                .diverges("BOOL", boolRefused("relu")).build());
        t.add(integer("floor", UnaryOp.FLOOR, Tensor::floor, Math::floor, 0.5).diverges("BOOL", boolRefused("floor")).build());
        t.add(integer("ceil", UnaryOp.CEIL, Tensor::ceil, Math::ceil, 0.5).diverges("BOOL", boolRefused("ceil")).build());
        t.add(integer("round", UnaryOp.ROUND, Tensor::round, Math::rint, 0.5).diverges("BOOL", boolRefused("round")).build());
        t.add(powScalar());
        t.addAll(clamps());
        // BOOL-valued
        t.add(OpInfo.builder("logicalNot", Family.UNARY).methods("logicalNot()").enums(UnaryOp.NOT)
                .op((x, p) -> x[0].logicalNot()).ref((x, p) -> x[0].map(v -> v == 0 ? 1 : 0))
                .samples(r -> withExtremal(SampleInputs.unary(r, -2, 2), Params.NONE)).dtypes(ALL).result(dev.ember.testing.DTypes.BOOL)
                .promotion(Promotion.UNARY).build());
        t.add(OpInfo.builder("isnan", Family.UNARY).methods("isnan()").enums(UnaryOp.ISNAN)
                .op((x, p) -> x[0].isnan()).ref((x, p) -> x[0].map(v -> Double.isNaN(v) ? 1 : 0))
                .samples(r -> withExtremal(SampleInputs.unary(r, -2, 2), Params.NONE)).dtypes(ALL).result(dev.ember.testing.DTypes.BOOL)
                .promotion(Promotion.UNARY).build());
        return t;
    }

    private static String boolRefused(String op) {
        return "PyTorch refuses " + op + " of a BOOL tensor; Ember reads BOOL as INT64 and returns INT64";
    }

    private static List<Sample> withExtremal(List<Sample> s, Params p) {
        List<Sample> out = new ArrayList<>(s);
        out.add(SampleInputs.extremal(p));
        return out;
    }

    /** A float function: every dtype, integer and BOOL inputs compute in the default float dtype. */
    private static OpInfo.Builder floating(String name, String method, UnaryOp op, UnaryOperator<Tensor> f, DoubleUnaryOperator ref,
                                           double lo, double hi, double gradLo, double gradHi) {
        return OpInfo.builder(name, Family.UNARY).methods(method).enums(op)
                .op((x, p) -> f.apply(x[0])).ref((x, p) -> x[0].map(ref))
                .samples(r -> withExtremal(SampleInputs.unary(r, lo, hi, gradLo, gradHi, Params.NONE), Params.NONE))
                .dtypes(ALL).result(FLOAT).differentiable()
                // float32 transcendental kernels (SIMD polynomials) are accurate to a few ulp
                .tol(4e-6, 1e-12).promotion(Promotion.UNARY);
    }

    /**
     * An op that integer tensors keep their dtype through. {@code step} is the spacing of its discontinuities
     * (floor, ceil, round), kept away from in gradchecks; 0 for none.
     */
    private static OpInfo.Builder integer(String name, UnaryOp op, UnaryOperator<Tensor> f, DoubleUnaryOperator ref, double step) {
        OpInfo.Builder b = OpInfo.builder(name, Family.UNARY).methods(name + "()").enums(op)
                .op((x, p) -> f.apply(x[0])).ref((x, p) -> x[0].map(ref))
                .samples(r -> withExtremal(SampleInputs.unary(r, -3, 3), Params.NONE))
                .dtypes(ALL).result(BOOL_AS_INT64).differentiable().tol(0, 0).promotion(Promotion.UNARY);
        if (step > 0) {
            double[] grid = new double[13];
            for (int i = 0; i < grid.length; i++) grid[i] = -3 + i * step;
            b.gradAvoid(grid);
        }
        return b;
    }

    private static OpInfo powScalar() {
        return OpInfo.builder("pow.scalar", Family.UNARY).methods("pow(double)").enums(UnaryOp.POW_SCALAR)
                .op((x, p) -> x[0].pow(p.d("exponent"))).ref((x, p) -> x[0].map(v -> Math.pow(v, p.d("exponent"))))
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    for (Sample a : SampleInputs.unary(r, 0, 3, 0.5, 2, Params.of("exponent", 2.5))) s.add(a);
                    for (Sample a : SampleInputs.unary(r, -3, 3, -1, 1, Params.of("exponent", 2.0))) s.add(a);
                    s.add(SampleInputs.sample(Params.of("exponent", 3.0), true, SampleInputs.data(r, new int[]{3, 4}, -1, 1)));
                    s.add(SampleInputs.sample(Params.of("exponent", -0.5), true, SampleInputs.data(r, new int[]{3, 4}, 0.5, 2)));
                    s.add(SampleInputs.sample(Params.of("exponent", 0.0), true, SampleInputs.data(r, new int[]{2, 3}, -1, 1)));
                    s.add(SampleInputs.extremal(Params.of("exponent", 2.0)));
                    return s;
                })
                .dtypes(ALL).result(FLOAT).differentiable().tol(4e-6, 1e-12).promotion(Promotion.UNARY, Params.of("exponent", 2.5)).errorName("pow").build();
    }

    private static List<OpInfo> clamps() {
        List<OpInfo> t = new ArrayList<>();
        String intClamp = "Ember clamps an integer tensor in its own dtype; PyTorch 1.13 promotes it with the float bounds to the "
                + "default float dtype (clamp(int [1, 2, 3], -0.5, 0.7) is [0.7, 0.7, 0.7] in PyTorch, [0, 0, 0] in Ember)";
        t.add(OpInfo.builder("clamp", Family.UNARY).methods("clamp(double,double)").enums(UnaryOp.CLAMP)
                .op((x, p) -> x[0].clamp(p.d("min"), p.d("max")))
                .ref((x, p) -> x[0].map(v -> Double.isNaN(v) ? v : Math.min(Math.max(v, p.d("min")), p.d("max"))))
                .samples(r -> clampSamples(r, Params.of("min", -0.5, "max", 0.7), Params.of("min", -1.0, "max", 2.0)))
                .dtypes(ALL).result(BOOL_AS_INT64_EXCEPT_CLAMP).differentiable().gradAvoid(-0.5, 0.7).tol(0, 0)
                .promotion(Promotion.UNARY, Params.of("min", -0.5, "max", 0.7)).diverges("INT", intClamp).diverges("BOOL", intClamp)
                .errors(r -> List.of(new OpInfo.ErrorInput("min > max", SampleInputs.sample(Params.of("min", 1.0, "max", 0.0), false,
                        SampleInputs.data(r, new int[]{3}, -1, 1)), DType.FLOAT32, IllegalArgumentException.class, "greater than max")))
                .build());
        t.add(OpInfo.builder("clampMin", Family.UNARY).methods("clampMin(double)").enums(UnaryOp.CLAMP)
                .op((x, p) -> x[0].clampMin(p.d("min"))).ref((x, p) -> x[0].map(v -> Double.isNaN(v) ? v : Math.max(v, p.d("min"))))
                .samples(r -> clampSamples(r, Params.of("min", 0.5), Params.of("min", 1.0)))
                .dtypes(ALL).result(BOOL_AS_INT64_EXCEPT_CLAMP).differentiable().gradAvoid(0.5).tol(0, 0)
                .promotion(Promotion.UNARY, Params.of("min", 0.5)).diverges("INT", intClamp).diverges("BOOL", intClamp).build());
        t.add(OpInfo.builder("clampMax", Family.UNARY).methods("clampMax(double)").enums(UnaryOp.CLAMP)
                .op((x, p) -> x[0].clampMax(p.d("max"))).ref((x, p) -> x[0].map(v -> Double.isNaN(v) ? v : Math.min(v, p.d("max"))))
                .samples(r -> clampSamples(r, Params.of("max", 0.5), Params.of("max", 1.0)))
                .dtypes(ALL).result(BOOL_AS_INT64_EXCEPT_CLAMP).differentiable().gradAvoid(0.5).tol(0, 0)
                .promotion(Promotion.UNARY, Params.of("max", 0.5)).diverges("INT", intClamp).diverges("BOOL", intClamp).build());
        return t;
    }

    /** Ember's clamp keeps every dtype, BOOL included (it is the one integer-keeping op that does not read BOOL as INT64). */
    private static final UnaryOperator<DType> BOOL_AS_INT64_EXCEPT_CLAMP = d -> d;

    /** Float bounds in the float dtypes; integer bounds (which an integer tensor can hold exactly) in every dtype. */
    private static List<Sample> clampSamples(Random r, Params floatBounds, Params intBounds) {
        List<Sample> s = new ArrayList<>();
        for (Sample a : SampleInputs.unary(r, -2, 2, -1, 1, floatBounds)) s.add(a.only(FLOATS));
        for (Sample a : SampleInputs.unary(r, -3, 3, -1, 1, intBounds)) if (!a.gradcheck()) s.add(a);
        s.add(SampleInputs.extremal(floatBounds));
        return s;
    }
}
