package dev.ember.testing.ops;

import static dev.ember.testing.DTypes.ALL;
import static dev.ember.testing.DTypes.FLOATS;
import static dev.ember.testing.DTypes.NOT_FLOAT;
import static dev.ember.testing.DTypes.NUMBERS;
import static dev.ember.testing.SampleInputs.data;
import static dev.ember.testing.SampleInputs.sample;

import dev.ember.DType;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.UnaryOp;
import dev.ember.testing.Layout;
import dev.ember.testing.OpInfo;
import dev.ember.testing.OpInfo.ErrorInput;
import dev.ember.testing.OpInfo.Family;
import dev.ember.testing.Params;
import dev.ember.testing.Ref;
import dev.ember.testing.RefOps;
import dev.ember.testing.Sample;
import dev.ember.testing.SampleInputs;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;

/**
 * Entries for the in-place ops (optimizers and initialisation): they write their first input, in whatever
 * layout it has (transposed, strided, offset views write through to their base), and return it. Their type
 * rules against PyTorch are {@code InPlaceTypeRulesTest}'s; here every supported dtype writes the right values
 * and the error suite checks the refusals (expanded destinations, leaves that require grad, casts PyTorch refuses).
 */
final class InPlaceOpInfos {
    private InPlaceOpInfos() {}

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;

    /** The result is the destination itself. */
    private static final OpInfo.Property RETURNS_SELF = (out, in, s, dt, dev) -> {
        if (out != in[0]) throw new AssertionError("an in-place op must return the tensor it wrote");
    };

    static List<OpInfo> all() {
        List<OpInfo> t = new ArrayList<>();
        t.add(binary("addInPlace", "addInPlace(Tensor)", BinaryOp.ADD, (x, p) -> x[0].addInPlace(x[1]), Double::sum).dtypes(ALL).build());
        t.add(binary("addInPlace.alpha", "addInPlace(Tensor,double)", BinaryOp.ADD, (x, p) -> x[0].addInPlace(x[1], -0.3), (a, b) -> a - 0.3 * b)
                .dtypes(FLOATS).refuses(NOT_FLOAT).errorName("addInPlace").build());
        t.add(binary("subInPlace", "subInPlace(Tensor)", BinaryOp.SUB, (x, p) -> x[0].subInPlace(x[1]), (a, b) -> a - b).dtypes(NUMBERS).refuses(DType.BOOL).build());
        t.add(binary("mulInPlace", "mulInPlace(Tensor)", BinaryOp.MUL, (x, p) -> x[0].mulInPlace(x[1]), (a, b) -> a * b).dtypes(ALL).build());
        t.add(binary("divInPlace", "divInPlace(Tensor)", BinaryOp.DIV, (x, p) -> x[0].divInPlace(x[1]), (a, b) -> a / b).dtypes(FLOATS).refuses(NOT_FLOAT).build());
        t.add(unary("mulInPlace.scalar", "mulInPlace(double)", (x, p) -> x[0].mulInPlace(2.5), v -> v * 2.5).enums(BinaryOp.MUL)
                .dtypes(FLOATS).refuses(NOT_FLOAT).errorName("mulInPlace").build());
        t.add(unary("clampInPlace", "clampInPlace(double,double)", (x, p) -> x[0].clampInPlace(-0.5, 0.7), v -> Math.min(Math.max(v, -0.5), 0.7))
                .enums(UnaryOp.CLAMP).dtypes(FLOATS).refuses(NOT_FLOAT).build());
        t.add(unary("clampInPlace.long", "clampInPlace(long,long)", (x, p) -> x[0].clampInPlace(-1L, 2L), v -> Math.min(Math.max(v, -1), 2))
                .enums(UnaryOp.CLAMP).dtypes(NUMBERS).errorName("clampInPlace").build());
        t.add(unary("fillInPlace", "fillInPlace(double)", (x, p) -> x[0].fillInPlace(p.has("value") ? p.d("value") : -3), v -> -3).dtypes(NUMBERS)
                .errors(r -> List.of(new ErrorInput("NaN into INT64", sample(Params.of("value", Double.NaN), false, data(r, new int[]{3}, -1, 1)),
                        DType.INT64, IAE, "overflow")))
                .build());
        t.add(unary("zeroInPlace", "zeroInPlace()", (x, p) -> x[0].zeroInPlace(), v -> 0).dtypes(ALL).build());
        t.add(OpInfo.builder("copyFrom", Family.IN_PLACE).methods("copyFrom(Tensor)")
                .op((x, p) -> x[0].copyFrom(x[1])).ref((x, p) -> RefOps.expand(x[1], x[0].shape)).property(RETURNS_SELF)
                .samples(r -> {
                    List<Sample> s = new ArrayList<>(pairs(r));
                    s.add(sample(Params.NONE, false, data(r, new int[]{2, 3}, Layout.STRIDED, -3, 3), data(r, new int[]{}, -3, 3)));
                    return s;
                })
                .dtypes(ALL).tol(0, 0).deviceMixAllowed("copyFrom copies from any device, as PyTorch's copy_")
                .errors(r -> List.of(new ErrorInput("a source that does not broadcast", sample(Params.NONE, false, data(r, new int[]{2, 3}, -1, 1),
                        data(r, new int[]{2, 2}, -1, 1)), DType.FLOAT32, IAE, "cannot be broadcast"))).build());
        return t;
    }

    /** Destinations in every writable layout with operands broadcast to them. */
    private static List<Sample> pairs(Random r) {
        List<Sample> s = new ArrayList<>();
        int[][][] shapes = {{{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{2, 3, 4}, {3, 1}}, {{}, {}}, {{5}, {}}, {{0, 3}, {3}}, {{37, 129}, {37, 129}}, {{70001}, {1}}};
        for (int[][] p : shapes)
            for (Layout l : new Layout[]{Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STRIDED, Layout.OFFSET})
                if (l.fits(p[0])) s.add(sample(Params.NONE, false, data(r, p[0], l, -3, 3), data(r, p[1], l == Layout.STRIDED && l.fits(p[1]) ? l : Layout.CONTIGUOUS, 0.5, 3)));
        return s;
    }

    private static OpInfo.Builder binary(String name, String method, BinaryOp op, OpInfo.Call call, DoubleBinaryOperator ref) {
        return OpInfo.builder(name, Family.IN_PLACE).methods(method).enums(op)
                .op(call).ref((x, p) -> Ref.zip(x[0], x[1], ref)).property(RETURNS_SELF)
                .samples(InPlaceOpInfos::pairs).tol(4e-6, 1e-12)
                .errors(r -> List.of(new ErrorInput("an operand that does not broadcast to the destination", sample(Params.NONE, false,
                        data(r, new int[]{3}, -1, 1), data(r, new int[]{2, 3}, 1, 2)), DType.FLOAT32, IAE, "does not broadcast")));
    }

    private static OpInfo.Builder unary(String name, String method, OpInfo.Call call, java.util.function.DoubleUnaryOperator ref) {
        return OpInfo.builder(name, Family.IN_PLACE).methods(method)
                .op(call).ref((x, p) -> x[0].map(ref)).property(RETURNS_SELF)
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    for (int[] shape : SampleInputs.ELEMENTWISE_SHAPES)
                        for (Layout l : new Layout[]{Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STRIDED, Layout.OFFSET})
                            if (l.fits(shape)) s.add(sample(Params.NONE, false, data(r, shape, l, -3, 3)));
                    return s;
                }).tol(4e-6, 1e-12);
    }

}
