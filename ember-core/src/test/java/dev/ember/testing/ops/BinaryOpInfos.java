package dev.ember.testing.ops;

import static dev.ember.testing.DTypes.ALL;
import static dev.ember.testing.DTypes.BOOL;
import static dev.ember.testing.DTypes.FLOAT;
import static dev.ember.testing.DTypes.FLOATS;
import static dev.ember.testing.DTypes.NUMBERS;
import static dev.ember.testing.SampleInputs.data;
import static dev.ember.testing.SampleInputs.sample;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.backend.BinaryOp;
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
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.UnaryOperator;

/**
 * Entries for the two-input elementwise ops ({@link BinaryOp}) with broadcasting, their Java-scalar
 * overloads, {@code where} and {@code maskedFill}.
 */
final class BinaryOpInfos {
    private BinaryOpInfos() {}

    static List<OpInfo> all() {
        List<OpInfo> t = new ArrayList<>();
        t.add(arithmetic("add", BinaryOp.ADD, Tensor::add, Double::sum, -3, 3, -3, 3).dtypes(ALL).build());
        t.add(arithmetic("sub", BinaryOp.SUB, Tensor::sub, (a, b) -> a - b, -3, 3, -3, 3).dtypes(NUMBERS).refuses(DType.BOOL).build());
        t.add(arithmetic("mul", BinaryOp.MUL, Tensor::mul, (a, b) -> a * b, -3, 3, -3, 3).dtypes(ALL).build());
        t.add(arithmetic("div", BinaryOp.DIV, Tensor::div, (a, b) -> a / b, -3, 3, 0.5, 3).dtypes(ALL).result(FLOAT).build());
        t.add(OpInfo.builder("add.alpha", Family.BINARY).methods("add(Tensor,double)").enums(BinaryOp.ADD)
                .op((x, p) -> x[0].add(x[1], p.d("alpha"))).ref((x, p) -> Ref.zip(x[0], x[1], (a, b) -> a + p.d("alpha") * b))
                .samples(r -> SampleInputs.binary(r, -3, 3, -3, 3, -1, 1, -1, 1, Params.of("alpha", 2.5)))
                .dtypes(ALL).result(FLOAT).differentiable().tol(4e-6, 1e-12).promotion(Promotion.BINARY, Params.of("alpha", 2.5)).errorName("add")
                .diverges(k -> !k.contains("FLOAT"), "integer and BOOL operands",
                        "Ember scales an integer operand by a float alpha in the default float dtype; PyTorch refuses a float alpha "
                                + "for integer tensors")
                .diverges(k -> k.startsWith("FLOAT64:0d") && !k.endsWith("FLOAT32") && !k.endsWith("FLOAT64") && !k.endsWith(":0d"),
                        "a 0-d FLOAT64 plus an integer tensor", "Ember computes other * alpha first (a FLOAT32 tensor), which then outranks "
                                + "the 0-d FLOAT64; PyTorch promotes the operands first and gives FLOAT64")
                .errors(r -> List.of(mismatch(r, Params.of("alpha", 2.5)))).build());
        t.add(arithmetic("pow", BinaryOp.POW, Tensor::pow, Math::pow, 0.1, 2, 0.1, 2).dtypes(NUMBERS).gradDomains(0.5, 2, -1, 1)
                .diverges("BOOL BOOL", "Ember raises BOOL to BOOL powers in BOOL; PyTorch 1.13 has no BOOL pow kernel")
                .diverges("BOOL:0d BOOL", "likewise with 0-d operands").build());
        t.add(arithmetic("maximum", BinaryOp.MAX, Tensor::maximum, RefBinary::max, -3, 3, -3, 3).dtypes(ALL).extremal().build());
        t.add(arithmetic("minimum", BinaryOp.MIN, Tensor::minimum, RefBinary::min, -3, 3, -3, 3).dtypes(ALL).extremal().build());
        t.add(arithmetic("remainder", BinaryOp.REMAINDER, Tensor::remainder, (a, b) -> a - Math.floor(a / b) * b, -3, 3, 0.5, 3)
                .dtypes(NUMBERS).gradDomains(0.1, 0.9, 1.1, 2)
                .diverges(k -> k.matches("BOOL(:0d)? BOOL:0d"), "BOOL by a true 0-d BOOL", "Ember computes BOOL remainders; PyTorch 1.13 has no BOOL kernel")
                .build());
        // no integer form: integer and BOOL operands compute in the default float dtype, as in PyTorch
        t.add(arithmetic("atan2", BinaryOp.ATAN2, Tensor::atan2, Math::atan2, -3, 3, -3, 3).dtypes(ALL).result(FLOAT)
                .gradDomains(-1, 1, 0.5, 2).build());
        t.add(OpInfo.builder("floorDivide", Family.BINARY).methods("floorDivide(Tensor)").enums(BinaryOp.DIV)
                .op((x, p) -> x[0].floorDivide(x[1])).ref((x, p) -> Ref.zip(x[0], x[1], (a, b) -> Math.floor(a / b)))
                .samples(r -> SampleInputs.binary(r, -3, 3, 0.5, 3, -3, 3, 0.5, 3, Params.NONE))
                .dtypes(NUMBERS).tol(4e-6, 1e-12).promotion(Promotion.BINARY)
                .diverges(k -> k.matches("BOOL(:0d)? BOOL:0d"), "BOOL by a true 0-d BOOL", "Ember divides BOOL tensors; PyTorch 1.13 has no BOOL kernel")
                .errors(r -> List.of(mismatch(r, Params.NONE))).build());
        for (String c : new String[]{"eq", "ne", "lt", "le", "gt", "ge"}) {
            t.add(comparison(c));
            t.add(comparisonScalar(c));
        }
        t.add(logical("logicalAnd", BinaryOp.AND, Tensor::logicalAnd, (a, b) -> a != 0 && b != 0));
        t.add(logical("logicalOr", BinaryOp.OR, Tensor::logicalOr, (a, b) -> a != 0 || b != 0));
        t.add(logical("logicalXor", BinaryOp.XOR, Tensor::logicalXor, (a, b) -> (a != 0) != (b != 0)));
        t.addAll(scalarArithmetic());
        t.add(where("where", "where(Tensor,Tensor,Tensor)", (x, p) -> Tensor.where(x[0], x[1], x[2])));
        t.add(where("where.method", "where(Tensor,Tensor)", (x, p) -> x[1].where(x[0], x[2])));
        t.add(maskedFill());
        return t;
    }

    /** References that propagate NaN, as PyTorch's maximum and minimum. */
    static final class RefBinary {
        static double max(double a, double b) { return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b); }

        static double min(double a, double b) { return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b); }
    }

    /** A builder of binary entries that keeps the samples' domains until it builds. */
    private static final class Arithmetic {
        final OpInfo.Builder b;
        final double lo, hi, lo2, hi2;
        double gLo, gHi, gLo2, gHi2;
        boolean extremal;

        Arithmetic(OpInfo.Builder b, double lo, double hi, double lo2, double hi2) {
            this.b = b;
            this.lo = lo; this.hi = hi; this.lo2 = lo2; this.hi2 = hi2;
            gLo = Math.max(lo, -1); gHi = Math.min(hi, 1); gLo2 = Math.max(lo2, -1); gHi2 = Math.min(hi2, 1);
            if (lo2 > 0) { gLo2 = 0.5; gHi2 = 2; }
        }

        Arithmetic dtypes(DType... d) { b.dtypes(d); return this; }

        Arithmetic refuses(DType... d) { b.refuses(d); return this; }

        Arithmetic result(UnaryOperator<DType> r) { b.result(r); return this; }

        Arithmetic gradDomains(double l, double h, double l2, double h2) { gLo = l; gHi = h; gLo2 = l2; gHi2 = h2; return this; }

        Arithmetic extremal() { extremal = true; return this; }

        Arithmetic diverges(String fragment, String reason) { b.diverges(fragment, reason); return this; }

        Arithmetic diverges(java.util.function.Predicate<String> cases, String description, String reason) {
            b.diverges(cases, description, reason);
            return this;
        }

        Arithmetic xfail(OpInfo.Suite s, String reason, java.util.function.BiPredicate<dev.ember.Device, DType> when) { b.xfail(s, reason, when); return this; }

        OpInfo build() {
            b.samples(r -> {
                List<Sample> s = SampleInputs.binary(r, lo, hi, lo2, hi2, gLo, gHi, gLo2, gHi2, Params.NONE);
                if (extremal) s.add(extremalPair());
                return s;
            });
            b.errors(r -> List.of(mismatch(r, Params.NONE)));
            return b.build();
        }
    }

    private static Arithmetic arithmetic(String name, BinaryOp op, BinaryOperator<Tensor> f, DoubleBinaryOperator ref,
                                         double lo, double hi, double lo2, double hi2) {
        OpInfo.Builder b = OpInfo.builder(name, Family.BINARY).methods(name + "(Tensor)").enums(op)
                .op((x, p) -> f.apply(x[0], x[1])).ref((x, p) -> Ref.zip(x[0], x[1], ref))
                .differentiable().tol(4e-6, 1e-12).promotion(Promotion.BINARY);
        return new Arithmetic(b, lo, hi, lo2, hi2);
    }

    /** NaN against numbers and NaN, in both positions, for the float dtypes. */
    static Sample extremalPair() {
        double[] a = {Double.NaN, 1, Double.NaN, Double.POSITIVE_INFINITY, -0.0, 2};
        double[] b = {1, Double.NaN, Double.NaN, Double.NEGATIVE_INFINITY, 0.0, 2};
        return new Sample("NaN and infinities", List.of(Input.data(a, new int[]{6}, Layout.CONTIGUOUS),
                Input.data(b, new int[]{6}, Layout.CONTIGUOUS)), Params.NONE, false).only(FLOATS);
    }

    /** Shapes [2, 3] and [4] do not broadcast. */
    static ErrorInput mismatch(Random r, Params p) {
        return new ErrorInput("shapes that do not broadcast", sample(p, false, data(r, new int[]{2, 3}, -1, 1), data(r, new int[]{4}, 1, 2)),
                DType.FLOAT32, IllegalArgumentException.class, "cannot be broadcast");
    }

    /** Values on a grid of 0.5, so that ties (and equality) are frequent. */
    private static List<Sample> ties(List<Sample> samples) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            List<Input> in = new ArrayList<>();
            for (Input i : s.inputs()) {
                double[] v = i.values().clone();
                for (int k = 0; k < v.length; k++) v[k] = Math.rint(v[k] * 2) / 2;
                in.add(new Input(v, i.shape(), i.fixed(), i.layout()));
            }
            out.add(s.withInputs(in));
        }
        return out;
    }

    private static DoubleBinaryOperator compare(String c) {
        return switch (c) {
            case "eq" -> (a, b) -> a == b ? 1 : 0;
            case "ne" -> (a, b) -> a != b ? 1 : 0;
            case "lt" -> (a, b) -> a < b ? 1 : 0;
            case "le" -> (a, b) -> a <= b ? 1 : 0;
            case "gt" -> (a, b) -> a > b ? 1 : 0;
            default -> (a, b) -> a >= b ? 1 : 0;
        };
    }

    private static BinaryOp compareOp(String c) { return BinaryOp.valueOf(c.toUpperCase()); }

    private static Tensor call(String c, Tensor a, Tensor b) {
        return switch (c) {
            case "eq" -> a.eq(b);
            case "ne" -> a.ne(b);
            case "lt" -> a.lt(b);
            case "le" -> a.le(b);
            case "gt" -> a.gt(b);
            default -> a.ge(b);
        };
    }

    private static Tensor call(String c, Tensor a, double s) {
        return switch (c) {
            case "eq" -> a.eq(s);
            case "ne" -> a.ne(s);
            case "lt" -> a.lt(s);
            case "le" -> a.le(s);
            case "gt" -> a.gt(s);
            default -> a.ge(s);
        };
    }

    private static OpInfo comparison(String c) {
        DoubleBinaryOperator ref = compare(c);
        return OpInfo.builder(c, Family.BINARY).methods(c + "(Tensor)").enums(compareOp(c))
                .op((x, p) -> call(c, x[0], x[1])).ref((x, p) -> Ref.zip(x[0], x[1], ref))
                .samples(r -> {
                    List<Sample> s = ties(SampleInputs.binary(r, -2, 2));
                    s.add(extremalPair());
                    return s;
                })
                .dtypes(ALL).result(BOOL).tol(0, 0).promotion(Promotion.BINARY)
                .errors(r -> List.of(mismatch(r, Params.NONE))).build();
    }

    private static OpInfo comparisonScalar(String c) {
        DoubleBinaryOperator ref = compare(c);
        return OpInfo.builder(c + ".scalar", Family.BINARY).methods(c + "(double)").enums(compareOp(c))
                .op((x, p) -> call(c, x[0], p.d("s"))).ref((x, p) -> x[0].map(v -> ref.applyAsDouble(v, p.d("s"))))
                .samples(r -> {
                    List<Sample> s = new ArrayList<>(ties(SampleInputs.unary(r, -2, 2, -2, 2, Params.of("s", 0.5))));
                    s.add(SampleInputs.extremal(Params.of("s", 0.5)));
                    s.add(SampleInputs.extremal(Params.of("s", Double.NaN)));
                    return s;
                })
                .dtypes(ALL).result(BOOL).tol(0, 0).promotion(Promotion.SCALAR).build();
    }

    private static OpInfo logical(String name, BinaryOp op, BinaryOperator<Tensor> f, java.util.function.BiPredicate<Double, Double> ref) {
        return OpInfo.builder(name, Family.BINARY).methods(name + "(Tensor)").enums(op)
                .op((x, p) -> f.apply(x[0], x[1])).ref((x, p) -> Ref.zip(x[0], x[1], (a, b) -> ref.test(a, b) ? 1 : 0))
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    for (Sample a : SampleInputs.binary(r, -1, 1)) {
                        List<Input> in = new ArrayList<>();
                        for (Input i : a.inputs()) in.add(SampleInputs.rounded(i)); // -1, 0, 1: zeros are frequent
                        s.add(a.withInputs(in));
                    }
                    s.add(extremalPair());
                    return s;
                })
                .dtypes(ALL).result(BOOL).tol(0, 0).promotion(Promotion.BINARY)
                .errors(r -> List.of(mismatch(r, Params.NONE))).build();
    }

    /** {@code tensor op s} for a Java double and, where Ember has the overload, a long. */
    private static List<OpInfo> scalarArithmetic() {
        List<OpInfo> t = new ArrayList<>();
        t.add(scalar("add.scalar", BinaryOp.ADD, true, (x, s) -> x.add(s), (x, s) -> x.add(s), Double::sum, "add(double)", "add(long)").build());
        t.add(scalar("sub.scalar", BinaryOp.SUB, true, (x, s) -> x.sub(s), (x, s) -> x.sub(s), (a, b) -> a - b, "sub(double)", "sub(long)")
                .dtypes(NUMBERS).refuses(DType.BOOL).build()); // PyTorch refuses any subtraction with a BOOL tensor
        t.add(scalar("mul.scalar", BinaryOp.MUL, true, (x, s) -> x.mul(s), (x, s) -> x.mul(s), (a, b) -> a * b, "mul(double)", "mul(long)").build());
        t.add(scalar("div.scalar", BinaryOp.DIV, false, (x, s) -> x.div(s), null, (a, b) -> a / b, "div(double)").build());
        t.add(scalar("rsub", BinaryOp.SUB, false, (x, s) -> x.rsub(s), null, (a, b) -> b - a, "rsub(double)")
                .dtypes(NUMBERS).refuses(DType.BOOL).build()); // PyTorch refuses any subtraction with a BOOL tensor
        return t;
    }

    private static OpInfo.Builder scalar(String name, BinaryOp op, boolean hasLong, java.util.function.BiFunction<Tensor, Double, Tensor> fd,
                                         java.util.function.BiFunction<Tensor, Long, Tensor> fl, DoubleBinaryOperator ref, String... methods) {
        return OpInfo.builder(name, Family.BINARY).methods(methods).enums(op)
                .op((x, p) -> p.get("s") instanceof Long l ? fl.apply(x[0], l) : fd.apply(x[0], p.d("s")))
                .ref((x, p) -> x[0].map(v -> ref.applyAsDouble(v, p.d("s"))))
                .samples(r -> {
                    List<Sample> s = new ArrayList<>(SampleInputs.unary(r, -2, 2, -1, 1, Params.of("s", -1.25)));
                    s.add(SampleInputs.extremal(Params.of("s", 2.5)));
                    if (hasLong)
                        for (Sample a : SampleInputs.unary(r, -3, 3, -1, 1, Params.of("s", 3L)))
                            if (a.maxNumel() <= SampleInputs.SMALL && !a.gradcheck()) s.add(a);
                    return s;
                })
                .dtypes(ALL).result((d, p) -> p.get("s") instanceof Long ? (d == DType.BOOL ? DType.INT64 : d)
                        : name.equals("div.scalar") || !d.isFloatingPoint() ? FLOAT.apply(d) : d)
                .differentiable().tol(4e-6, 1e-12).promotion(Promotion.SCALAR).errorName(name.contains(".") ? name.substring(0, name.indexOf('.')) : name);
    }

    private static OpInfo where(String name, String method, OpInfo.Call call) {
        return OpInfo.builder(name, Family.BINARY).methods(method).op(call)
                .ref((x, p) -> RefOps.where(x[0], x[1], x[2]))
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    s.add(sample(Params.NONE, false, SampleInputs.mask(r, 3, 4), data(r, new int[]{4}, -1, 1), data(r, new int[]{3, 1}, -1, 1)));
                    // long rows (vector paths): full operands, and each side a broadcast 0-d scalar
                    s.add(sample(Params.NONE, false, SampleInputs.mask(r, 37, 129), data(r, new int[]{37, 129}, Layout.TRANSPOSED, -1, 1),
                            data(r, new int[]{37, 129}, -1, 1)));
                    s.add(sample(Params.NONE, false, SampleInputs.mask(r, 37, 129), data(r, new int[]{37, 129}, -1, 1), data(r, new int[]{}, -1, 1)));
                    s.add(sample(Params.NONE, false, SampleInputs.mask(r, 37, 129), data(r, new int[]{}, -1, 1), data(r, new int[]{37, 129}, Layout.STRIDED, -1, 1)));
                    s.add(sample(Params.NONE, false, SampleInputs.mask(r), data(r, new int[]{}, -1, 1), data(r, new int[]{}, -1, 1)));
                    s.add(sample(Params.NONE, false, SampleInputs.mask(r, 0, 3), data(r, new int[]{3}, -1, 1), data(r, new int[]{1}, -1, 1)));
                    s.add(sample(Params.NONE, true, SampleInputs.mask(r, 2, 3), data(r, new int[]{2, 3}, -1, 1), data(r, new int[]{3}, -1, 1)));
                    s.add(sample(Params.NONE, true, SampleInputs.mask(r, 2, 1), data(r, new int[]{}, -1, 1), data(r, new int[]{2, 3}, Layout.EXPANDED, -1, 1)));
                    return s;
                })
                .dtypes(ALL).differentiable().tol(0, 0).promotion(name.equals("where") ? Promotion.BINARY : Promotion.NONE).errorName("where")
                .errors(r -> List.of(
                        new ErrorInput("condition not BOOL", sample(Params.NONE, false, data(r, new int[]{3}, -1, 1), data(r, new int[]{3}, -1, 1),
                                data(r, new int[]{3}, -1, 1)), DType.FLOAT32, IllegalArgumentException.class, "condition must be BOOL"),
                        new ErrorInput("shapes that do not broadcast", sample(Params.NONE, false, SampleInputs.mask(r, 2, 3), data(r, new int[]{4}, -1, 1),
                                data(r, new int[]{3}, -1, 1)), DType.FLOAT32, IllegalArgumentException.class, "cannot be broadcast")))
                .build();
    }

    private static OpInfo maskedFill() {
        return OpInfo.builder("maskedFill", Family.BINARY).methods("maskedFill(Tensor,double)")
                .op((x, p) -> x[0].maskedFill(x[1], p.d("value"))).ref((x, p) -> RefOps.where(x[1], new Ref(new double[]{p.d("value")}), x[0]))
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    Params seven = Params.of("value", -7.0);
                    s.add(sample(seven, false, data(r, new int[]{3, 4}, Layout.EXPANDED, -1, 1), SampleInputs.mask(r, 3, 4)));
                    s.add(sample(seven, false, data(r, new int[]{3, 4}, Layout.TRANSPOSED, -3, 3), SampleInputs.mask(r, 4)));
                    s.add(sample(seven, false, data(r, new int[]{37, 129}, -3, 3), SampleInputs.mask(r, 37, 1)));
                    s.add(sample(seven, false, data(r, new int[]{}, -3, 3), SampleInputs.mask(r)));
                    s.add(sample(seven, false, data(r, new int[]{0, 2}, -3, 3), SampleInputs.mask(r, 2)));
                    s.add(sample(Params.of("value", Double.NaN), false, data(r, new int[]{2, 3}, -3, 3), SampleInputs.mask(r, 2, 3)).only(FLOATS));
                    s.add(sample(Params.of("value", 5.0), true, data(r, new int[]{2, 3}, -1, 1), SampleInputs.mask(r, 2, 3)));
                    return s;
                })
                .dtypes(ALL).differentiable().tol(0, 0).promotion(Promotion.SCALAR)
                .deviceMixAllowed("the mask moves to the tensor's device, as where's condition does (PyTorch refuses a mask on another "
                        + "device unless it is 0-d)")
                .errors(r -> List.of(
                        new ErrorInput("mask not BOOL", sample(Params.of("value", 1.0), false, data(r, new int[]{3}, -1, 1), data(r, new int[]{3}, -1, 1)),
                                DType.FLOAT32, IllegalArgumentException.class, "mask must be BOOL"),
                        new ErrorInput("mask larger than the tensor", sample(Params.of("value", 1.0), false, data(r, new int[]{3}, -1, 1),
                                SampleInputs.mask(r, 2, 3)), DType.FLOAT32, IllegalArgumentException.class, "does not broadcast"),
                        new ErrorInput("value too large for INT32", sample(Params.of("value", 1e10), false, data(r, new int[]{3}, -1, 1),
                                SampleInputs.mask(r, 3)), DType.INT32, IllegalArgumentException.class, "overflow")))
                .build();
    }
}
