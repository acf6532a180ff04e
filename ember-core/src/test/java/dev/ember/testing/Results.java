package dev.ember.testing;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Normalises what an op returns (a tensor, a list, a record of tensors, a Java value) into outputs to compare. */
public final class Results {
    private Results() {}

    /** One output: its values as float64 and, for a tensor, its dtype, device and the tensor itself. */
    public record Out(Ref values, DType dtype, Device device, Tensor tensor) {}

    public static List<Out> actual(Object result) {
        List<Out> out = new ArrayList<>();
        switch (result) {
            case Tensor t -> out.add(of(t));
            case Tensor.ValuesIndices vi -> { out.add(of(vi.values())); out.add(of(vi.indices())); }
            case List<?> l -> { for (Object o : l) out.addAll(actual(o)); }
            case Boolean b -> out.add(new Out(new Ref(new double[]{b ? 1 : 0}), null, null, null));
            case Number n -> out.add(new Out(new Ref(new double[]{n.doubleValue()}), null, null, null));
            case double[] a -> out.add(new Out(new Ref(a.clone(), a.length), null, null, null));
            case float[] a -> {
                double[] d = new double[a.length];
                for (int i = 0; i < a.length; i++) d[i] = a[i];
                out.add(new Out(new Ref(d, d.length), null, null, null));
            }
            case int[] a -> {
                double[] d = new double[a.length];
                for (int i = 0; i < a.length; i++) d[i] = a[i];
                out.add(new Out(new Ref(d, d.length), null, null, null));
            }
            case long[] a -> {
                double[] d = new double[a.length];
                for (int i = 0; i < a.length; i++) d[i] = a[i];
                out.add(new Out(new Ref(d, d.length), null, null, null));
            }
            case boolean[] a -> {
                double[] d = new double[a.length];
                for (int i = 0; i < a.length; i++) d[i] = a[i] ? 1 : 0;
                out.add(new Out(new Ref(d, d.length), null, null, null));
            }
            default -> throw new IllegalArgumentException("Results: cannot compare a " + result.getClass().getSimpleName());
        }
        return out;
    }

    private static Out of(Tensor t) { return new Out(Ref.of(t), t.dtype(), t.device(), t); }

    /** The reference's outputs. */
    public static List<Ref> expected(Object ref) {
        List<Ref> out = new ArrayList<>();
        switch (ref) {
            case Ref r -> out.add(r);
            case List<?> l -> { for (Object o : l) out.addAll(expected(o)); }
            default -> throw new IllegalArgumentException("Results: a reference returns Ref or List<Ref>, got " + ref.getClass().getSimpleName());
        }
        return out;
    }

    /** The floating-point tensors among the outputs, flattened and joined: what a gradcheck differentiates. */
    public static Tensor differentiable(Object result) {
        List<Tensor> parts = new ArrayList<>();
        for (Out o : actual(result))
            if (o.tensor() != null && o.dtype().isFloatingPoint()) parts.add(o.tensor().reshape(-1));
        if (parts.isEmpty()) throw new IllegalArgumentException("Results: no floating-point output to differentiate");
        return parts.size() == 1 ? parts.get(0) : Tensor.cat(parts, 0);
    }
}
