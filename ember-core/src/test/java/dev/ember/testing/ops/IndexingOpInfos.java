package dev.ember.testing.ops;

import static dev.ember.testing.DTypes.ALL;
import static dev.ember.testing.DTypes.FLOATS;
import static dev.ember.testing.DTypes.INT64;
import static dev.ember.testing.SampleInputs.data;
import static dev.ember.testing.SampleInputs.indices;
import static dev.ember.testing.SampleInputs.sample;

import dev.ember.DType;
import dev.ember.testing.Input;
import dev.ember.testing.Layout;
import dev.ember.testing.OpInfo;
import dev.ember.testing.OpInfo.ErrorInput;
import dev.ember.testing.OpInfo.Family;
import dev.ember.testing.Params;
import dev.ember.testing.RefOps;
import dev.ember.testing.Sample;
import java.util.ArrayList;
import java.util.List;

/** Entries for indexing: indexSelect, gather, scatterAdd, triu/tril and oneHot. */
final class IndexingOpInfos {
    private IndexingOpInfos() {}

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<IndexOutOfBoundsException> IOOBE = IndexOutOfBoundsException.class;

    static List<OpInfo> all() {
        List<OpInfo> t = new ArrayList<>();
        t.add(OpInfo.builder("indexSelect", Family.INDEXING).methods("indexSelect(int,Tensor)")
                .op((x, p) -> x[0].indexSelect(p.i("dim"), x[1])).ref((x, p) -> RefOps.indexSelect(x[0], p.i("dim"), x[1]))
                .samples(r -> {
                    Input idx = Input.index(new long[]{4, 0, 0, 2}, 4);
                    List<Sample> s = new ArrayList<>();
                    s.add(sample(Params.of("dim", 0), false, data(r, new int[]{5, 6}, Layout.TRANSPOSED, -1, 1), idx));
                    s.add(sample(Params.of("dim", 0), false, data(r, new int[]{5, 6}, -1, 1), idx));
                    s.add(sample(Params.of("dim", 1), false, data(r, new int[]{6, 5}, Layout.TRANSPOSED, -1, 1), idx));
                    s.add(sample(Params.of("dim", -1), false, data(r, new int[]{2, 3, 7}, Layout.STRIDED, -1, 1), indices(r, 7, 9)));
                    s.add(sample(Params.of("dim", 0), false, data(r, new int[]{}, -1, 1), Input.index(new long[]{0}, 1)));
                    s.add(sample(Params.of("dim", 1), false, data(r, new int[]{3, 4}, -1, 1), Input.index(new long[0], 0)));
                    s.add(sample(Params.of("dim", 0), false, data(r, new int[]{1000, 3}, -1, 1), indices(r, 1000, 257)));
                    s.add(sample(Params.of("dim", 0), true, data(r, new int[]{3, 4}, -1, 1), Input.index(new long[]{2, 0, 2, 1}, 4)));
                    s.add(sample(Params.of("dim", 1), true, data(r, new int[]{3, 4}, -1, 1), Input.index(new long[]{2, 0, 2, 1}, 4)));
                    return s;
                })
                .dtypes(ALL).differentiable().tol(0, 0)
                .errors(r -> List.of(
                        new ErrorInput("a 2-D index", sample(Params.of("dim", 0), false, data(r, new int[]{3, 4}, -1, 1), indices(r, 3, 2, 2)),
                                DType.FLOAT32, IAE, "must be 1-D"),
                        new ErrorInput("a float index", sample(Params.of("dim", 0), false, data(r, new int[]{3, 4}, -1, 1), data(r, new int[]{2}, 0, 1)),
                                DType.FLOAT32, IAE, "INT64 or INT32"),
                        new ErrorInput("an index out of range", sample(Params.of("dim", 0), false, data(r, new int[]{3, 4}, -1, 1), Input.index(new long[]{0, 3}, 2)),
                                DType.FLOAT32, IOOBE, ""),
                        new ErrorInput("two indices into a 0-d tensor", sample(Params.of("dim", 0), false, data(r, new int[]{}, -1, 1),
                                Input.index(new long[]{0, 0}, 2)), DType.FLOAT32, IAE, "only 1 value")))
                .xfailError("an index out of range", "on a GPU the bounds check runs in the gather kernel that indexSelect launches, and its "
                        + "error, raised at the next host read, names gather", (d, dt) -> !d.isCpu())
                .build());
        t.add(OpInfo.builder("gather", Family.INDEXING).methods("gather(int,Tensor)")
                .op((x, p) -> x[0].gather(p.i("dim"), x[1])).ref((x, p) -> RefOps.gather(x[0], p.i("dim"), x[1]))
                .samples(r -> List.of(
                        sample(Params.of("dim", 1), false, data(r, new int[]{5, 6}, Layout.TRANSPOSED, -1, 1), indices(r, 6, 5, 3)),
                        sample(Params.of("dim", 0), false, data(r, new int[]{4, 3, 2}, Layout.STRIDED, -1, 1), indices(r, 4, 6, 2, 2)),
                        sample(Params.of("dim", -1), false, data(r, new int[]{33, 65}, -1, 1), indices(r, 65, 33, 70)),
                        sample(Params.of("dim", 0), false, data(r, new int[]{3}, -1, 1), indices(r, 3, 0)),
                        sample(Params.of("dim", 1), true, data(r, new int[]{3, 4}, -1, 1), Input.index(new long[]{0, 2, 1, 1, 0, 0}, 3, 2))))
                .dtypes(ALL).differentiable().tol(0, 0)
                .errors(r -> List.of(
                        new ErrorInput("ranks differ", sample(Params.of("dim", 0), false, data(r, new int[]{3, 4}, -1, 1), indices(r, 3, 2)),
                                DType.FLOAT32, IAE, "same rank"),
                        new ErrorInput("index larger off the dim", sample(Params.of("dim", 0), false, data(r, new int[]{3, 4}, -1, 1), indices(r, 3, 2, 5)),
                                DType.FLOAT32, IAE, "larger"),
                        new ErrorInput("an index out of range", sample(Params.of("dim", 1), false, data(r, new int[]{3, 4}, -1, 1),
                                Input.index(new long[]{0, 4, 1}, 3, 1)), DType.FLOAT32, IOOBE, "")))
                .build());
        t.add(OpInfo.builder("scatterAdd", Family.INDEXING).methods("scatterAdd(int,Tensor,Tensor)")
                .op((x, p) -> x[0].scatterAdd(p.i("dim"), x[1], x[2])).ref((x, p) -> RefOps.scatterAdd(x[0], p.i("dim"), x[1], x[2]))
                .samples(r -> List.of(
                        sample(Params.of("dim", 1), false, data(r, new int[]{5, 6}, Layout.TRANSPOSED, -1, 1), indices(r, 6, 5, 3), data(r, new int[]{5, 3}, -1, 1)),
                        sample(Params.of("dim", 0), false, data(r, new int[]{4, 3}, -1, 1), indices(r, 4, 9, 3), data(r, new int[]{9, 3}, Layout.STRIDED, -1, 1)),
                        sample(Params.of("dim", -1), false, data(r, new int[]{33, 65}, -1, 1), indices(r, 65, 33, 200), data(r, new int[]{33, 200}, -1, 1)),
                        sample(Params.of("dim", 0), false, data(r, new int[]{3}, -1, 1), indices(r, 3, 0), data(r, new int[]{0}, -1, 1)),
                        sample(Params.of("dim", 1), true, data(r, new int[]{3, 4}, -1, 1), Input.index(new long[]{0, 2, 1, 1, 0, 0}, 3, 2),
                                data(r, new int[]{3, 2}, -1, 1)),
                        // src larger than index: only index's region of src is read
                        sample(Params.of("dim", 1), true, data(r, new int[]{3, 4}, -1, 1), Input.index(new long[]{0, 2, 1, 1, 0, 0}, 3, 2),
                                data(r, new int[]{3, 3}, -1, 1))))
                .dtypes(ALL).differentiable().tol(1e-6, 1e-14).tolScale(s -> 4)
                .errors(r -> List.of(
                        new ErrorInput("ranks differ", sample(Params.of("dim", 0), false, data(r, new int[]{3, 4}, -1, 1), indices(r, 3, 2),
                                data(r, new int[]{2}, -1, 1)), DType.FLOAT32, IAE, "same rank"),
                        new ErrorInput("index larger than src", sample(Params.of("dim", 0), false, data(r, new int[]{3, 4}, -1, 1), indices(r, 3, 2, 4),
                                data(r, new int[]{1, 4}, -1, 1)), DType.FLOAT32, IAE, "larger")))
                .build());
        for (boolean upper : new boolean[]{true, false}) {
            String name = upper ? "triu" : "tril";
            t.add(OpInfo.builder(name, Family.INDEXING).methods(name + "(int)")
                    .op((x, p) -> upper ? x[0].triu(p.i("diagonal")) : x[0].tril(p.i("diagonal")))
                    .ref((x, p) -> RefOps.triangle(x[0], p.i("diagonal"), upper))
                    .samples(r -> List.of(
                            sample(Params.of("diagonal", 0), true, data(r, new int[]{4, 4}, -1, 1)),
                            sample(Params.of("diagonal", 1), false, data(r, new int[]{3, 5}, Layout.TRANSPOSED, -1, 1)),
                            sample(Params.of("diagonal", -2), true, data(r, new int[]{2, 3, 4}, Layout.STRIDED, -1, 1)),
                            sample(Params.of("diagonal", 7), false, data(r, new int[]{3, 4}, -1, 1)),
                            sample(Params.of("diagonal", 0), false, data(r, new int[]{0, 3}, -1, 1))))
                    .dtypes(ALL).differentiable().tol(0, 0)
                    .errors(r -> List.of(new ErrorInput("1-D", sample(Params.of("diagonal", 0), false, data(r, new int[]{3}, -1, 1)),
                            DType.FLOAT32, IAE, "at least 2 dims")))
                    .build());
        }
        t.add(OpInfo.builder("oneHot", Family.INDEXING).methods("oneHot(int)")
                .op((x, p) -> x[0].oneHot(p.i("classes"))).ref((x, p) -> RefOps.oneHot(x[0], p.i("classes")))
                .samples(r -> List.of(
                        sample(Params.of("classes", 3), false, Input.data(new double[]{2, 0, 1}, new int[]{3}, Layout.CONTIGUOUS)),
                        sample(Params.of("classes", 5), false, Input.data(new double[]{4, 0, 1, 3, 3, 2}, new int[]{2, 3}, Layout.TRANSPOSED)),
                        sample(Params.of("classes", 2), false, Input.data(new double[]{1}, new int[]{}, Layout.CONTIGUOUS)),
                        sample(Params.of("classes", 4), false, Input.data(new double[0], new int[]{0}, Layout.CONTIGUOUS))))
                .dtypes(DType.INT32, DType.INT64).refuses(FLOATS).result(INT64).tol(0, 0)
                .errors(r -> List.of(new ErrorInput("a class out of range", sample(Params.of("classes", 3), false,
                                Input.data(new double[]{0, 3}, new int[]{2}, Layout.CONTIGUOUS)), DType.INT64, IOOBE, "out of range"),
                        new ErrorInput("no classes", sample(Params.of("classes", 0), false, Input.data(new double[]{0}, new int[]{1}, Layout.CONTIGUOUS)),
                                DType.INT64, IAE, "must be positive")))
                .build());
        return t;
    }
}
