package dev.ember.testing.ops;

import static dev.ember.testing.DTypes.NUMBERS;
import static dev.ember.testing.SampleInputs.data;
import static dev.ember.testing.SampleInputs.sample;

import dev.ember.DType;
import dev.ember.testing.Layout;
import dev.ember.testing.OpInfo;
import dev.ember.testing.OpInfo.ErrorInput;
import dev.ember.testing.OpInfo.Family;
import dev.ember.testing.OpInfo.Promotion;
import dev.ember.testing.Params;
import dev.ember.testing.Ref;
import dev.ember.testing.RefOps;
import dev.ember.testing.Sample;
import java.util.ArrayList;
import java.util.List;

/** Entries for matrix products: matmul (every rank PyTorch allows) and mm. */
final class LinalgOpInfos {
    private LinalgOpInfos() {}

    /** Operand shapes: vector-vector, matrix-vector, batched with broadcast batch dims, empty, 1x1, and sizes past the GEMM tiles. */
    static final int[][][] PAIRS = {{{5}, {5}}, {{3, 5}, {5}}, {{5}, {5, 4}}, {{3, 5}, {5, 4}}, {{2, 3, 5}, {5, 4}}, {{5}, {2, 5, 4}},
            {{2, 1, 3, 5}, {4, 5, 6}}, {{65, 130}, {130, 67}}, {{0, 3}, {3, 4}}, {{3, 0}, {0, 4}}, {{1, 1}, {1, 1}},
            {{3, 17, 9}, {3, 9, 33}}, {{300, 70}, {70, 90}}};

    static final int[][][] GRAD_PAIRS = {{{4}, {4}}, {{3, 4}, {4}}, {{4}, {4, 2}}, {{3, 4}, {4, 2}}, {{2, 3, 4}, {4, 2}}, {{2, 1, 3, 4}, {5, 4, 2}}};

    static List<OpInfo> all() {
        List<OpInfo> t = new ArrayList<>();
        String mixed = "Ember promotes mixed operand dtypes (as for elementwise ops); PyTorch 1.13's matmul requires equal dtypes";
        t.add(OpInfo.builder("matmul", Family.LINALG).methods("matmul(Tensor)")
                .op((x, p) -> x[0].matmul(x[1])).ref((x, p) -> RefOps.matmul(x[0], x[1]))
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    Layout[] cycle = {Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STRIDED};
                    for (int[][] p : PAIRS)
                        for (int lay = 0; lay < 3; lay++) {
                            boolean ok = Ref.numel(p[0]) > 0 && Ref.numel(p[1]) > 0;
                            Layout la = ok && p[0].length > 1 ? cycle[lay] : Layout.CONTIGUOUS, lb = ok && p[1].length > 1 ? cycle[(lay + 1) % 3] : Layout.CONTIGUOUS;
                            if (lay > 0 && la == Layout.CONTIGUOUS && lb == Layout.CONTIGUOUS) continue;
                            s.add(sample(Params.NONE, false, data(r, p[0], la, -1, 1), data(r, p[1], lb, -1, 1)));
                        }
                    s.add(sample(Params.NONE, false, data(r, new int[]{4, 3, 5}, Layout.EXPANDED, -1, 1), data(r, new int[]{5, 2}, Layout.OFFSET, -1, 1)));
                    for (int[][] p : GRAD_PAIRS) s.add(sample(Params.NONE, true, data(r, p[0], -1, 1), data(r, p[1], -1, 1)));
                    s.add(sample(Params.NONE, true, data(r, new int[]{4, 2, 3}, Layout.TRANSPOSED, -1, 1), data(r, new int[]{4, 3, 5}, Layout.TRANSPOSED, -1, 1)));
                    return s;
                })
                .dtypes(NUMBERS).differentiable().tol(1e-5, 1e-10).tolScale(LinalgOpInfos::scale)
                .promotion(Promotion.PAIR).diverges(k -> !k.split(" ")[0].equals(k.split(" ")[1]), "mixed dtypes", mixed)
                .diverges("BOOL BOOL", "Ember multiplies BOOL matrices in BOOL; PyTorch 1.13 has no BOOL matmul kernel")
                .errors(r -> List.of(
                        new ErrorInput("inner sizes differ", sample(Params.NONE, false, data(r, new int[]{2, 3}, -1, 1), data(r, new int[]{4, 5}, -1, 1)),
                                DType.FLOAT32, IllegalArgumentException.class, "inner dimensions 3 and 4 differ"),
                        new ErrorInput("a 0-d operand", sample(Params.NONE, false, data(r, new int[]{}, -1, 1), data(r, new int[]{3}, -1, 1)),
                                DType.FLOAT32, IllegalArgumentException.class, "at least 1 dimension"),
                        new ErrorInput("batch dims that do not broadcast", sample(Params.NONE, false, data(r, new int[]{2, 3, 4}, -1, 1),
                                data(r, new int[]{3, 4, 5}, -1, 1)), DType.FLOAT32, IllegalArgumentException.class, "cannot be broadcast")))
                .build());
        t.add(OpInfo.builder("mm", Family.LINALG).methods("mm(Tensor)")
                .op((x, p) -> x[0].mm(x[1])).ref((x, p) -> Ref.matmul(x[0], x[1]))
                .samples(r -> List.of(
                        sample(Params.NONE, false, data(r, new int[]{3, 5}, Layout.TRANSPOSED, -1, 1), data(r, new int[]{5, 4}, -1, 1)),
                        sample(Params.NONE, false, data(r, new int[]{65, 130}, -1, 1), data(r, new int[]{130, 67}, Layout.STRIDED, -1, 1)),
                        sample(Params.NONE, false, data(r, new int[]{0, 3}, -1, 1), data(r, new int[]{3, 4}, -1, 1)),
                        sample(Params.NONE, true, data(r, new int[]{3, 4}, -1, 1), data(r, new int[]{4, 2}, -1, 1))))
                .dtypes(NUMBERS).differentiable().tol(1e-5, 1e-10).tolScale(LinalgOpInfos::scale)
                .promotion(Promotion.PAIR).diverges(k -> !k.split(" ")[0].equals(k.split(" ")[1]), "mixed dtypes", mixed)
                .diverges("BOOL BOOL", "Ember multiplies BOOL matrices in BOOL; PyTorch 1.13 has no BOOL mm kernel")
                .errors(r -> List.of(new ErrorInput("a 3-D operand", sample(Params.NONE, false, data(r, new int[]{2, 3, 4}, -1, 1),
                        data(r, new int[]{4, 5}, -1, 1)), DType.FLOAT32, IllegalArgumentException.class, "2-D")))
                .build());
        return t;
    }

    /** Tolerance grows with the inner dimension (terms summed per element), as the hand-written suite allowed. */
    private static double scale(Sample s) {
        int[] a = s.inputs().get(0).shape();
        int k = a[a.length - 1];
        return 10 * Math.max(1, Math.sqrt(k) * 4);
    }
}
