package dev.ember.testing.ops;

import static dev.ember.testing.DTypes.ALL;
import static dev.ember.testing.SampleInputs.data;
import static dev.ember.testing.SampleInputs.sample;

import dev.ember.DType;
import dev.ember.Tensor;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Entries for views and shape ops: view, reshape, flatten, transpose, permute, (un)squeeze, expand,
 * narrow, select, split, chunk, cat, stack, contiguous, clone, detach. Values move exactly, so the
 * tolerance is zero; inputs come contiguous and as transposed, strided, expanded and offset views.
 */
final class ShapeOpInfos {
    private ShapeOpInfos() {}

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<IndexOutOfBoundsException> IOOBE = IndexOutOfBoundsException.class;

    static List<OpInfo> all() {
        List<OpInfo> t = new ArrayList<>();
        t.add(view("view", "view(long[])", (x, p) -> x[0].view(p.longs("shape"))).errors(r -> List.of(
                err("strides that cannot express the shape", Params.of("shape", new long[]{-1}), data(r, new int[]{3, 4}, Layout.TRANSPOSED, -1, 1), IAE, "not compatible"),
                err("a size that does not fit", Params.of("shape", new long[]{5, -1}), data(r, new int[]{3, 4}, -1, 1), IAE, "invalid for input"),
                err("two -1", Params.of("shape", new long[]{-1, -1}), data(r, new int[]{3, 4}, -1, 1), IAE, "only one dimension can be -1"))).build());
        t.add(view("reshape", "reshape(long[])", (x, p) -> x[0].reshape(p.longs("shape"))).errors(r -> List.of(
                err("a size that does not fit", Params.of("shape", new long[]{5, -1}), data(r, new int[]{3, 4}, -1, 1), IAE, "invalid for input"),
                err("a negative size", Params.of("shape", new long[]{-2, 6}), data(r, new int[]{3, 4}, -1, 1), IAE, "invalid size"))).build());
        t.add(flatten());
        t.add(transpose());
        t.add(shape("t", "t()", (x, p) -> x[0].t(), (x, p) -> x[0].shape.length < 2 ? x[0] : RefOps.transpose(x[0], 0, 1), r -> {
            List<Sample> s = new ArrayList<>();
            for (int[] shape : new int[][]{{}, {4}, {3, 5}, {0, 2}})
                for (Layout l : layoutsOf(shape)) s.add(sample(Params.NONE, shape.length == 2 && l == Layout.CONTIGUOUS, data(r, shape, l, -1, 1)));
            return s;
        }).errors(r -> List.of(err("3 dims", Params.NONE, data(r, new int[]{2, 3, 4}, -1, 1), IAE, "<= 2 dimensions"))).build());
        t.add(permute());
        t.add(shape("unsqueeze", "unsqueeze(int)", (x, p) -> x[0].unsqueeze(p.i("dim")),
                (x, p) -> new Ref(x[0].v, RefOps.insert(x[0].shape, RefOps.normDim(p.i("dim"), x[0].shape.length + 1), 1)), r -> {
                    List<Sample> s = new ArrayList<>();
                    s.add(sample(Params.of("dim", 0), false, data(r, new int[]{}, -1, 1)));
                    s.add(sample(Params.of("dim", -1), false, data(r, new int[]{}, -1, 1)));
                    for (int d = -4; d <= 3; d++) s.add(sample(Params.of("dim", d), d == 1, data(r, new int[]{2, 3, 4}, d % 2 == 0 ? Layout.TRANSPOSED : Layout.STRIDED, -1, 1)));
                    s.add(sample(Params.of("dim", 1), false, data(r, new int[]{0, 3}, -1, 1)));
                    return s;
                }).build());
        t.add(squeeze());
        t.add(expand());
        t.add(shape("expandAs", "expandAs(Tensor)", (x, p) -> x[0].expandAs(x[1]), (x, p) -> RefOps.expand(x[0], x[1].shape), r -> List.of(
                sample(Params.NONE, true, data(r, new int[]{3, 1}, -1, 1), data(r, new int[]{2, 3, 4}, -1, 1)),
                sample(Params.NONE, false, data(r, new int[]{}, -1, 1), data(r, new int[]{0, 2}, -1, 1)))).deviceMixAllowed(
                "expandAs reads only the other tensor's shape").build());
        t.add(narrow());
        t.add(select());
        t.add(splitChunk(false));
        t.add(splitChunk(true));
        t.add(catStack(false, false));
        t.add(catStack(false, true));
        t.add(catStack(true, false));
        t.add(catStack(true, true));
        t.add(copyLike("contiguous", "contiguous()", (x, p) -> x[0].contiguous(), true));
        t.add(copyLike("clone", "clone()", (x, p) -> x[0].clone(), true));
        t.add(copyLike("detach", "detach()", (x, p) -> x[0].detach(), false));
        return t;
    }

    static ErrorInput err(String label, Params p, Input in, Class<? extends Throwable> type, String fragment) {
        return new ErrorInput(label, sample(p, false, in), DType.FLOAT32, type, fragment);
    }

    private static List<Layout> layoutsOf(int[] shape) {
        List<Layout> out = new ArrayList<>();
        for (Layout l : Layout.values()) if (l.fits(shape) && l != Layout.CHANNELS_LAST) out.add(l);
        return out;
    }

    private static OpInfo.Builder shape(String name, String method, OpInfo.Call call, OpInfo.Reference ref, OpInfo.Samples samples) {
        return OpInfo.builder(name, Family.SHAPE).methods(method).op(call).ref(ref).samples(samples)
                .dtypes(ALL).differentiable().tol(0, 0);
    }

    /** The requested shape with its -1 resolved against {@code numel}. */
    static int[] infer(long[] requested, int numel) {
        int[] s = new int[requested.length];
        int known = 1, free = -1;
        for (int i = 0; i < s.length; i++) {
            if (requested[i] == -1) free = i;
            else { s[i] = (int) requested[i]; known *= s[i]; }
        }
        if (free >= 0) s[free] = numel / known;
        return s;
    }

    private static OpInfo.Builder view(String name, String method, OpInfo.Call call) {
        return shape(name, method, call, (x, p) -> RefOps.reshape(x[0], infer(p.longs("shape"), x[0].v.length)), r -> {
            List<Sample> s = new ArrayList<>();
            s.add(sample(Params.of("shape", new long[]{6, 4}), true, data(r, new int[]{2, 3, 4}, -1, 1)));
            s.add(sample(Params.of("shape", new long[]{-1}), false, data(r, new int[]{2, 3, 4}, -1, 1)));
            s.add(sample(Params.of("shape", new long[]{4, -1, 3}), false, data(r, new int[]{2, 3, 4}, Layout.OFFSET, -1, 1)));
            s.add(sample(Params.of("shape", new long[]{1}), false, data(r, new int[]{}, -1, 1)));
            s.add(sample(Params.of("shape", new long[]{}), false, data(r, new int[]{1, 1}, -1, 1)));
            s.add(sample(Params.of("shape", new long[]{3, 0}), false, data(r, new int[]{0, 3}, -1, 1)));
            // splitting a dim of a strided view needs no copy
            s.add(sample(Params.of("shape", new long[]{4, 2, 3}), true, data(r, new int[]{4, 6}, Layout.STRIDED, -1, 1)));
            s.add(sample(Params.of("shape", new long[]{2, 2, 6}), false, data(r, new int[]{4, 6}, Layout.EXPANDED, -1, 1)));
            if (name.equals("reshape")) {
                // reshape copies where a view cannot express the shape
                s.add(sample(Params.of("shape", new long[]{4, 6}), true, data(r, new int[]{2, 3, 4}, Layout.TRANSPOSED, -1, 1)));
                s.add(sample(Params.of("shape", new long[]{-1}), false, data(r, new int[]{37, 129}, Layout.TRANSPOSED, -1, 1)));
            }
            return s;
        });
    }

    private static OpInfo flatten() {
        return shape("flatten", "flatten()", (x, p) -> p.has("start") ? x[0].flatten(p.i("start"), p.i("end")) : x[0].flatten(),
                (x, p) -> {
                    int[] sh = x[0].shape;
                    if (!p.has("start") || sh.length == 0) return RefOps.reshape(x[0], sh.length == 0 ? new int[]{1} : new int[]{x[0].v.length});
                    int s0 = RefOps.normDim(p.i("start"), sh.length), e = RefOps.normDim(p.i("end"), sh.length);
                    int[] out = new int[sh.length - (e - s0)];
                    int k = 0, m = 1;
                    for (int i = 0; i < s0; i++) out[k++] = sh[i];
                    for (int i = s0; i <= e; i++) m *= sh[i];
                    out[k++] = m;
                    for (int i = e + 1; i < sh.length; i++) out[k++] = sh[i];
                    return RefOps.reshape(x[0], out);
                }, r -> List.of(
                        sample(Params.NONE, false, data(r, new int[]{2, 3, 4}, Layout.TRANSPOSED, -1, 1)),
                        sample(Params.NONE, false, data(r, new int[]{}, -1, 1)),
                        sample(Params.of("start", 1, "end", 2), true, data(r, new int[]{2, 3, 4}, -1, 1)),
                        sample(Params.of("start", 0, "end", -2), false, data(r, new int[]{2, 3, 4}, Layout.STRIDED, -1, 1)),
                        sample(Params.of("start", 0, "end", 0), false, data(r, new int[]{}, -1, 1)),
                        sample(Params.of("start", 1, "end", 1), false, data(r, new int[]{0, 3}, -1, 1))))
                .methods("flatten(int,int)")
                .errors(r -> List.of(err("start after end", Params.of("start", 2, "end", 1), data(r, new int[]{2, 3, 4}, -1, 1), IAE, "comes after"),
                        err("end out of range", Params.of("start", 0, "end", 3), data(r, new int[]{2, 3, 4}, -1, 1), IOOBE, "out of range")))
                .build();
    }

    private static OpInfo transpose() {
        return shape("transpose", "transpose(int,int)", (x, p) -> x[0].transpose(p.i("dim"), p.i("dim1")),
                (x, p) -> RefOps.transpose(x[0], p.i("dim"), p.i("dim1")), r -> {
                    List<Sample> s = new ArrayList<>();
                    s.add(sample(Params.of("dim", 0, "dim1", 2), true, data(r, new int[]{2, 3, 4}, -1, 1)));
                    s.add(sample(Params.of("dim", -1, "dim1", 1), false, data(r, new int[]{2, 3, 4}, Layout.STRIDED, -1, 1)));
                    s.add(sample(Params.of("dim", 1, "dim1", 1), false, data(r, new int[]{2, 3}, -1, 1)));
                    s.add(sample(Params.of("dim", 0, "dim1", -1), false, data(r, new int[]{}, -1, 1)));
                    s.add(sample(Params.of("dim", 0, "dim1", 1), false, data(r, new int[]{0, 3}, -1, 1)));
                    s.add(sample(Params.of("dim", 0, "dim1", 1), false, data(r, new int[]{37, 129}, Layout.EXPANDED, -1, 1)));
                    return s;
                }).build();
    }

    private static OpInfo permute() {
        return shape("permute", "permute(int[])", (x, p) -> x[0].permute(p.ints("dims")), (x, p) -> RefOps.permute(x[0], p.ints("dims")), r -> List.of(
                        sample(Params.of("dims", new int[]{2, 0, 1}), true, data(r, new int[]{2, 3, 4}, -1, 1)),
                        sample(Params.of("dims", new int[]{1, -1, 0}), false, data(r, new int[]{2, 3, 4}, Layout.TRANSPOSED, -1, 1)),
                        sample(Params.of("dims", new int[]{0, 1}), false, data(r, new int[]{3, 5}, Layout.STRIDED, -1, 1)),
                        sample(Params.of("dims", new int[]{}), false, data(r, new int[]{}, -1, 1)),
                        sample(Params.of("dims", new int[]{1, 0}), false, data(r, new int[]{0, 4}, -1, 1)),
                        sample(Params.of("dims", new int[]{0, 3, 1, 2}), false, data(r, new int[]{2, 3, 4, 5}, Layout.CHANNELS_LAST, -1, 1))))
                .errors(r -> List.of(err("a dim repeated", Params.of("dims", new int[]{0, 0, 1}), data(r, new int[]{2, 3, 4}, -1, 1), IAE, "repeats"),
                        err("too few dims", Params.of("dims", new int[]{1, 0}), data(r, new int[]{2, 3, 4}, -1, 1), IAE, "dims"),
                        err("a dim out of range", Params.of("dims", new int[]{0, 1, 3}), data(r, new int[]{2, 3, 4}, -1, 1), IOOBE, "out of range")))
                .build();
    }

    private static OpInfo squeeze() {
        return shape("squeeze", "squeeze()", (x, p) -> p.has("dim") ? x[0].squeeze(p.i("dim")) : x[0].squeeze(), (x, p) -> {
                    int[] sh = x[0].shape;
                    List<Integer> keep = new ArrayList<>();
                    int only = p.has("dim") ? RefOps.normDim(p.i("dim"), sh.length) : -1;
                    for (int i = 0; i < sh.length; i++) if (!(sh[i] == 1 && (only < 0 || i == only))) keep.add(i);
                    return RefOps.reshape(x[0], keep.stream().mapToInt(i -> sh[i]).toArray());
                }, r -> List.of(
                        sample(Params.NONE, true, data(r, new int[]{1, 3, 1, 4}, -1, 1)),
                        sample(Params.NONE, false, data(r, new int[]{1, 1}, -1, 1)),
                        sample(Params.NONE, false, data(r, new int[]{}, -1, 1)),
                        sample(Params.of("dim", 2), true, data(r, new int[]{2, 3, 1}, Layout.TRANSPOSED, -1, 1)),
                        sample(Params.of("dim", 0), false, data(r, new int[]{2, 3, 1}, -1, 1)),
                        sample(Params.of("dim", -1), false, data(r, new int[]{0, 1}, -1, 1)),
                        sample(Params.of("dim", 0), false, data(r, new int[]{}, -1, 1))))
                .methods("squeeze(int)").build();
    }

    private static OpInfo expand() {
        return shape("expand", "expand(long[])", (x, p) -> x[0].expand(p.longs("shape")), (x, p) -> {
                    long[] req = p.longs("shape");
                    int[] s = new int[req.length];
                    for (int i = 0; i < s.length; i++) s[i] = (int) req[i];
                    return RefOps.expand(x[0], s);
                }, r -> List.of(
                        sample(Params.of("shape", new long[]{5, 2, 3, 4}), false, data(r, new int[]{2, 3, 4}, -1, 1)),
                        sample(Params.of("shape", new long[]{5, -1, -1, -1}), false, data(r, new int[]{2, 3, 4}, Layout.TRANSPOSED, -1, 1)),
                        sample(Params.of("shape", new long[]{3, 4}), true, data(r, new int[]{3, 1}, -1, 1)),
                        sample(Params.of("shape", new long[]{2, 3}), false, data(r, new int[]{}, -1, 1)),
                        sample(Params.of("shape", new long[]{0, 3}), false, data(r, new int[]{1, 3}, Layout.STRIDED, -1, 1)),
                        sample(Params.of("shape", new long[]{4, 3}), false, data(r, new int[]{4, 3}, Layout.EXPANDED, -1, 1)),
                        sample(Params.of("shape", new long[]{5, 2, 3, 4}), true, data(r, new int[]{2, 1, 4}, -1, 1))))
                .errors(r -> List.of(err("a size that is not 1", Params.of("shape", new long[]{4, 4}), data(r, new int[]{3, 4}, -1, 1), IAE, "must match"),
                        err("fewer sizes than dims", Params.of("shape", new long[]{4}), data(r, new int[]{3, 4}, -1, 1), IAE, "at least the tensor's rank"),
                        err("-1 for a new dim", Params.of("shape", new long[]{-1, 3, 4}), data(r, new int[]{3, 4}, -1, 1), IAE, "not allowed")))
                .build();
    }

    private static OpInfo narrow() {
        return shape("narrow", "narrow(int,long,long)", (x, p) -> x[0].narrow(p.i("dim"), p.l("start"), p.l("length")),
                (x, p) -> RefOps.narrow(x[0], p.i("dim"), p.i("start"), p.i("length")), r -> List.of(
                        sample(Params.of("dim", 1, "start", 1L, "length", 2L), true, data(r, new int[]{2, 3, 4}, -1, 1)),
                        sample(Params.of("dim", 1, "start", -2L, "length", 2L), false, data(r, new int[]{2, 3, 4}, Layout.TRANSPOSED, -1, 1)),
                        sample(Params.of("dim", 0, "start", 3L, "length", 0L), false, data(r, new int[]{3, 4}, Layout.STRIDED, -1, 1)),
                        sample(Params.of("dim", -1, "start", 0L, "length", 129L), false, data(r, new int[]{37, 129}, Layout.OFFSET, -1, 1)),
                        sample(Params.of("dim", 0, "start", 2L, "length", 1L), false, data(r, new int[]{4, 3}, Layout.EXPANDED, -1, 1))))
                .errors(r -> List.of(err("a 0-d tensor", Params.of("dim", 0, "start", 0L, "length", 1L), data(r, new int[]{}, -1, 1), IAE, "0-d"),
                        err("past the end", Params.of("dim", 1, "start", 2L, "length", 3L), data(r, new int[]{3, 4}, -1, 1), IOOBE, "out of range"),
                        err("a negative length", Params.of("dim", 1, "start", 0L, "length", -1L), data(r, new int[]{3, 4}, -1, 1), IOOBE, "out of range")))
                .build();
    }

    private static OpInfo select() {
        return shape("select", "select(int,long)", (x, p) -> x[0].select(p.i("dim"), p.l("index")),
                (x, p) -> RefOps.select(x[0], p.i("dim"), p.i("index")), r -> List.of(
                        sample(Params.of("dim", 2, "index", 3L), true, data(r, new int[]{2, 3, 4}, -1, 1)),
                        sample(Params.of("dim", 1, "index", -1L), false, data(r, new int[]{2, 3, 4}, Layout.TRANSPOSED, -1, 1)),
                        sample(Params.of("dim", 0, "index", 0L), false, data(r, new int[]{5}, Layout.STRIDED, -1, 1)),
                        sample(Params.of("dim", 1, "index", 2L), false, data(r, new int[]{0, 3}, -1, 1))))
                .errors(r -> List.of(err("an index past the end", Params.of("dim", 0, "index", 3L), data(r, new int[]{3, 4}, -1, 1), IOOBE, "out of bounds"),
                        err("an index before the start", Params.of("dim", 1, "index", -5L), data(r, new int[]{3, 4}, -1, 1), IOOBE, "out of bounds")))
                .build();
    }

    private static OpInfo splitChunk(boolean chunk) {
        String name = chunk ? "chunk" : "split";
        return shape(name, chunk ? "chunk(int,int)" : "split(long,int)",
                (x, p) -> chunk ? x[0].chunk(p.i("chunks"), p.i("dim")) : x[0].split(p.l("size"), p.i("dim")),
                (x, p) -> {
                    int size = p.has("size") ? (int) p.l("size") : 0;
                    int d = RefOps.normDim(p.i("dim"), x[0].shape.length);
                    if (chunk) size = Math.max(1, (x[0].shape[d] + p.i("chunks") - 1) / p.i("chunks"));
                    return RefOps.split(x[0], size, d);
                }, r -> chunk ? List.of(
                        sample(Params.of("chunks", 3, "dim", 0), true, data(r, new int[]{7, 2}, -1, 1)),
                        sample(Params.of("chunks", 3, "dim", 1), false, data(r, new int[]{2, 3, 4}, Layout.TRANSPOSED, -1, 1)),
                        sample(Params.of("chunks", 4, "dim", -1), false, data(r, new int[]{3, 6}, Layout.STRIDED, -1, 1)),
                        sample(Params.of("chunks", 2, "dim", 0), false, data(r, new int[]{1, 3}, -1, 1)),
                        sample(Params.of("chunks", 2, "dim", 0), false, data(r, new int[]{0, 3}, -1, 1)))
                        : List.of(
                        sample(Params.of("size", 3L, "dim", 2), false, data(r, new int[]{2, 3, 4}, -1, 1)),
                        sample(Params.of("size", 2L, "dim", 1), true, data(r, new int[]{2, 5}, -1, 1)),
                        sample(Params.of("size", 10L, "dim", 0), false, data(r, new int[]{4, 3}, Layout.STRIDED, -1, 1)),
                        sample(Params.of("size", 1L, "dim", -1), false, data(r, new int[]{3, 4}, Layout.TRANSPOSED, -1, 1)),
                        sample(Params.of("size", 2L, "dim", 0), false, data(r, new int[]{0, 3}, -1, 1))))
                .errors(r -> List.of(chunk ? err("no chunks", Params.of("chunks", 0, "dim", 0), data(r, new int[]{3}, -1, 1), IAE, "must be positive")
                        : err("size 0", Params.of("size", 0L, "dim", 0), data(r, new int[]{3}, -1, 1), IAE, "must be positive")))
                .build();
    }

    /** cat or stack, through the varargs or the List overload. */
    private static OpInfo catStack(boolean stack, boolean list) {
        String base = stack ? "stack" : "cat";
        String name = base + (list ? ".list" : "");
        String method = list ? base + "(List,int)" : base + "(int,Tensor[])";
        OpInfo.Call call = (x, p) -> stack ? (list ? Tensor.stack(List.of(x), p.i("dim")) : Tensor.stack(p.i("dim"), x))
                : (list ? Tensor.cat(List.of(x), p.i("dim")) : Tensor.cat(p.i("dim"), x));
        OpInfo.Reference ref = (x, p) -> stack ? RefOps.stack(Arrays.asList(x), p.i("dim")) : RefOps.cat(Arrays.asList(x), p.i("dim"));
        return shape(name, method, call, ref, r -> stack ? List.of(
                        sample(Params.of("dim", 0), true, data(r, new int[]{2, 3}, -1, 1), data(r, new int[]{2, 3}, Layout.TRANSPOSED, -1, 1)),
                        sample(Params.of("dim", 3), false, data(r, new int[]{2, 3, 4}, -1, 1), data(r, new int[]{2, 3, 4}, Layout.STRIDED, -1, 1),
                                data(r, new int[]{2, 3, 4}, Layout.EXPANDED, -1, 1)),
                        sample(Params.of("dim", -2), false, data(r, new int[]{3, 4}, -1, 1), data(r, new int[]{3, 4}, -1, 1)),
                        sample(Params.of("dim", 0), false, data(r, new int[]{}, -1, 1), data(r, new int[]{}, -1, 1)),
                        sample(Params.of("dim", 1), false, data(r, new int[]{0, 2}, -1, 1)))
                        : List.of(
                        sample(Params.of("dim", 1), true, data(r, new int[]{2, 3}, -1, 1), data(r, new int[]{2, 4}, -1, 1)),
                        sample(Params.of("dim", 1), false, data(r, new int[]{2, 3, 4}, -1, 1), data(r, new int[]{2, 1, 4}, Layout.TRANSPOSED, -1, 1)),
                        sample(Params.of("dim", -1), false, data(r, new int[]{5}, Layout.STRIDED, -1, 1), data(r, new int[]{0}, -1, 1),
                                data(r, new int[]{70001}, -1, 1)),
                        sample(Params.of("dim", 0), false, data(r, new int[]{0, 3}, -1, 1), data(r, new int[]{2, 3}, Layout.EXPANDED, -1, 1)),
                        sample(Params.of("dim", 0), false, data(r, new int[]{3}, Layout.OFFSET, -1, 1))))
                .promotion(list ? Promotion.NONE : Promotion.PAIR, Params.of("dim", 0)).errorName(base)
                .errors(r -> stack ? List.of(
                        new ErrorInput("shapes differ", sample(Params.of("dim", 0), false, data(r, new int[]{2, 3}, -1, 1), data(r, new int[]{3, 2}, -1, 1)),
                                DType.FLOAT32, IAE, "equal size"),
                        new ErrorInput("no tensors", sample(Params.of("dim", 0), false), DType.FLOAT32, IAE, "non-empty"))
                        : List.of(
                        new ErrorInput("sizes differ off the dim", sample(Params.of("dim", 0), false, data(r, new int[]{2, 3}, -1, 1), data(r, new int[]{2, 4}, -1, 1)),
                                DType.FLOAT32, IAE, "must match"),
                        new ErrorInput("ranks differ", sample(Params.of("dim", 0), false, data(r, new int[]{2, 3}, -1, 1), data(r, new int[]{3}, -1, 1)),
                                DType.FLOAT32, IAE, "must match"),
                        new ErrorInput("0-d tensors", sample(Params.of("dim", 0), false, data(r, new int[]{}, -1, 1), data(r, new int[]{}, -1, 1)),
                                DType.FLOAT32, IAE, "zero-dimensional"),
                        new ErrorInput("no tensors", sample(Params.of("dim", 0), false), DType.FLOAT32, IAE, "non-empty")))
                .build();
    }

    private static OpInfo copyLike(String name, String method, OpInfo.Call call, boolean differentiable) {
        OpInfo.Builder b = shape(name, method, call, (x, p) -> x[0], r -> {
            List<Sample> s = new ArrayList<>();
            for (int[] shape : new int[][]{{}, {7}, {0, 3}, {3, 5}, {2, 3, 4}, {37, 129}})
                for (Layout l : layoutsOf(shape)) s.add(sample(Params.NONE, shape.length == 3 && l != Layout.CONTIGUOUS, data(r, shape, l, -3, 3)));
            s.add(sample(Params.NONE, false, data(r, new int[]{2, 3, 4, 5}, Layout.CHANNELS_LAST, -3, 3)));
            return s;
        });
        if (!differentiable) {
            return OpInfo.builder(name, Family.SHAPE).methods(method).op(call).ref((x, p) -> x[0])
                    .samples(r -> List.of(sample(Params.NONE, false, data(r, new int[]{3, 4}, Layout.TRANSPOSED, -3, 3)),
                            sample(Params.NONE, false, data(r, new int[]{}, -3, 3))))
                    .dtypes(ALL).tol(0, 0)
                    .property((out, in, s, dt, dev) -> {
                        if (!dt.isFloatingPoint()) return;
                        Tensor y = in[0].requiresGrad(true).mul(2.0).detach();
                        if (y.requiresGrad() || y.gradFn() != null) throw new AssertionError("detach: the result is still in the graph");
                    }).build();
        }
        return b.build();
    }
}
