package dev.ember.testing;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Tensor;
import dev.ember.backend.HalfConversions;
import java.util.Arrays;

/**
 * One tensor argument of a {@link Sample}: its values (float64, row-major, already constant along dim 0
 * for an {@link Layout#EXPANDED} layout), shape, layout, and dtype: {@code null} for a data input, which
 * takes the dtype under test, or a fixed dtype (INT64 indices, BOOL masks).
 */
public record Input(double[] values, int[] shape, DType fixed, Layout layout) {

    public Input {
        if (Ref.numel(shape) != values.length)
            throw new IllegalArgumentException("Input: " + values.length + " values for shape " + Arrays.toString(shape));
        if (!layout.fits(shape)) throw new IllegalArgumentException("Input: layout " + layout + " does not fit shape " + Arrays.toString(shape));
    }

    /** A data input: it takes the dtype under test. */
    public static Input data(double[] values, int[] shape, Layout layout) { return new Input(values, shape, null, layout); }

    /** INT64 indices. */
    public static Input index(long[] values, int... shape) {
        double[] v = new double[values.length];
        for (int i = 0; i < v.length; i++) v[i] = values[i];
        return new Input(v, shape, DType.INT64, Layout.CONTIGUOUS);
    }

    /** A BOOL mask. */
    public static Input mask(boolean[] values, int... shape) {
        double[] v = new double[values.length];
        for (int i = 0; i < v.length; i++) v[i] = values[i] ? 1 : 0;
        return new Input(v, shape, DType.BOOL, Layout.CONTIGUOUS);
    }

    public boolean isData() { return fixed == null; }

    /** The dtype this input has when the sample runs in {@code tested}. */
    public DType dtype(DType tested) { return fixed == null ? tested : fixed; }

    public int numel() { return values.length; }

    /** The values as the dtype stores them: rounded to float32 (then to 16 bits), to integers (half to even), or to 0/1. */
    public static double[] cast(double[] v, DType dtype) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++)
            o[i] = switch (dtype) {
                case FLOAT32 -> (float) v[i];
                case FLOAT64 -> v[i];
                case FLOAT16, BFLOAT16 -> round16(v[i], dtype);
                case INT32, INT64 -> Math.rint(v[i]) + 0.0; // + 0.0: an integer has no -0 (atan2(-0, -1) is -pi, atan2(0, -1) pi)
                case BOOL -> Math.rint(v[i]) != 0 ? 1 : 0;
            };
        return o;
    }

    /** {@code v} as a 16-bit float stores it: rounded to float32, then once to {@code dtype} (as {@code Tensor.to} does). */
    public static double round16(double v, DType dtype) { return HalfConversions.toFloat(dtype, HalfConversions.fromFloat(dtype, (float) v)); }

    /** The float64 reference of this input in {@code tested}: the values the tensor holds, in its shape. */
    public Ref ref(DType tested) { return new Ref(cast(values, dtype(tested)), shape.clone()); }

    /** The contiguous tensor the layout's view is built from (for {@link Layout#EXPANDED}, one dim-0 slice). */
    public Tensor base(DType tested, Device device) {
        DType dt = dtype(tested);
        int[] bs = layout.baseShape(shape);
        double[] v = cast(Arrays.copyOf(values, Ref.numel(bs)), dt);
        return of(v, dt, bs).to(device);
    }

    /** This input as a tensor of its layout on {@code device}. */
    public Tensor tensor(DType tested, Device device) { return layout.view(base(tested, device), shape); }

    /**
     * A host tensor of exactly these values, built from the Java array of its dtype (no conversion kernel, but
     * for the 16-bit floats, which have none: their exact conversion from float32);
     * reshaped, since {@code Tensor.of} reads an empty shape as 1-D.
     */
    static Tensor of(double[] v, DType dt, int[] shape) {
        long[] s = Ref.toLong(shape);
        return switch (dt) {
            case FLOAT64 -> Tensor.of(v.clone()).reshape(s);
            case FLOAT32 -> {
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
                yield Tensor.of(f).reshape(s);
            }
            case FLOAT16, BFLOAT16 -> {
                // no Java array of 16-bit floats: the values are already rounded, so the conversion is exact
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
                yield Tensor.of(f).reshape(s).to(dt);
            }
            case INT32 -> {
                int[] a = new int[v.length];
                for (int i = 0; i < v.length; i++) a[i] = (int) v[i];
                yield Tensor.of(a).reshape(s);
            }
            case INT64 -> {
                long[] a = new long[v.length];
                for (int i = 0; i < v.length; i++) a[i] = (long) v[i];
                yield Tensor.of(a).reshape(s);
            }
            case BOOL -> {
                boolean[] a = new boolean[v.length];
                for (int i = 0; i < v.length; i++) a[i] = v[i] != 0;
                yield Tensor.of(a).reshape(s);
            }
        };
    }

    /** {@code [2, 3] FLOAT32 transposed}. */
    public String describe(DType tested) {
        return Arrays.toString(shape) + (fixed != null ? " " + fixed : "") + (layout == Layout.CONTIGUOUS ? "" : " " + layout.name().toLowerCase());
    }
}
