package dev.ember.testing.ops;

import static dev.ember.testing.DTypes.FLOATS;
import static dev.ember.testing.DTypes.NOT_FLOAT;
import static dev.ember.testing.SampleInputs.data;
import static dev.ember.testing.SampleInputs.sample;

import dev.ember.DType;
import dev.ember.testing.Input;
import dev.ember.testing.Layout;
import dev.ember.testing.OpInfo;
import dev.ember.testing.OpInfo.ErrorInput;
import dev.ember.testing.OpInfo.Family;
import dev.ember.testing.Params;
import dev.ember.testing.Ref;
import dev.ember.testing.RefOps;
import dev.ember.testing.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Entries for convolution, pooling and the unfold/fold pair they are built from ({@code [n, c, h, w]} inputs). */
final class ConvolutionOpInfos {
    private ConvolutionOpInfos() {}

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;

    /** n, c, h, w, cout, kh, kw, stride, pad, dilation, groups. */
    static final int[][] CONV = {{2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1}, {1, 4, 9, 9, 6, 3, 2, 2, 0, 1, 2}, {2, 2, 8, 7, 2, 2, 2, 1, 2, 2, 1},
            {3, 1, 5, 5, 2, 1, 1, 1, 0, 1, 1}, {1, 6, 6, 6, 6, 3, 3, 1, 1, 1, 6}};

    /** n, c, h, w, kh, kw, sh, sw, ph, pw: odd sizes, padding, stride != kernel, overlapping and rectangular windows, many planes. */
    static final int[][] POOL = {{2, 3, 7, 9, 2, 2, 2, 2, 0, 0}, {1, 2, 9, 7, 3, 3, 2, 2, 1, 1}, {2, 2, 8, 5, 3, 2, 1, 2, 1, 0},
            {1, 3, 5, 6, 2, 2, 1, 1, 0, 0}, {4, 4, 28, 28, 2, 2, 2, 2, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}};

    static List<OpInfo> all() {
        List<OpInfo> t = new ArrayList<>();
        t.add(conv2d());
        t.add(conv2dShort());
        t.add(pool(true, false));
        t.add(pool(true, true));
        t.add(pool(false, false));
        t.add(pool(false, true));
        t.add(unfold());
        t.add(fold());
        return t;
    }

    private static int[] pair(int v) { return new int[]{v, v}; }

    private static OpInfo conv2d() {
        return OpInfo.builder("conv2d", Family.CONVOLUTION).methods("conv2d(Tensor,Tensor,int[],int[],int[],int)")
                .op((x, p) -> x[0].conv2d(x[1], p.b("bias") ? x[2] : null, p.ints("stride"), p.ints("padding"), p.ints("dilation"), p.i("groups")))
                .ref((x, p) -> Ref.conv2d(x[0], x[1], p.b("bias") ? x[2] : null, p.ints("stride"), p.ints("padding"), p.ints("dilation"), p.i("groups")))
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    for (int[] c : CONV) {
                        int g = c[10];
                        Params p = Params.of("stride", pair(c[7]), "padding", pair(c[8]), "dilation", pair(c[9]), "groups", g, "bias", true, "k", c[1] / g * c[5] * c[6]);
                        s.add(sample(p, false, data(r, new int[]{c[0], c[1], c[2], c[3]}, -1, 1), data(r, new int[]{c[4], c[1] / g, c[5], c[6]}, -1, 1),
                                data(r, new int[]{c[4]}, -1, 1)));
                    }
                    Params p = Params.of("stride", pair(1), "padding", pair(1), "dilation", pair(1), "groups", 1, "bias", true, "k", 18);
                    s.add(sample(p, false, data(r, new int[]{2, 2, 5, 4}, Layout.CHANNELS_LAST, -1, 1), data(r, new int[]{3, 2, 3, 3}, Layout.TRANSPOSED, -1, 1),
                            data(r, new int[]{3}, Layout.STRIDED, -1, 1)));
                    s.add(sample(p, false, data(r, new int[]{0, 2, 5, 4}, -1, 1), data(r, new int[]{3, 2, 3, 3}, -1, 1), data(r, new int[]{3}, -1, 1)));
                    // gradchecks: padding with bias; stride, dilation and rectangular padding without bias; groups
                    s.add(sample(p, true, data(r, new int[]{2, 2, 5, 4}, -1, 1), data(r, new int[]{3, 2, 3, 3}, -1, 1), data(r, new int[]{3}, -1, 1)));
                    s.add(sample(Params.of("stride", new int[]{2, 1}, "padding", new int[]{1, 0}, "dilation", new int[]{1, 2}, "groups", 1, "bias", false, "k", 8),
                            true, data(r, new int[]{1, 2, 6, 6}, -1, 1), data(r, new int[]{2, 2, 2, 2}, -1, 1)));
                    s.add(sample(Params.of("stride", pair(1), "padding", pair(1), "dilation", pair(1), "groups", 2, "bias", true, "k", 18),
                            true, data(r, new int[]{1, 4, 4, 4}, -1, 1), data(r, new int[]{4, 2, 3, 3}, -1, 1), data(r, new int[]{4}, -1, 1)));
                    return s;
                })
                .dtypes(FLOATS).differentiable().tol(1e-5, 1e-10).tolScale(s -> 10 * Math.max(1, Math.sqrt(s.params().i("k")) * 4))
                .errors(r -> {
                    Params p = Params.of("stride", pair(1), "padding", pair(0), "dilation", pair(1), "groups", 2, "bias", false);
                    return List.of(
                            new ErrorInput("channels not divisible by groups", sample(p, false, data(r, new int[]{1, 3, 4, 4}, -1, 1), data(r, new int[]{2, 1, 2, 2}, -1, 1)),
                                    DType.FLOAT32, IAE, "groups"),
                            new ErrorInput("a 3-D input", sample(p.with("groups", 1), false, data(r, new int[]{3, 4, 4}, -1, 1), data(r, new int[]{2, 3, 2, 2}, -1, 1)),
                                    DType.FLOAT32, IAE, "4-D"),
                            new ErrorInput("a bias of the wrong size", sample(p.with("groups", 1).with("bias", true), false, data(r, new int[]{1, 3, 4, 4}, -1, 1),
                                    data(r, new int[]{2, 3, 2, 2}, -1, 1), data(r, new int[]{3}, -1, 1)), DType.FLOAT32, IAE, "bias"),
                            new ErrorInput("a kernel larger than the padded input", sample(p.with("groups", 1), false, data(r, new int[]{1, 3, 2, 2}, -1, 1),
                                    data(r, new int[]{2, 3, 3, 3}, -1, 1)), DType.FLOAT32, IAE, ""));
                })
                .build();
    }

    private static OpInfo conv2dShort() {
        return OpInfo.builder("conv2d.short", Family.CONVOLUTION).methods("conv2d(Tensor,Tensor,int,int)")
                .op((x, p) -> x[0].conv2d(x[1], x.length > 2 ? x[2] : null, p.i("stride"), p.i("padding")))
                .ref((x, p) -> Ref.conv2d(x[0], x[1], x.length > 2 ? x[2] : null, pair(p.i("stride")), pair(p.i("padding")), pair(1), 1))
                .samples(r -> List.of(
                        sample(Params.of("stride", 1, "padding", 1), false, data(r, new int[]{2, 3, 7, 6}, -1, 1), data(r, new int[]{4, 3, 3, 3}, -1, 1),
                                data(r, new int[]{4}, -1, 1)),
                        sample(Params.of("stride", 2, "padding", 0), false, data(r, new int[]{1, 2, 9, 8}, Layout.TRANSPOSED, -1, 1),
                                data(r, new int[]{3, 2, 2, 3}, -1, 1)),
                        sample(Params.of("stride", 1, "padding", 1), true, data(r, new int[]{2, 2, 5, 4}, -1, 1), data(r, new int[]{3, 2, 3, 3}, -1, 1),
                                data(r, new int[]{3}, -1, 1))))
                .dtypes(FLOATS).differentiable().tol(1e-5, 1e-10).tolScale(s -> 10 * 4 * Math.sqrt(27)).errorName("conv2d").build();
    }

    /** Pooling samples: each config with random values, integer values (ties, -0.0 against 0.0) and NaN, in four layouts. */
    private static List<Sample> poolSamples(Random r, boolean max) {
        List<Sample> s = new ArrayList<>();
        Layout[] layouts = {Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STRIDED, Layout.CHANNELS_LAST};
        for (int[] c : POOL)
            for (int values = 0; values < (max ? 3 : 1); values++)
                for (Layout l : layouts) {
                    int[] shape = {c[0], c[1], c[2], c[3]};
                    Input in = data(r, shape, l, -2, 2);
                    if (values > 0) {
                        double[] v = in.values().clone();
                        for (int i = 0; i < v.length; i++) {
                            v[i] = Math.rint(v[i]);
                            if (values == 2 && r.nextInt(7) == 0) v[i] = Double.NaN;
                        }
                        in = new Input(v, shape, null, l);
                    }
                    Sample a = sample(values == 0 ? "" : values == 1 ? "ties" : "NaN",
                            Params.of("kernel", new int[]{c[4], c[5]}, "stride", new int[]{c[6], c[7]}, "padding", new int[]{c[8], c[9]}), false, in);
                    s.add(values == 2 ? a.only(FLOATS) : a);
                }
        // the configurations the convolution suite pooled, with the same kernel and padding rule
        for (int[] c : CONV) {
            int k = 2 + (c[8] > 0 ? 1 : 0), pad = c[8] > 0 ? 1 : 0;
            s.add(sample(Params.of("kernel", pair(k), "stride", pair(c[7]), "padding", pair(pad)), false, data(r, new int[]{c[0], c[1], c[2], c[3]}, -1, 1)));
        }
        // gradchecks: distinct values so each window's maximum is unique
        double[] v = new double[2 * 2 * 5 * 5];
        for (int i = 0; i < v.length; i++) v[i] = ((i * 37) % v.length) / 10.0;
        Input distinct = Input.data(v, new int[]{2, 2, 5, 5}, Layout.CONTIGUOUS);
        s.add(sample(Params.of("kernel", pair(2), "stride", pair(2), "padding", pair(0)), true, distinct));
        s.add(sample(Params.of("kernel", pair(3), "stride", pair(2), "padding", pair(1)), true, distinct));
        s.add(sample(Params.of("kernel", new int[]{2, 3}, "stride", new int[]{1, 2}, "padding", pair(1)), true,
                new Input(v, new int[]{2, 2, 5, 5}, null, Layout.TRANSPOSED)));
        s.add(sample(Params.of("kernel", pair(2), "stride", pair(1), "padding", pair(1)), true, distinct));
        return s;
    }

    private static OpInfo pool(boolean max, boolean square) {
        String base = max ? "maxPool2d" : "avgPool2d";
        String name = square ? base + ".kernel" : base;
        OpInfo.Builder b = OpInfo.builder(name, Family.CONVOLUTION).dtypes(FLOATS).refuses(NOT_FLOAT).differentiable().errorName(base);
        if (square) {
            b.methods(base + "(int)").op((x, p) -> max ? x[0].maxPool2d(p.i("k")) : x[0].avgPool2d(p.i("k")))
                    .ref((x, p) -> Ref.pool(x[0], pair(p.i("k")), pair(p.i("k")), pair(0), max))
                    .samples(r -> List.of(sample(Params.of("k", 2), false, data(r, new int[]{2, 3, 7, 9}, -1, 1)),
                            sample(Params.of("k", 3), false, data(r, new int[]{1, 2, 9, 9}, Layout.CHANNELS_LAST, -1, 1)),
                            sample(Params.of("k", 2), true, data(r, new int[]{1, 2, 4, 4}, -1, 1))));
        } else {
            b.methods(base + "(int[],int[],int[])")
                    .op((x, p) -> max ? x[0].maxPool2d(p.ints("kernel"), p.ints("stride"), p.ints("padding"))
                            : x[0].avgPool2d(p.ints("kernel"), p.ints("stride"), p.ints("padding")))
                    .ref((x, p) -> Ref.pool(x[0], p.ints("kernel"), p.ints("stride"), p.ints("padding"), max))
                    .samples(r -> poolSamples(r, max))
                    .errors(r -> List.of(
                            new ErrorInput("padding over half the kernel", sample(Params.of("kernel", pair(2), "stride", pair(2), "padding", pair(2)), false,
                                    data(r, new int[]{1, 1, 6, 6}, -1, 1)), DType.FLOAT32, IAE, "half of kernel"),
                            new ErrorInput("a 3-D input", sample(Params.of("kernel", pair(2), "stride", pair(2), "padding", pair(0)), false,
                                    data(r, new int[]{1, 6, 6}, -1, 1)), DType.FLOAT32, IAE, "4-D"),
                            new ErrorInput("empty channels", sample(Params.of("kernel", pair(2), "stride", pair(2), "padding", pair(0)), false,
                                    data(r, new int[]{1, 0, 6, 6}, -1, 1)), DType.FLOAT32, IAE, "non-zero")));
        }
        return b.tol(max ? 0 : 1e-5, max ? 0 : 1e-10).tolScale(s -> 4 * 3).build();
    }

    private static OpInfo unfold() {
        return OpInfo.builder("unfold", Family.CONVOLUTION).methods("unfold(int[],int[],int[],int[])")
                .op((x, p) -> x[0].unfold(p.ints("kernel"), p.ints("dilation"), p.ints("padding"), p.ints("stride")))
                .ref((x, p) -> RefOps.unfold(x[0], p.ints("kernel"), p.ints("dilation"), p.ints("padding"), p.ints("stride"), 0))
                .samples(r -> List.of(
                        sample(Params.of("kernel", new int[]{2, 3}, "dilation", pair(1), "padding", new int[]{1, 0}, "stride", pair(1)), false,
                                data(r, new int[]{2, 3, 7, 6}, -1, 1)),
                        sample(Params.of("kernel", pair(3), "dilation", pair(2), "padding", pair(2), "stride", new int[]{2, 1}), false,
                                data(r, new int[]{1, 2, 9, 8}, Layout.CHANNELS_LAST, -1, 1)),
                        sample(Params.of("kernel", pair(1), "dilation", pair(1), "padding", pair(0), "stride", pair(1)), false,
                                data(r, new int[]{0, 2, 3, 3}, -1, 1)),
                        sample(Params.of("kernel", new int[]{2, 3}, "dilation", new int[]{1, 2}, "padding", new int[]{1, 0}, "stride", pair(1)), true,
                                data(r, new int[]{2, 2, 5, 5}, -1, 1))))
                .dtypes(FLOATS).differentiable().tol(0, 0)
                .errors(r -> List.of(new ErrorInput("a 3-D input", sample(Params.of("kernel", pair(2), "dilation", pair(1), "padding", pair(0),
                        "stride", pair(1)), false, data(r, new int[]{2, 5, 5}, -1, 1)), DType.FLOAT32, IAE, "4-D")))
                .build();
    }

    private static OpInfo fold() {
        return OpInfo.builder("fold", Family.CONVOLUTION).methods("fold(int[],int[],int[],int[],int[])")
                .op((x, p) -> x[0].fold(p.ints("size"), p.ints("kernel"), p.ints("dilation"), p.ints("padding"), p.ints("stride")))
                .ref((x, p) -> RefOps.fold(x[0], p.ints("size"), p.ints("kernel"), p.ints("dilation"), p.ints("padding"), p.ints("stride")))
                .samples(r -> List.of(
                        sample(Params.of("size", new int[]{4, 5}, "kernel", pair(2), "dilation", pair(1), "padding", pair(0), "stride", pair(1)), true,
                                data(r, new int[]{1, 8, 12}, -1, 1)),
                        sample(Params.of("size", new int[]{7, 6}, "kernel", new int[]{2, 3}, "dilation", pair(1), "padding", new int[]{1, 0}, "stride", pair(1)), false,
                                data(r, new int[]{2, 18, 32}, Layout.TRANSPOSED, -1, 1)),
                        sample(Params.of("size", new int[]{9, 8}, "kernel", pair(3), "dilation", pair(2), "padding", pair(2), "stride", new int[]{2, 1}), false,
                                data(r, new int[]{1, 18, 40}, -1, 1))))
                .dtypes(FLOATS).differentiable().tol(1e-6, 1e-14).tolScale(s -> 10)
                .errors(r -> List.of(new ErrorInput("the wrong number of blocks", sample(Params.of("size", new int[]{4, 5}, "kernel", pair(2),
                        "dilation", pair(1), "padding", pair(0), "stride", pair(1)), false, data(r, new int[]{1, 8, 11}, -1, 1)), DType.FLOAT32, IAE, "sliding blocks")))
                .build();
    }

}
