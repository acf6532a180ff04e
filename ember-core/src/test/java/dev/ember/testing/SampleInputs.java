package dev.ember.testing;

import dev.ember.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Sample generators shared by the op table: random values in an op's domain, the standard shapes
 * (0-d, size 0, size 1, odd sizes, long rows for the vector paths, broadcasting pairs) and layouts
 * (transposed, strided, expanded, offset).
 */
public final class SampleInputs {
    private SampleInputs() {}

    /** Elements at most this many run in every dtype; larger samples run in the float dtypes only. */
    public static final int SMALL = 1000;

    /** Shapes of elementwise samples: 0-d, size 1, odd, empty, 2-D and 3-D, a long 2-D and a long 1-D (vector paths, threads). */
    public static final int[][] ELEMENTWISE_SHAPES = {{}, {1}, {7}, {0, 3}, {3, 5}, {2, 3, 4}, {37, 129}, {70001}};

    /** Broadcasting pairs for binary ops (the two operands of a binary elementwise op). */
    public static final int[][][] BROADCAST_PAIRS = {
            {{3, 4}, {3, 4}}, {{2, 3, 4}, {4}}, {{2, 1, 4}, {3, 1}}, {{}, {5}}, {{5}, {}}, {{}, {}}, {{0, 3}, {3}}, {{1}, {2, 3}},
            {{257, 129}, {129}}, {{257, 1}, {1, 129}}, {{70001}, {70001}}, {{6, 1, 5, 1}, {1, 4, 1, 3}}};

    /** Small broadcasting pairs for gradchecks: same shapes, trailing, both sides broadcast, 0-d, rank mismatch. */
    public static final int[][][] GRAD_PAIRS = {{{3, 4}, {3, 4}}, {{2, 3, 4}, {4}}, {{3, 1}, {1, 4}}, {{}, {2, 3}}, {{2, 1, 3}, {4, 1}}};

    public static double[] uniform(Random r, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        return v;
    }

    /** A data input of {@code shape} in {@code layout}, values uniform in [lo, hi) (constant along dim 0 when expanded). */
    public static Input data(Random r, int[] shape, Layout layout, double lo, double hi) {
        int n = Ref.numel(shape);
        double[] v;
        if (layout == Layout.EXPANDED && shape.length > 0 && shape[0] > 0) {
            int slice = n / shape[0];
            double[] base = uniform(r, slice, lo, hi);
            v = new double[n];
            for (int i = 0; i < n; i++) v[i] = base[i % slice];
        } else {
            v = uniform(r, n, lo, hi);
        }
        return Input.data(v, shape.clone(), layout);
    }

    public static Input data(Random r, int[] shape, double lo, double hi) { return data(r, shape, Layout.CONTIGUOUS, lo, hi); }

    /** The layouts worth running for {@code shape}: contiguous, and each non-contiguous one that fits. */
    public static List<Layout> layouts(int[] shape) {
        List<Layout> out = new ArrayList<>();
        out.add(Layout.CONTIGUOUS);
        if (Ref.numel(shape) == 0 || shape.length == 0) return out;
        if (Layout.TRANSPOSED.fits(shape)) out.add(Layout.TRANSPOSED);
        out.add(Layout.STRIDED);
        return out;
    }

    /**
     * The standard samples of a one-input elementwise op: every {@link #ELEMENTWISE_SHAPES} shape contiguous,
     * transposed and strided where it fits, an expanded and an offset one; values in [lo, hi). The gradcheck
     * samples (a 0-d one and a transposed {@code [2, 3, 4]}) take their values in [gradLo, gradHi).
     */
    public static List<Sample> unary(Random r, double lo, double hi, double gradLo, double gradHi, Params p) {
        List<Sample> out = new ArrayList<>();
        for (int[] shape : ELEMENTWISE_SHAPES)
            for (Layout l : layouts(shape)) out.add(new Sample("", List.of(data(r, shape, l, lo, hi)), p, false));
        out.add(new Sample("", List.of(data(r, new int[]{3, 5}, Layout.EXPANDED, lo, hi)), p, false));
        out.add(new Sample("", List.of(data(r, new int[]{7, 3}, Layout.OFFSET, lo, hi)), p, false));
        out.add(new Sample("", List.of(data(r, new int[]{}, gradLo, gradHi)), p, true));
        out.add(new Sample("", List.of(data(r, new int[]{2, 3, 4}, Layout.TRANSPOSED, gradLo, gradHi)), p, true));
        return out;
    }

    public static List<Sample> unary(Random r, double lo, double hi) { return unary(r, lo, hi, lo, hi, Params.NONE); }

    /**
     * Non-finite and signed-zero values ({@code NaN, ±inf, ±0}, tiny and huge) for an elementwise op in the float
     * dtypes: where kernels take fast paths, these are what they get wrong.
     */
    public static Sample extremal(Params p) {
        double[] v = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 1e-30, -1e-30, 1e30, -1e30, 0.5, -0.5};
        // 33 elements, so SIMD kernels see the values in full vectors and in the tail
        double[] w = new double[33];
        for (int i = 0; i < w.length; i++) w[i] = v[i % v.length];
        return new Sample("extremal", List.of(Input.data(w, new int[]{w.length}, Layout.CONTIGUOUS)), p, false).only(DTypes.FLOATS);
    }

    /**
     * The standard samples of a two-input broadcasting op: every {@link #BROADCAST_PAIRS} pair with contiguous,
     * transposed and strided operands (distinct combinations only), one expanded pair, and the {@link #GRAD_PAIRS}
     * for gradchecks with values in [gradLo, gradHi) (the second operand in [gradLo2, gradHi2)).
     */
    public static List<Sample> binary(Random r, double lo, double hi, double lo2, double hi2,
                                      double gradLo, double gradHi, double gradLo2, double gradHi2, Params p) {
        List<Sample> out = new ArrayList<>();
        Layout[] cycle = {Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STRIDED};
        for (int[][] pair : BROADCAST_PAIRS) {
            Set<String> seen = new LinkedHashSet<>();
            for (int lay = 0; lay < 3; lay++) {
                Layout la = layoutFor(pair[0], cycle[lay]), lb = layoutFor(pair[1], cycle[(lay + 1) % 3]);
                if (!seen.add(la + "/" + lb)) continue;
                out.add(new Sample("", List.of(data(r, pair[0], la, lo, hi), data(r, pair[1], lb, lo2, hi2)), p, false));
            }
        }
        out.add(new Sample("", List.of(data(r, new int[]{4, 3}, Layout.EXPANDED, lo, hi), data(r, new int[]{4, 3}, Layout.OFFSET, lo2, hi2)), p, false));
        // gradchecks run in float64; their domains (negative exponents, divisors near 0) need not suit integer dtypes
        for (int[][] pair : GRAD_PAIRS)
            out.add(new Sample("", List.of(data(r, pair[0], gradLo, gradHi), data(r, pair[1], gradLo2, gradHi2)), p, true).only(DTypes.FLOATS));
        return out;
    }

    public static List<Sample> binary(Random r, double lo, double hi) { return binary(r, lo, hi, lo, hi, lo, hi, lo, hi, Params.NONE); }

    /** {@code preferred} where it fits a rank-2-or-more non-empty shape, else contiguous (as the old suite laid out operands). */
    private static Layout layoutFor(int[] shape, Layout preferred) {
        return shape.length > 1 && Ref.numel(shape) > 0 && preferred.fits(shape) ? preferred : Layout.CONTIGUOUS;
    }

    /** Rounds values to integers (for ops whose ties or exactness matter). */
    public static Input rounded(Input in) {
        double[] v = in.values().clone();
        for (int i = 0; i < v.length; i++) v[i] = Math.rint(v[i]);
        return new Input(v, in.shape(), in.fixed(), in.layout());
    }

    /** Random INT64 indices in [0, bound). */
    public static Input indices(Random r, int bound, int... shape) {
        long[] v = new long[Ref.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(bound);
        return Input.index(v, shape);
    }

    /** A random BOOL mask. */
    public static Input mask(Random r, int... shape) {
        boolean[] v = new boolean[Ref.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextBoolean();
        return Input.mask(v, shape);
    }

    /** Every non-empty subset of {@code 0..rank-1}, as sorted dims. */
    public static List<int[]> dimSubsets(int rank) {
        List<int[]> out = new ArrayList<>();
        for (int mask = 1; mask < (1 << rank); mask++) {
            int[] d = new int[Integer.bitCount(mask)];
            for (int i = 0, k = 0; i < rank; i++) if ((mask & (1 << i)) != 0) d[k++] = i;
            out.add(d);
        }
        return out;
    }

    /** The product of {@code shape}'s sizes at {@code dims}. */
    public static int count(int[] shape, int[] dims) {
        int k = 1;
        for (int d : dims) k *= shape[RefOps.normDim(d, shape.length)];
        return k;
    }

    public static Sample sample(Params p, boolean grad, Input... inputs) { return new Sample("", List.of(inputs), p, grad); }

    public static Sample sample(String label, Params p, boolean grad, Input... inputs) { return new Sample(label, List.of(inputs), p, grad); }

    /** Moves values at least {@code margin} away from each point (kinks, discontinuities), keeping their side. */
    public static double[] avoid(double[] v, double[] points, double margin) {
        double[] o = v.clone();
        for (int i = 0; i < o.length; i++)
            for (double k : points)
                if (Math.abs(o[i] - k) < margin) o[i] = o[i] >= k ? k + margin : k - margin;
        return o;
    }

    static String shapes(int[]... shapes) {
        StringBuilder b = new StringBuilder();
        for (int[] s : shapes) b.append(b.isEmpty() ? "" : " with ").append(Arrays.toString(s));
        return b.toString();
    }

    /** Ember's default float dtype (float results of integer inputs). */
    public static DType defaultFloat() { return DTypes.DEFAULT_FLOAT; }
}
