package dev.ember.testing.ops;

import static dev.ember.testing.DTypes.ALL;
import static dev.ember.testing.DTypes.FLOATS;
import static dev.ember.testing.SampleInputs.data;
import static dev.ember.testing.SampleInputs.sample;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Tensor;
import dev.ember.testing.DTypes;
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

/** Entries for dtype and device conversions and for reading values back to Java ({@code item}, {@code toFloatArray}, ...). */
final class ConversionOpInfos {
    private ConversionOpInfos() {}

    /** {@code v} as {@code to} stores it: truncation toward zero for integers (as C and PyTorch), non-zero for BOOL. */
    static double convert(double v, DType to) {
        return switch (to) {
            case BOOL -> v != 0 ? 1 : 0;
            case INT32 -> (int) v;
            case INT64 -> (long) v;
            case FLOAT32 -> (float) v;
            case FLOAT64 -> v;
            case FLOAT16, BFLOAT16 -> Input.round16(v, to);
        };
    }

    static List<OpInfo> all() {
        List<OpInfo> t = new ArrayList<>();
        t.add(OpInfo.builder("to.dtype", Family.CONVERSION).methods("to(DType)")
                .op((x, p) -> x[0].to((DType) p.get("to"))).ref((x, p) -> x[0].map(v -> convert(v, (DType) p.get("to"))))
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    for (DType to : DType.values()) {
                        s.add(sample(Params.of("to", to), false, data(r, new int[]{6, 10}, Layout.TRANSPOSED, -100, 100)));
                        s.add(sample(Params.of("to", to), false, data(r, new int[]{}, -3, 3)));
                        s.add(sample(Params.of("to", to), false, data(r, new int[]{37, 129}, Layout.STRIDED, -100, 100)));
                        s.add(sample(Params.of("to", to), false, data(r, new int[]{0, 3}, -3, 3)));
                    }
                    s.add(sample(Params.of("to", DType.FLOAT64), true, data(r, new int[]{3, 4}, Layout.TRANSPOSED, -1, 1)));
                    return s;
                })
                .dtypes(ALL).result((d, p) -> (DType) p.get("to")).differentiable().tol(0, 0).errorName("to").build());
        t.add(OpInfo.builder("to.device", Family.CONVERSION).methods("to(Device)")
                .op((x, p) -> x[0].to(Device.cpu()).to(x[0].device())).ref((x, p) -> x[0])
                .samples(r -> copies(r)).dtypes(ALL).differentiable().tol(0, 0).errorName("to").build());
        t.add(OpInfo.builder("cpu", Family.CONVERSION).methods("cpu()")
                .op((x, p) -> x[0].cpu()).ref((x, p) -> x[0])
                .samples(r -> copies(r)).dtypes(ALL).differentiable().tol(0, 0).resultDevice(d -> Device.cpu()).build());
        t.add(OpInfo.builder("item", Family.CONVERSION).methods("item()")
                .op((x, p) -> x[0].item()).ref((x, p) -> new Ref(new double[]{x[0].v[0]}))
                .samples(r -> List.of(sample(Params.NONE, false, data(r, new int[]{}, -3, 3)), sample(Params.NONE, false, data(r, new int[]{1, 1}, -3, 3)),
                        sample(Params.NONE, false, data(r, new int[]{1}, Layout.OFFSET, -3, 3))))
                .dtypes(ALL).tol(0, 0)
                .errors(r -> List.of(new ErrorInput("3 elements", sample(Params.NONE, false, data(r, new int[]{3}, -1, 1)), DType.FLOAT32,
                        IllegalArgumentException.class, "only one-element tensors"))).build());
        t.add(OpInfo.builder("itemLong", Family.CONVERSION).methods("itemLong()")
                .op((x, p) -> x[0].itemLong()).ref((x, p) -> new Ref(new double[]{(long) x[0].v[0]}))
                .samples(r -> List.of(sample(Params.NONE, false, data(r, new int[]{}, -300, 300)),
                        sample(Params.NONE, false, data(r, new int[]{1}, Layout.STRIDED, -300, 300)),
                        // a large INT64 value
                        sample("large", Params.NONE, false, Input.data(new double[]{0x1p62}, new int[]{}, Layout.CONTIGUOUS)).only(DType.INT64)))
                .dtypes(ALL).tol(0, 0)
                .errors(r -> List.of(new ErrorInput("2 elements", sample(Params.NONE, false, data(r, new int[]{2}, -1, 1)), DType.INT64,
                        IllegalArgumentException.class, "cannot be converted"))).build());
        t.add(OpInfo.builder("toBits", Family.CONVERSION).methods("toBits()", "ofBits(short[],DType,long[])")
                .op((x, p) -> Tensor.ofBits(x[0].toBits(), x[0].dtype()).reshape(x[0].shape()).to(x[0].device())) // ofBits reads an empty shape as 1-D
                .ref((x, p) -> x[0])
                .samples(r -> copies(r)).dtypes(DTypes.HALVES).refuses(DTypes.NUMBERS).tol(0, 0).build());
        t.add(reader("toFloatArray", DType.FLOAT32, (x, p) -> x[0].toFloatArray()));
        t.add(reader("toDoubleArray", DType.FLOAT64, (x, p) -> x[0].toDoubleArray()));
        t.add(reader("toIntArray", DType.INT32, (x, p) -> x[0].toIntArray()));
        t.add(reader("toLongArray", DType.INT64, (x, p) -> x[0].toLongArray()));
        t.add(reader("toBooleanArray", DType.BOOL, (x, p) -> x[0].toBooleanArray()));
        t.add(OpInfo.builder("allclose", Family.CONVERSION).methods("allclose(Tensor,double,double)")
                .op((x, p) -> x[0].allclose(x[1], p.d("rtol"), p.d("atol")))
                .ref((x, p) -> {
                    Ref b = RefOps.expand(x[1], x[0].shape);
                    boolean ok = true;
                    for (int i = 0; i < x[0].v.length; i++) ok &= Math.abs(x[0].v[i] - b.v[i]) <= p.d("atol") + p.d("rtol") * Math.abs(b.v[i]);
                    return new Ref(new double[]{ok ? 1 : 0});
                })
                .samples(r -> {
                    List<Sample> s = new ArrayList<>();
                    Input a = data(r, new int[]{3, 4}, -1, 1);
                    double[] near = a.values().clone(), far = a.values().clone();
                    for (int i = 0; i < near.length; i++) near[i] += 1e-3;
                    far[5] += 0.5;
                    s.add(sample(Params.of("rtol", 0.0, "atol", 2e-3), false, a, Input.data(near, new int[]{3, 4}, Layout.TRANSPOSED)));
                    s.add(sample(Params.of("rtol", 0.0, "atol", 2e-3), false, a, Input.data(far, new int[]{3, 4}, Layout.CONTIGUOUS)));
                    s.add(sample(Params.of("rtol", 0.1, "atol", 0.0), false, data(r, new int[]{3, 4}, 1, 2), data(r, new int[]{4}, 1, 2)));
                    s.add(sample("NaN is never close", Params.of("rtol", 1.0, "atol", 1.0), false, Input.data(new double[]{Double.NaN}, new int[]{1}, Layout.CONTIGUOUS),
                            Input.data(new double[]{Double.NaN}, new int[]{1}, Layout.CONTIGUOUS)).only(FLOATS));
                    return s;
                })
                .dtypes(ALL).tol(0, 0).deviceMixAllowed("allclose reads both tensors back to the host").build());
        return t;
    }

    private static List<Sample> copies(java.util.Random r) {
        List<Sample> s = new ArrayList<>();
        for (int[] shape : new int[][]{{}, {7}, {0, 3}, {3, 5}, {2, 3, 4}})
            for (Layout l : new Layout[]{Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STRIDED, Layout.EXPANDED})
                if (l.fits(shape)) s.add(sample(Params.NONE, shape.length == 2 && l == Layout.TRANSPOSED, data(r, shape, l, -3, 3)));
        return s;
    }

    /** A reader: the values, in row-major order, converted to {@code as}. */
    private static OpInfo reader(String name, DType as, OpInfo.Call call) {
        return OpInfo.builder(name, Family.CONVERSION).methods(name + "()")
                .op(call).ref((x, p) -> {
                    double[] v = new double[x[0].v.length];
                    for (int i = 0; i < v.length; i++) v[i] = convert(x[0].v[i], as);
                    return new Ref(v, v.length);
                })
                .samples(r -> {
                    List<Sample> s = new ArrayList<>(copies(r));
                    s.add(sample(Params.NONE, false, data(r, new int[]{2, 3, 4, 5}, Layout.CHANNELS_LAST, -100, 100)));
                    return s;
                })
                .dtypes(ALL).tol(0, 0).build();
    }
}
