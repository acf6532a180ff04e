package dev.ember;

import static dev.ember.testing.Checks.assertClose;
import static dev.ember.testing.Checks.layout;
import static dev.ember.testing.Checks.random;
import static dev.ember.testing.Checks.tensor;
import static dev.ember.testing.Checks.tolerance;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.testing.Checks;
import dev.ember.testing.Ref;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op, forward, on every device present, against a float64 scalar reference ({@link Ref}):
 * random values, odd sizes, size-0 and size-1 dims, 0-d tensors, non-contiguous inputs
 * (transposed, strided, expanded) and broadcasting, in float32 and float64.
 */
@Tag("conformance")
@Tag("devices")
class ConformanceTest {

    static Stream<Device> devices() { return Checks.devices().stream(); }

    private static final DType[] FLOATS = {DType.FLOAT32, DType.FLOAT64};

    private static final int[][] UNARY_SHAPES = {{}, {1}, {7}, {0, 3}, {3, 5}, {2, 3, 4}, {37, 129}, {70001}};

    record UnaryCase(String name, UnaryOperator<Tensor> op, DoubleUnaryOperator ref, double lo, double hi) {}

    static List<UnaryCase> unaryCases() {
        return List.of(
                new UnaryCase("neg", Tensor::neg, x -> -x, -3, 3),
                new UnaryCase("abs", Tensor::abs, Math::abs, -3, 3),
                new UnaryCase("sign", Tensor::sign, Math::signum, -3, 3),
                new UnaryCase("exp", Tensor::exp, Math::exp, -5, 5),
                new UnaryCase("log", Tensor::log, Math::log, 0.01, 10),
                new UnaryCase("log1p", Tensor::log1p, Math::log1p, -0.9, 5),
                new UnaryCase("expm1", Tensor::expm1, Math::expm1, -3, 3),
                new UnaryCase("sqrt", Tensor::sqrt, Math::sqrt, 0, 10),
                new UnaryCase("rsqrt", Tensor::rsqrt, x -> 1 / Math.sqrt(x), 0.1, 10),
                new UnaryCase("reciprocal", Tensor::reciprocal, x -> 1 / x, 0.2, 5),
                new UnaryCase("square", Tensor::square, x -> x * x, -3, 3),
                new UnaryCase("sin", Tensor::sin, Math::sin, -4, 4),
                new UnaryCase("cos", Tensor::cos, Math::cos, -4, 4),
                new UnaryCase("tanh", Tensor::tanh, Math::tanh, -4, 4),
                new UnaryCase("sigmoid", Tensor::sigmoid, x -> 1 / (1 + Math.exp(-x)), -8, 8),
                new UnaryCase("relu", Tensor::relu, x -> Math.max(0, x), -3, 3),
                new UnaryCase("gelu", Tensor::gelu, x -> 0.5 * x * (1 + RefMath.erf(x / Math.sqrt(2))), -5, 5),
                new UnaryCase("erf", Tensor::erf, RefMath::erf, -4, 4),
                new UnaryCase("softplus", Tensor::softplus, x -> Math.log(1 + Math.exp(x)), -10, 10),
                new UnaryCase("floor", Tensor::floor, Math::floor, -3, 3),
                new UnaryCase("ceil", Tensor::ceil, Math::ceil, -3, 3),
                new UnaryCase("round", Tensor::round, Math::rint, -3, 3),
                new UnaryCase("leakyRelu", t -> t.leakyRelu(0.1), x -> x > 0 ? x : 0.1 * x, -3, 3),
                new UnaryCase("pow2.5", t -> t.pow(2.5), x -> Math.pow(x, 2.5), 0, 3),
                new UnaryCase("pow2", t -> t.pow(2.0), x -> x * x, -3, 3),
                new UnaryCase("clamp", t -> t.clamp(-0.5, 0.7), x -> Math.min(Math.max(x, -0.5), 0.7), -2, 2),
                new UnaryCase("mulScalar", t -> t.mul(2.5), x -> x * 2.5, -2, 2),
                new UnaryCase("addScalar", t -> t.add(-1.25), x -> x - 1.25, -2, 2),
                new UnaryCase("rsub", t -> t.rsub(1.0), x -> 1 - x, -2, 2),
                new UnaryCase("divScalar", t -> t.div(3.0), x -> x / 3.0, -2, 2));
    }

    @ParameterizedTest
    @MethodSource("devices")
    void unaryOps(Device dev) {
        Random r = new Random(1);
        for (UnaryCase c : unaryCases())
            for (DType dt : FLOATS)
                for (int[] shape : UNARY_SHAPES)
                    for (int lay = 0; lay < 3; lay++) {
                        if (lay > 0 && (shape.length == 0 || Ref.numel(shape) == 0)) continue;
                        double[] v = random(r, Ref.numel(shape), c.lo(), c.hi());
                        Tensor x = layout(tensor(v, dt, dev, shape), lay);
                        Ref in = new Ref(rounded(v, dt), shape);
                        Tensor y = c.op().apply(x);
                        // float32 transcendental kernels (SIMD polynomials) are accurate to a few ulp
                        double tol = dt == DType.FLOAT32 ? 4e-6 : 1e-12;
                        assertClose(in.map(c.ref()), y, tol, c.name() + " " + dt + " " + Arrays.toString(shape) + " layout " + lay + " on " + dev);
                        assertEquals(dt, y.dtype(), c.name() + " keeps dtype");
                    }
    }

    record BinaryCase(String name, BinaryOperator<Tensor> op, DoubleBinaryOperator ref, double lo, double hi) {}

    static List<BinaryCase> binaryCases() {
        return List.of(
                new BinaryCase("add", Tensor::add, Double::sum, -3, 3),
                new BinaryCase("sub", Tensor::sub, (a, b) -> a - b, -3, 3),
                new BinaryCase("mul", Tensor::mul, (a, b) -> a * b, -3, 3),
                new BinaryCase("div", Tensor::div, (a, b) -> a / b, 0.5, 3),
                new BinaryCase("pow", Tensor::pow, Math::pow, 0.1, 2),
                new BinaryCase("maximum", Tensor::maximum, Math::max, -3, 3),
                new BinaryCase("minimum", Tensor::minimum, Math::min, -3, 3),
                new BinaryCase("atan2", Tensor::atan2, Math::atan2, -3, 3),
                new BinaryCase("remainder", Tensor::remainder, (a, b) -> a - Math.floor(a / b) * b, 0.5, 3),
                new BinaryCase("eq", Tensor::eq, (a, b) -> a == b ? 1 : 0, -1, 1),
                new BinaryCase("lt", Tensor::lt, (a, b) -> a < b ? 1 : 0, -3, 3),
                new BinaryCase("le", Tensor::le, (a, b) -> a <= b ? 1 : 0, -3, 3),
                new BinaryCase("gt", Tensor::gt, (a, b) -> a > b ? 1 : 0, -3, 3),
                new BinaryCase("ge", Tensor::ge, (a, b) -> a >= b ? 1 : 0, -3, 3),
                new BinaryCase("ne", Tensor::ne, (a, b) -> a != b ? 1 : 0, -1, 1));
    }

    private static final int[][][] BROADCAST_PAIRS = {
            {{3, 4}, {3, 4}}, {{2, 3, 4}, {4}}, {{2, 1, 4}, {3, 1}}, {{}, {5}}, {{5}, {}}, {{0, 3}, {3}}, {{1}, {2, 3}},
            {{257, 129}, {129}}, {{257, 1}, {1, 129}}, {{70001}, {70001}}, {{6, 1, 5, 1}, {1, 4, 1, 3}}};

    @ParameterizedTest
    @MethodSource("devices")
    void binaryOpsBroadcast(Device dev) {
        Random r = new Random(2);
        for (BinaryCase c : binaryCases())
            for (DType dt : FLOATS)
                for (int[][] pair : BROADCAST_PAIRS)
                    for (int lay = 0; lay < 3; lay++) {
                        int[] sa = pair[0], sb = pair[1];
                        double[] va = random(r, Ref.numel(sa), c.lo(), c.hi()), vb = random(r, Ref.numel(sb), c.lo(), c.hi());
                        if (c.name().equals("eq") || c.name().equals("ne")) { // make ties likely
                            for (int i = 0; i < va.length; i++) va[i] = Math.round(va[i]);
                            for (int i = 0; i < vb.length; i++) vb[i] = Math.round(vb[i]);
                        }
                        Tensor a = sa.length > 1 && Ref.numel(sa) > 0 ? layout(tensor(va, dt, dev, sa), lay) : tensor(va, dt, dev, sa);
                        Tensor b = sb.length > 1 && Ref.numel(sb) > 0 ? layout(tensor(vb, dt, dev, sb), (lay + 1) % 3) : tensor(vb, dt, dev, sb);
                        Tensor y = c.op().apply(a, b);
                        Ref expected = Ref.zip(new Ref(rounded(va, dt), sa), new Ref(rounded(vb, dt), sb), c.ref());
                        String what = c.name() + " " + dt + " " + Arrays.toString(sa) + " with " + Arrays.toString(sb) + " layout " + lay + " on " + dev;
                        assertClose(expected, y, dt == DType.FLOAT32 ? 4e-6 : 1e-12, what);
                    }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void whereAndMaskedFill(Device dev) {
        Random r = new Random(3);
        for (DType dt : FLOATS) {
            double[] c = random(r, 12, -1, 1), a = random(r, 4, -1, 1), b = random(r, 3, -1, 1);
            Tensor cond = tensor(c, DType.FLOAT64, dev, 3, 4).gt(0.0);
            Tensor x = tensor(a, dt, dev, 4), y = tensor(b, dt, dev, 3, 1);
            Ref rc = new Ref(c, 3, 4), ra = new Ref(rounded(a, dt), 4), rb = new Ref(rounded(b, dt), 3, 1);
            double[] exp = new double[12];
            for (int i = 0; i < 12; i++) {
                int[] idx = Ref.unravel(i, new int[]{3, 4});
                exp[i] = rc.atBroadcast(idx) > 0 ? ra.atBroadcast(idx) : rb.atBroadcast(idx);
            }
            assertClose(new Ref(exp, 3, 4), Tensor.where(cond, x, y), 0, "where " + dt);
            Tensor filled = tensor(a, dt, dev, 1, 4).expand(3, 4).maskedFill(cond, -7);
            double[] exp2 = new double[12];
            for (int i = 0; i < 12; i++) exp2[i] = c[i] > 0 ? -7 : rounded(a, dt)[i % 4];
            assertClose(new Ref(exp2, 3, 4), filled, 0, "maskedFill " + dt);
            // Long rows (vector paths): full operands, and each side a broadcast 0-d scalar.
            int len = 37 * 129;
            double[] cl = random(r, len, -1, 1), xl = rounded(random(r, len, -1, 1), dt), yl = rounded(random(r, len, -1, 1), dt);
            Tensor condL = tensor(cl, DType.FLOAT64, dev, 37, 129).gt(0.0);
            Tensor xt = tensor(xl, dt, dev, 37, 129), yt = tensor(yl, dt, dev, 37, 129), s = tensor(new double[]{0.5}, dt, dev);
            double[] e1 = new double[len], e2 = new double[len], e3 = new double[len];
            for (int i = 0; i < len; i++) {
                e1[i] = cl[i] > 0 ? xl[i] : yl[i];
                e2[i] = cl[i] > 0 ? xl[i] : 0.5;
                e3[i] = cl[i] > 0 ? 0.5 : yl[i];
            }
            assertClose(new Ref(e1, 37, 129), Tensor.where(condL, xt, yt), 0, "where full " + dt);
            assertClose(new Ref(e2, 37, 129), Tensor.where(condL, xt, s), 0, "where scalar y " + dt);
            assertClose(new Ref(e3, 37, 129), Tensor.where(condL, s, yt), 0, "where scalar x " + dt);
        }
    }

    private static final int[][] REDUCE_SHAPES = {{5, 7, 3}, {1, 4}, {6}, {33, 65}, {2, 0, 3}, {100003}};

    @ParameterizedTest
    @MethodSource("devices")
    void reductions(Device dev) {
        Random r = new Random(4);
        for (DType dt : FLOATS)
            for (int[] shape : REDUCE_SHAPES)
                for (int[] dims : dimSubsets(shape.length))
                    for (boolean keep : new boolean[]{false, true})
                        for (int lay = 0; lay < 2; lay++) {
                            double[] v = random(r, Ref.numel(shape), -2, 2);
                            Tensor x = layout(tensor(v, dt, dev, shape), Ref.numel(shape) > 0 ? lay : 0);
                            Ref in = new Ref(rounded(v, dt), shape);
                            int k = 1;
                            for (int d : dims) k *= shape[d];
                            double tol = tolerance(dt, k) * 10;
                            String what = dt + " " + Arrays.toString(shape) + " dims " + Arrays.toString(dims) + " keep " + keep + " on " + dev;
                            assertClose(in.reduce(dims, keep, ConformanceTest::sum), x.sum(dims, keep), tol, "sum " + what);
                            if (k > 0) {
                                int kk = k;
                                assertClose(in.reduce(dims, keep, g -> sum(g) / kk), x.mean(dims, keep), tol, "mean " + what);
                                if (k > 1) assertClose(in.reduce(dims, keep, g -> variance(g, 1)), x.var(dims, 1, keep), tol * 10, "var " + what);
                                assertClose(in.reduce(dims, keep, g -> variance(g, 0)), x.var(dims, 0, keep), tol * 10, "var0 " + what);
                                if (dims.length == 1 && Ref.numel(shape) > 0) {
                                    int d = dims[0];
                                    assertClose(in.reduce(dims, keep, ConformanceTest::max), x.max(d, keep), 0, "max " + what);
                                    assertClose(in.reduce(dims, keep, ConformanceTest::min), x.min(d, keep), 0, "min " + what);
                                    assertClose(in.reduce(dims, keep, g -> argmax(g, true)), x.argmax(d, keep), 0, "argmax " + what);
                                    assertClose(in.reduce(dims, keep, g -> argmax(g, false)), x.argmin(d, keep), 0, "argmin " + what);
                                    assertClose(in.reduce(dims, keep, ConformanceTest::logsumexp), x.logsumexp(d, keep), tol, "logsumexp " + what);
                                }
                            }
                        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void fullReductionsAndSoftmax(Device dev) {
        Random r = new Random(5);
        for (DType dt : FLOATS)
            for (int[] shape : new int[][]{{}, {1}, {9}, {4, 33}, {3, 5, 7}, {130001}}) {
                double[] v = random(r, Ref.numel(shape), -3, 3);
                Tensor x = tensor(v, dt, dev, shape);
                double[] vr = rounded(v, dt);
                double tol = tolerance(dt, v.length) * 10;
                assertEquals(sum(vr), x.sum().item(), tol * Math.max(1, Math.abs(sum(vr))), "sum all " + Arrays.toString(shape));
                assertEquals(max(vr), x.max().item(), 0, "max all");
                assertEquals(min(vr), x.min().item(), 0, "min all");
                assertEquals(argmax(vr, true), x.argmax().item(), 0, "argmax all");
                for (int d = 0; d < shape.length; d++) {
                    int dim = d;
                    Ref in = new Ref(vr, shape);
                    Ref sm = softmaxRef(in, dim, false), lsm = softmaxRef(in, dim, true);
                    assertClose(sm, x.softmax(dim), dt == DType.FLOAT32 ? 2e-6 : 1e-12, "softmax dim " + dim + " " + Arrays.toString(shape));
                    assertClose(lsm, x.logSoftmax(dim), dt == DType.FLOAT32 ? 2e-6 : 1e-12, "logSoftmax dim " + dim);
                }
            }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void matmulShapes(Device dev) {
        Random r = new Random(6);
        int[][][] pairs = {{{5}, {5}}, {{3, 5}, {5}}, {{5}, {5, 4}}, {{3, 5}, {5, 4}}, {{2, 3, 5}, {5, 4}}, {{5}, {2, 5, 4}},
                {{2, 1, 3, 5}, {4, 5, 6}}, {{65, 130}, {130, 67}}, {{0, 3}, {3, 4}}, {{3, 0}, {0, 4}}, {{1, 1}, {1, 1}},
                {{3, 17, 9}, {3, 9, 33}}, {{300, 70}, {70, 90}}};
        for (DType dt : FLOATS)
            for (int[][] p : pairs)
                for (int lay = 0; lay < 3; lay++) {
                    double[] va = random(r, Ref.numel(p[0]), -1, 1), vb = random(r, Ref.numel(p[1]), -1, 1);
                    boolean layOk = Ref.numel(p[0]) > 0 && Ref.numel(p[1]) > 0;
                    Tensor a = layout(tensor(va, dt, dev, p[0]), layOk && p[0].length > 1 ? lay : 0);
                    Tensor b = layout(tensor(vb, dt, dev, p[1]), layOk && p[1].length > 1 ? (lay + 1) % 3 : 0);
                    Ref ra = new Ref(rounded(va, dt), p[0]), rb = new Ref(rounded(vb, dt), p[1]);
                    boolean vecA = p[0].length == 1, vecB = p[1].length == 1;
                    Ref ra2 = vecA ? new Ref(ra.v, 1, p[0][0]) : ra, rb2 = vecB ? new Ref(rb.v, p[1][0], 1) : rb;
                    Ref e = Ref.matmul(ra2, rb2);
                    int[] shape = e.shape;
                    List<Integer> s = new ArrayList<>();
                    for (int i = 0; i < shape.length; i++) {
                        if (vecA && i == shape.length - 2) continue;
                        if (vecB && i == shape.length - 1) continue;
                        s.add(shape[i]);
                    }
                    Ref expected = new Ref(e.v, s.stream().mapToInt(Integer::intValue).toArray());
                    int k = p[0][p[0].length - 1];
                    assertClose(expected, a.matmul(b), tolerance(dt, k) * 10,
                            "matmul " + dt + " " + Arrays.toString(p[0]) + " @ " + Arrays.toString(p[1]) + " layout " + lay + " on " + dev);
                }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void shapeOps(Device dev) {
        Random r = new Random(7);
        double[] v = random(r, 2 * 3 * 4, -1, 1);
        Tensor x = tensor(v, DType.FLOAT32, dev, 2, 3, 4);
        Ref rx = new Ref(rounded(v, DType.FLOAT32), 2, 3, 4);
        // permute (2, 0, 1): out[i][j][k] = x[j][k][i]
        double[] perm = new double[24];
        for (int f = 0; f < 24; f++) { int[] i = Ref.unravel(f, new int[]{4, 2, 3}); perm[f] = rx.at(i[1], i[2], i[0]); }
        assertClose(new Ref(perm, 4, 2, 3), x.permute(2, 0, 1), 0, "permute");
        assertClose(new Ref(perm, 4, 2, 3), x.permute(2, 0, 1).contiguous(), 0, "permute contiguous");
        double[] tr = new double[24];
        for (int f = 0; f < 24; f++) { int[] i = Ref.unravel(f, new int[]{4, 3, 2}); tr[f] = rx.at(i[2], i[1], i[0]); }
        assertClose(new Ref(tr, 4, 3, 2), x.transpose(0, 2), 0, "transpose");
        assertClose(new Ref(rx.v, 6, 4), x.reshape(6, -1), 0, "reshape");
        assertClose(new Ref(tr, 4, 6), x.transpose(0, 2).reshape(4, 6), 0, "reshape of a transposed view copies");
        double[] nar = new double[2 * 2 * 4];
        for (int f = 0; f < nar.length; f++) { int[] i = Ref.unravel(f, new int[]{2, 2, 4}); nar[f] = rx.at(i[0], i[1] + 1, i[2]); }
        assertClose(new Ref(nar, 2, 2, 4), x.narrow(1, 1, 2), 0, "narrow");
        assertClose(new Ref(nar, 2, 2, 4), x.narrow(1, -2, 2), 0, "narrow with negative start");
        double[] sel = new double[8];
        for (int f = 0; f < 8; f++) sel[f] = rx.at(f / 4, 2, f % 4);
        assertClose(new Ref(sel, 2, 4), x.select(1, 2), 0, "select");
        assertClose(new Ref(rx.v, 2, 1, 3, 4), x.unsqueeze(1), 0, "unsqueeze");
        assertClose(new Ref(rx.v, 2, 3, 4), x.unsqueeze(0).unsqueeze(3).squeeze(), 0, "squeeze");
        double[] ex = new double[5 * 2 * 3 * 4];
        for (int f = 0; f < ex.length; f++) ex[f] = rx.v[f % 24];
        assertClose(new Ref(ex, 5, 2, 3, 4), x.expand(5, 2, 3, 4), 0, "expand");
        assertClose(new Ref(ex, 5, 2, 3, 4), x.expand(5, -1, -1, -1).contiguous(), 0, "expand contiguous");
        // cat / stack / split / chunk
        Tensor c = Tensor.cat(1, x, x.narrow(1, 0, 1));
        double[] cat = new double[2 * 4 * 4];
        for (int f = 0; f < cat.length; f++) { int[] i = Ref.unravel(f, new int[]{2, 4, 4}); cat[f] = rx.at(i[0], i[1] < 3 ? i[1] : 0, i[2]); }
        assertClose(new Ref(cat, 2, 4, 4), c, 0, "cat");
        Tensor st = Tensor.stack(0, x, x.mul(2.0));
        double[] sv = new double[48];
        for (int f = 0; f < 48; f++) sv[f] = f < 24 ? rx.v[f] : 2 * rx.v[f - 24];
        assertClose(new Ref(sv, 2, 2, 3, 4), st, 1e-7, "stack");
        List<Tensor> parts = x.split(3, 2);
        assertEquals(2, parts.size());
        assertArrayEquals(new long[]{2, 3, 1}, parts.get(1).shape());
        assertEquals(x.select(2, 3).sum().item(), parts.get(1).sum().item(), 1e-6);
        assertEquals(3, x.chunk(3, 1).size());
        assertArrayEquals(new long[]{24}, x.flatten().shape());
        assertArrayEquals(new long[]{2, 12}, x.flatten(1, 2).shape());
        assertClose(new Ref(tr, 4, 3, 2), x.transpose(0, 2).contiguous(), 0, "contiguous of transpose");
    }

    @ParameterizedTest
    @MethodSource("devices")
    void indexing(Device dev) {
        Random r = new Random(8);
        for (DType dt : FLOATS) {
            double[] v = random(r, 5 * 6, -1, 1);
            Tensor x = layout(tensor(v, dt, dev, 5, 6), 1);
            Ref rx = new Ref(rounded(v, dt), 5, 6);
            long[] idx = {4, 0, 0, 2};
            Tensor index = Tensor.of(idx).to(dev);
            double[] rows = new double[4 * 6], cols = new double[5 * 4];
            for (int i = 0; i < 4; i++) for (int j = 0; j < 6; j++) rows[i * 6 + j] = rx.at((int) idx[i], j);
            for (int i = 0; i < 5; i++) for (int j = 0; j < 4; j++) cols[i * 4 + j] = rx.at(i, (int) idx[j]);
            assertClose(new Ref(rows, 4, 6), x.indexSelect(0, index), 0, "indexSelect dim 0 " + dt);
            assertClose(new Ref(rows, 4, 6), x.contiguous().indexSelect(0, index), 0, "indexSelect dim 0, contiguous rows " + dt);
            assertClose(new Ref(cols, 5, 4), x.indexSelect(1, index), 0, "indexSelect dim 1 " + dt);
            long[] g = new long[5 * 3];
            for (int i = 0; i < g.length; i++) g[i] = r.nextInt(6);
            Tensor gi = Tensor.of(g, 5, 3).to(dev);
            double[] ge = new double[15];
            for (int i = 0; i < 5; i++) for (int j = 0; j < 3; j++) ge[i * 3 + j] = rx.at(i, (int) g[i * 3 + j]);
            assertClose(new Ref(ge, 5, 3), x.gather(1, gi), 0, "gather " + dt);
            double[] src = random(r, 15, -1, 1);
            Tensor s = tensor(src, dt, dev, 5, 3);
            double[] sa = rx.v.clone();
            double[] srcR = rounded(src, dt);
            for (int i = 0; i < 5; i++) for (int j = 0; j < 3; j++) sa[i * 6 + (int) g[i * 3 + j]] += srcR[i * 3 + j];
            assertClose(new Ref(sa, 5, 6), x.scatterAdd(1, gi, s), tolerance(dt, 3), "scatterAdd " + dt);
        }
        Tensor labels = Tensor.of(new long[]{2, 0, 1}).to(dev);
        assertArrayEquals(new long[]{0, 0, 1, 1, 0, 0, 0, 1, 0}, labels.oneHot(3).toLongArray(), "oneHot");
    }

    @ParameterizedTest
    @MethodSource("devices")
    void convolutionAndPooling(Device dev) {
        Random r = new Random(9);
        int[][] configs = { // n, c, h, w, cout, kh, kw, stride, pad, dil, groups
                {2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1}, {1, 4, 9, 9, 6, 3, 2, 2, 0, 1, 2}, {2, 2, 8, 7, 2, 2, 2, 1, 2, 2, 1},
                {3, 1, 5, 5, 2, 1, 1, 1, 0, 1, 1}, {1, 6, 6, 6, 6, 3, 3, 1, 1, 1, 6}};
        for (DType dt : FLOATS)
            for (int[] c : configs) {
                int n = c[0], ch = c[1], h = c[2], w = c[3], co = c[4], kh = c[5], kw = c[6];
                int[] stride = {c[7], c[7]}, pad = {c[8], c[8]}, dil = {c[9], c[9]};
                int groups = c[10];
                double[] xv = random(r, n * ch * h * w, -1, 1), wv = random(r, co * (ch / groups) * kh * kw, -1, 1), bv = random(r, co, -1, 1);
                Tensor x = tensor(xv, dt, dev, n, ch, h, w), wt = tensor(wv, dt, dev, co, ch / groups, kh, kw), b = tensor(bv, dt, dev, co);
                Ref ex = Ref.conv2d(new Ref(rounded(xv, dt), n, ch, h, w), new Ref(rounded(wv, dt), co, ch / groups, kh, kw),
                        new Ref(rounded(bv, dt), co), stride, pad, dil, groups);
                assertClose(ex, x.conv2d(wt, b, stride, pad, dil, groups), tolerance(dt, ch * kh * kw) * 10,
                        "conv2d " + dt + " " + Arrays.toString(c) + " on " + dev);
                int k = 2 + (c[8] > 0 ? 1 : 0);
                int[] kk = {k, k}, ps = {c[8] > 0 ? 1 : 0, c[8] > 0 ? 1 : 0}, ss = {c[7], c[7]};
                Ref xr = new Ref(rounded(xv, dt), n, ch, h, w);
                assertClose(Ref.pool(xr, kk, ss, ps, true), x.maxPool2d(kk, ss, ps), 0, "maxPool2d " + Arrays.toString(c));
                assertClose(Ref.pool(xr, kk, ss, ps, false), x.avgPool2d(kk, ss, ps), tolerance(dt, k * k), "avgPool2d " + Arrays.toString(c));
            }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void maxPoolTiesNanAndLayouts(Device dev) {
        // n, c, h, w, kh, kw, sh, sw, ph, pw: odd sizes, padding, stride != kernel, overlapping and
        // rectangular windows, and enough planes to split across threads
        int[][] configs = {{2, 3, 7, 9, 2, 2, 2, 2, 0, 0}, {1, 2, 9, 7, 3, 3, 2, 2, 1, 1}, {2, 2, 8, 5, 3, 2, 1, 2, 1, 0},
                {1, 3, 5, 6, 2, 2, 1, 1, 0, 0}, {4, 4, 28, 28, 2, 2, 2, 2, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}};
        Random r = new Random(11);
        for (DType dt : FLOATS)
            for (int[] c : configs)
                for (int values = 0; values < 3; values++) // random; integers (ties, -0.0 against 0.0); integers and NaN
                    for (int lay = 0; lay < 4; lay++) {
                        int[] shape = {c[0], c[1], c[2], c[3]}, k = {c[4], c[5]}, s = {c[6], c[7]}, p = {c[8], c[9]};
                        double[] v = random(r, Ref.numel(shape), -2, 2);
                        for (int i = 0; i < v.length; i++) {
                            if (values > 0) v[i] = Math.rint(v[i]);
                            if (values == 2 && r.nextInt(7) == 0) v[i] = Double.NaN;
                        }
                        Tensor x = tensor(v, dt, dev, shape);
                        x = lay == 3 ? x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : layout(x, lay); // 3: channels-last
                        assertClose(Ref.pool(new Ref(rounded(v, dt), shape), k, s, p, true), x.maxPool2d(k, s, p), 0,
                                "maxPool2d " + dt + " " + Arrays.toString(c) + " values " + values + " layout " + lay + " on " + dev);
                    }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void copiesAndConversions(Device dev) {
        Random r = new Random(10);
        double[] v = random(r, 60, -100, 100);
        Tensor x = layout(tensor(v, DType.FLOAT64, dev, 6, 10), 1);
        for (DType dt : DType.values()) {
            Tensor y = x.to(dt);
            assertEquals(dt, y.dtype());
            double[] exp = new double[60];
            for (int i = 0; i < 60; i++) {
                exp[i] = switch (dt) {
                    case BOOL -> v[i] != 0 ? 1 : 0;
                    case INT32, INT64 -> (long) v[i]; // truncation toward zero, as C and PyTorch
                    case FLOAT32 -> (float) v[i];
                    case FLOAT64 -> v[i];
                };
            }
            assertClose(new Ref(exp, 6, 10), y, 0, "to " + dt);
        }
        Tensor filled = Tensor.full(3.5, DType.FLOAT32, 3, 2).to(dev);
        assertClose(new Ref(new double[]{3.5, 3.5, 3.5, 3.5, 3.5, 3.5}, 3, 2), filled, 0, "full");
        Tensor target = Tensor.zeros(4, 5).to(dev);
        target.narrow(1, 1, 3).copyFrom(Tensor.ones(1, 3).to(dev));
        assertEquals(12.0, target.sum().item(), 0, "copyFrom into a narrowed view with broadcasting");
    }

    // ---- float64 reference helpers --------------------------------------------------------------

    static double[] rounded(double[] v, DType dt) {
        if (dt != DType.FLOAT32) return v;
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) o[i] = (float) v[i];
        return o;
    }

    static List<int[]> dimSubsets(int rank) {
        List<int[]> out = new ArrayList<>();
        for (int mask = 1; mask < (1 << rank); mask++) {
            int[] d = new int[Integer.bitCount(mask)];
            for (int i = 0, k = 0; i < rank; i++) if ((mask & (1 << i)) != 0) d[k++] = i;
            out.add(d);
        }
        return out;
    }

    static double sum(double[] g) { double s = 0; for (double x : g) s += x; return s; }

    static double max(double[] g) { double m = Double.NEGATIVE_INFINITY; for (double x : g) m = Math.max(m, x); return m; }

    static double min(double[] g) { double m = Double.POSITIVE_INFINITY; for (double x : g) m = Math.min(m, x); return m; }

    static double argmax(double[] g, boolean max) {
        int best = 0;
        for (int i = 1; i < g.length; i++) if (max ? g[i] > g[best] : g[i] < g[best]) best = i;
        return best;
    }

    static double variance(double[] g, int correction) {
        double m = sum(g) / g.length, s = 0;
        for (double x : g) s += (x - m) * (x - m);
        return s / (g.length - correction);
    }

    static double logsumexp(double[] g) {
        double m = max(g), s = 0;
        for (double x : g) s += Math.exp(x - m);
        return m + Math.log(s);
    }

    static Ref softmaxRef(Ref in, int dim, boolean log) {
        int[] d = {dim};
        Ref m = in.reduce(d, true, ConformanceTest::max);
        Ref shifted = Ref.zip(in, m, (a, b) -> a - b);
        Ref s = shifted.reduce(d, true, g -> { double t = 0; for (double x : g) t += Math.exp(x); return t; });
        return Ref.zip(shifted, s, (a, b) -> log ? a - Math.log(b) : Math.exp(a) / b);
    }
}
