package dev.ember;

import static dev.ember.ConformanceTest.rounded;
import static dev.ember.testing.Checks.assertClose;
import static dev.ember.testing.Checks.layout;
import static dev.ember.testing.Checks.random;
import static dev.ember.testing.Checks.tensor;
import static dev.ember.testing.Checks.tolerance;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.testing.Checks;
import dev.ember.testing.Ref;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance suite's ops in FLOAT16 and BFLOAT16 on every device that stores them: the same cases as
 * {@link ConformanceTest} (its unary and binary op lists), against the float64 reference computed on the
 * 16-bit-rounded inputs, to a few units of the type's last place ({@link Checks#tolerance}): the CPU computes
 * in float32, accumulates sums and products in float32 and rounds each result once. Each result keeps the
 * 16-bit dtype. Sizes cover the scalar and the vector paths (odd lengths, 70001-element rows), transposed
 * and strided inputs, broadcasting and 0-d tensors.
 */
@Tag("conformance")
@Tag("devices")
class HalfConformanceTest {
    private static final DType[] HALVES = {DType.FLOAT16, DType.BFLOAT16};

    /**
     * Half a unit in the last place (relative) plus float32's own error: what a float32 result rounded once to
     * 16 bits may be off by. A kernel that truncated, or rounded twice, would exceed it.
     */
    private static double roundedOnce(DType dt) { return (dt == DType.FLOAT16 ? 0x1p-11 : 0x1p-8) + 1e-5; }

    static Stream<Device> devices() {
        // A backend that refuses 16-bit tensors (the GPU backends, for now) has nothing to check here.
        return Checks.devices().stream().filter(HalfConformanceTest::stores16Bit);
    }

    private static boolean stores16Bit(Device d) {
        try {
            Tensor.zeros(DType.FLOAT16, 1).to(d);
            return true;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    private static final int[][] UNARY_SHAPES = {{}, {7}, {3, 5}, {37, 129}, {70001}};

    @ParameterizedTest
    @MethodSource("devices")
    void unaryOps(Device dev) {
        Random r = new Random(21);
        for (var c : ConformanceTest.unaryCases())
            for (DType dt : HALVES)
                for (int[] shape : UNARY_SHAPES)
                    for (int lay = 0; lay < 3; lay++) {
                        if (lay > 0 && shape.length == 0) continue;
                        double[] v = random(r, Ref.numel(shape), c.lo(), c.hi());
                        Tensor x = layout(tensor(v, dt, dev, shape), lay);
                        Tensor y = c.op().apply(x);
                        String what = c.name() + " " + dt + " " + Arrays.toString(shape) + " layout " + lay + " on " + dev;
                        assertEquals(dt, y.dtype(), what + " keeps the dtype");
                        assertClose(new Ref(rounded(v, dt), shape).map(c.ref()), y, roundedOnce(dt), what);
                    }
    }

    private static final int[][][] PAIRS = {{{3, 4}, {3, 4}}, {{2, 3, 4}, {4}}, {{2, 1, 4}, {3, 1}}, {{}, {5}}, {{5}, {}},
            {{0, 3}, {3}}, {{257, 129}, {129}}, {{257, 1}, {1, 129}}, {{70001}, {70001}}};

    @ParameterizedTest
    @MethodSource("devices")
    void binaryOpsBroadcast(Device dev) {
        Random r = new Random(22);
        for (var c : ConformanceTest.binaryCases())
            for (DType dt : HALVES)
                for (int[][] pair : PAIRS)
                    for (int lay = 0; lay < 3; lay++) {
                        int[] sa = pair[0], sb = pair[1];
                        double[] va = random(r, Ref.numel(sa), c.lo(), c.hi()), vb = random(r, Ref.numel(sb), c.lo(), c.hi());
                        if (c.name().equals("eq") || c.name().equals("ne")) {
                            for (int i = 0; i < va.length; i++) va[i] = Math.round(va[i]);
                            for (int i = 0; i < vb.length; i++) vb[i] = Math.round(vb[i]);
                        }
                        Tensor a = sa.length > 1 && Ref.numel(sa) > 0 ? layout(tensor(va, dt, dev, sa), lay) : tensor(va, dt, dev, sa);
                        Tensor b = sb.length > 1 && Ref.numel(sb) > 0 ? layout(tensor(vb, dt, dev, sb), (lay + 1) % 3) : tensor(vb, dt, dev, sb);
                        Tensor y = c.op().apply(a, b);
                        String what = c.name() + " " + dt + " " + Arrays.toString(sa) + " with " + Arrays.toString(sb) + " layout " + lay + " on " + dev;
                        assertEquals(y.dtype() == DType.BOOL ? DType.BOOL : dt, y.dtype(), what + ": dtype");
                        assertClose(Ref.zip(new Ref(rounded(va, dt), sa), new Ref(rounded(vb, dt), sb), c.ref()), y, roundedOnce(dt), what);
                    }
    }

    private static final int[][] REDUCE_SHAPES = {{5, 7, 3}, {6}, {33, 65}, {2, 0, 3}, {100003}};

    @ParameterizedTest
    @MethodSource("devices")
    void reductionsAccumulateInFloat32(Device dev) {
        Random r = new Random(23);
        for (DType dt : HALVES)
            for (int[] shape : REDUCE_SHAPES)
                for (int[] dims : ConformanceTest.dimSubsets(shape.length))
                    for (int lay = 0; lay < 2; lay++) {
                        double[] v = random(r, Ref.numel(shape), -2, 2);
                        Tensor x = layout(tensor(v, dt, dev, shape), Ref.numel(shape) > 0 ? lay : 0);
                        Ref in = new Ref(rounded(v, dt), shape);
                        int k = 1;
                        for (int d : dims) k *= shape[d];
                        double tol = roundedOnce(dt);
                        String what = dt + " " + Arrays.toString(shape) + " dims " + Arrays.toString(dims) + " layout " + lay + " on " + dev;
                        Tensor s = x.sum(dims, false);
                        assertEquals(dt, s.dtype(), "sum keeps the dtype");
                        // 100003 terms of +-2 summed in 16 bits would be off by far more than this; in float32 they are not.
                        assertClose(in.reduce(dims, false, ConformanceTest::sum), s, tol, "sum " + what);
                        if (k == 0) continue;
                        int kk = k;
                        assertClose(in.reduce(dims, false, g -> ConformanceTest.sum(g) / kk), x.mean(dims, false), tol, "mean " + what);
                        if (k > 1) assertClose(in.reduce(dims, false, g -> ConformanceTest.variance(g, 1)), x.var(dims, 1, false), tol, "var " + what);
                        if (dims.length == 1) {
                            int d = dims[0];
                            assertClose(in.reduce(dims, false, ConformanceTest::max), x.max(d, false), 0, "max " + what);
                            assertClose(in.reduce(dims, false, ConformanceTest::min), x.min(d, false), 0, "min " + what);
                            assertClose(in.reduce(dims, false, g -> ConformanceTest.argmax(g, true)), x.argmax(d, false), 0, "argmax " + what);
                            assertClose(in.reduce(dims, false, ConformanceTest::logsumexp), x.logsumexp(d, false), tol, "logsumexp " + what);
                            assertClose(ConformanceTest.softmaxRef(in, d, false), x.softmax(d), tol, "softmax " + what);
                            assertClose(ConformanceTest.softmaxRef(in, d, true), x.logSoftmax(d), tol, "logSoftmax " + what);
                        }
                    }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void matmulAccumulatesInFloat32(Device dev) {
        Random r = new Random(24);
        // a few rows against a 16-bit matrix (up to 8, HalfGemv's vector blocks and column tail), then the general path
        int[][][] pairs = {{{3, 5}, {5, 4}}, {{2, 3, 5}, {5, 4}}, {{1, 300}, {300, 100}}, {{1, 1, 300}, {300, 70}}, {{2, 4, 33}, {33, 70}},
                {{8, 64}, {64, 40}}, {{9, 64}, {64, 40}}, {{65, 130}, {130, 67}}, {{3, 17, 9}, {3, 9, 33}}, {{300, 1000}, {1000, 20}}};
        for (DType dt : HALVES)
            for (int[][] p : pairs)
                for (int lay = 0; lay < 3; lay++) {
                    double[] va = random(r, Ref.numel(p[0]), -1, 1), vb = random(r, Ref.numel(p[1]), -1, 1);
                    Tensor a = layout(tensor(va, dt, dev, p[0]), lay), b = layout(tensor(vb, dt, dev, p[1]), (lay + 1) % 3);
                    Tensor y = a.matmul(b);
                    String what = "matmul " + dt + " " + Arrays.toString(p[0]) + " @ " + Arrays.toString(p[1]) + " layout " + lay + " on " + dev;
                    assertEquals(dt, y.dtype(), what + ": dtype");
                    assertClose(Ref.matmul(new Ref(rounded(va, dt), p[0]), new Ref(rounded(vb, dt), p[1])), y, roundedOnce(dt), what);
                }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void convolutionPoolingIndexingAndWhere(Device dev) {
        Random r = new Random(25);
        int[][] configs = {{2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1}, {1, 4, 9, 9, 6, 3, 2, 2, 0, 1, 2}, {1, 6, 6, 6, 6, 3, 3, 1, 1, 1, 6}};
        for (DType dt : HALVES) {
            for (int[] c : configs) {
                int n = c[0], ch = c[1], h = c[2], w = c[3], co = c[4], kh = c[5], kw = c[6], groups = c[10];
                int[] stride = {c[7], c[7]}, pad = {c[8], c[8]}, dil = {c[9], c[9]};
                double[] xv = random(r, n * ch * h * w, -1, 1), wv = random(r, co * (ch / groups) * kh * kw, -1, 1), bv = random(r, co, -1, 1);
                Tensor x = tensor(xv, dt, dev, n, ch, h, w), wt = tensor(wv, dt, dev, co, ch / groups, kh, kw), b = tensor(bv, dt, dev, co);
                Ref xr = new Ref(rounded(xv, dt), n, ch, h, w);
                Ref ex = Ref.conv2d(xr, new Ref(rounded(wv, dt), co, ch / groups, kh, kw), new Ref(rounded(bv, dt), co), stride, pad, dil, groups);
                Tensor y = x.conv2d(wt, b, stride, pad, dil, groups);
                assertEquals(dt, y.dtype());
                assertClose(ex, y, tolerance(dt, ch * kh * kw), "conv2d " + dt + " " + Arrays.toString(c) + " on " + dev);
                int[] kk = {2, 2}, ss = {c[7], c[7]}, ps = {0, 0};
                assertClose(Ref.pool(xr, kk, ss, ps, true), x.maxPool2d(kk, ss, ps), 0, "maxPool2d " + dt + " " + Arrays.toString(c));
                assertClose(Ref.pool(xr, kk, ss, ps, false), x.avgPool2d(kk, ss, ps), tolerance(dt, 4), "avgPool2d " + dt + " " + Arrays.toString(c));
            }
            double[] v = random(r, 5 * 6, -1, 1);
            Tensor x = layout(tensor(v, dt, dev, 5, 6), 1);
            Ref rx = new Ref(rounded(v, dt), 5, 6);
            Tensor index = Tensor.of(new long[]{4, 0, 0, 2}).to(dev);
            double[] rows = new double[4 * 6];
            for (int i = 0; i < 4; i++) for (int j = 0; j < 6; j++) rows[i * 6 + j] = rx.at((int) new long[]{4, 0, 0, 2}[i], j);
            assertClose(new Ref(rows, 4, 6), x.indexSelect(0, index), 0, "indexSelect " + dt);
            assertClose(new Ref(rows, 4, 6), x.contiguous().indexSelect(0, index), 0, "indexSelect of contiguous rows " + dt);
            Tensor cond = x.gt(0.0);
            double[] w = new double[30];
            for (int i = 0; i < 30; i++) w[i] = rx.v[i] > 0 ? rx.v[i] : -7;
            assertClose(new Ref(w, 5, 6), x.maskedFill(cond.logicalNot(), -7), 0, "maskedFill " + dt);
            Tensor s = tensor(new double[]{1, 2, 3}, dt, dev, 3);
            double[] sa = rx.v.clone();
            for (int j = 0; j < 3; j++) sa[j] += j + 1; // row 0, columns 0..2
            Tensor gi = Tensor.of(new long[]{0, 1, 2}, 1, 3).to(dev);
            assertClose(new Ref(sa, 5, 6), x.scatterAdd(1, gi.expand(1, 3), s.reshape(1, 3)).contiguous().view(5, 6), tolerance(dt, 2),
                    "scatterAdd " + dt);
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void creationRandomAndItem(Device dev) {
        for (DType dt : HALVES) {
            Tensor z = Tensor.zeros(dt, 3, 4).to(dev), o = Tensor.ones(dt, 5).to(dev), f = Tensor.full(0.1, dt, 2).to(dev);
            assertEquals(0, z.sum().item());
            assertEquals(5, o.sum().item());
            assertEquals(rounded(new double[]{0.1}, dt)[0], f.select(0, 1).item(), "full rounds its value once");
            assertEquals(dt, Tensor.arange(0, 5, 1).to(dt).dtype());
            Ember.manualSeed(3);
            Tensor u = Tensor.randLike(Tensor.zeros(dt, 10000).to(dev));
            assertEquals(dt, u.dtype());
            List<Double> bad = new ArrayList<>();
            for (double d : u.toDoubleArray()) if (!(d >= 0 && d <= 1)) bad.add(d);
            assertEquals(List.of(), bad, "rand in [0, 1] (a float32 draw just under 1 may round up to 1.0 in 16 bits)");
            assertEquals(0.5, u.to(DType.FLOAT64).mean().item(), 0.02, "uniform mean");
            Tensor n = Tensor.randnLike(Tensor.zeros(dt, 10000).to(dev)).to(DType.FLOAT64);
            assertEquals(0, n.mean().item(), 0.05, "normal mean");
            assertEquals(1, n.std().item(), 0.05, "normal std");
        }
    }
}
