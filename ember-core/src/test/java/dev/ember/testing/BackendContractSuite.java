package dev.ember.testing;

import static dev.ember.testing.StridedOperands.assertClose;
import static dev.ember.testing.StridedOperands.atol;
import static dev.ember.testing.StridedOperands.operand;
import static dev.ember.testing.StridedOperands.output;
import static dev.ember.testing.StridedOperands.read;
import static dev.ember.testing.StridedOperands.readLongs;
import static dev.ember.testing.StridedOperands.rtol;
import static dev.ember.testing.StridedOperands.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Fused;
import dev.ember.Normalization;
import dev.ember.Tensor;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ConvGeometry;
import dev.ember.backend.MemoryStats;
import dev.ember.backend.Philox;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import dev.ember.testing.StridedOperands.Operand;
import dev.ember.testing.StridedOperands.View;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Backend} meets, with the CPU backend as the oracle: each primitive on random
 * inputs of every dtype it serves, through contiguous, transposed, stepped-with-offset and broadcast
 * (zero-stride) views, size-0 and size-1 dimensions; the optional fused capabilities against the tensor
 * layer's composition of primitives; errors that only a kernel can see, raised as on the CPU; and the
 * semantics the GPU kernels once disagreed on (GELU's tail, integer division by -1, error messages).
 *
 * <p>A backend module runs it with a one-line subclass naming its device type
 * ({@code class OpenClContractTest extends BackendContractSuite { OpenClContractTest() { super("opencl"); } }});
 * it tests the type's first device and is skipped, with discovery's reason, where there is none. When every
 * test passes, the backend is complete (docs/adding-a-backend.md).
 */
public abstract class BackendContractSuite {
    private static final Backend CPU = Backends.of(Device.cpu());
    private static final List<int[]> SHAPES = List.of(new int[]{3, 5, 7}, new int[]{1, 9}, new int[]{4, 0, 2},
            new int[]{2, 1, 3, 1, 5}, new int[]{11}, new int[]{});

    private final String type;
    private Backend b;

    /** The suite for the first device of {@code deviceType} ({@code "cpu"}, {@code "opencl"}, ...). */
    protected BackendContractSuite(String deviceType) { this.type = deviceType; }

    @BeforeEach
    void backendUnderTest() {
        Backends.Family f = Backends.family(type);
        Assumptions.assumeTrue(f.available(), () -> type + " unavailable: " + f.reason());
        b = f.devices().getFirst();
    }

    /** The backend under test. */
    protected final Backend backend() { return b; }

    private interface Op { Strided apply(Backend b, Strided[] in); }

    /** Runs {@code op} on the CPU and on the backend over the same operands and compares the outputs. */
    private void check(String what, double rtol, double atol, Op op, Operand... ops) {
        Strided[] cpuIn = new Strided[ops.length], in = new Strided[ops.length];
        for (int i = 0; i < ops.length; i++) { cpuIn[i] = ops[i].on(CPU); in[i] = ops[i].on(b); }
        double[] expected = read(CPU, op.apply(CPU, cpuIn));
        double[] actual = read(b, op.apply(b, in));
        assertClose(what + " on " + b.device(), expected, actual, rtol, atol);
    }

    /** The dtypes this backend stores (a device without double precision refuses FLOAT64). */
    private List<DType> dtypes() {
        List<DType> out = new ArrayList<>();
        for (DType d : DType.values()) {
            try {
                b.allocate(d, 1).close();
                out.add(d);
            } catch (UnsupportedOperationException e) {
                // the device has no such type; the tensor layer reports it where a user asks for one
            }
        }
        return out;
    }

    private List<DType> floats() { return dtypes().stream().filter(DType::isFloatingPoint).toList(); }

    // ---- memory, copy, fill ------------------------------------------------------------------

    @Test
    void hostRoundTripZeroFillAndEmptyStorages() {
        Random rnd = new Random(1);
        for (DType d : dtypes()) {
            Object host = StridedOperands.randomArray(rnd, d, 37);
            Storage s = b.fromHost(d, host);
            assertEquals(d, s.dtype());
            assertEquals(37, s.length());
            assertArrayEquals(read(CPU, Operand.of(d, host, 37).on(CPU)), read(b, Strided.contiguous(s, 37)), d + " round trip");
            assertArrayEquals(new double[5], read(b, output(b, d, 5)), d + ": allocate zero-fills");
            Storage empty = b.fromHost(d, StridedOperands.hostArray(d, 0));
            assertEquals(0, read(b, Strided.contiguous(empty, 0)).length);
            empty.close();
            s.close();
        }
    }

    @Test
    void copyConvertsEveryDtypePairThroughEveryView() {
        Random rnd = new Random(2);
        double[] special = {2.5, -3.7, 0, -0.0, 1, Double.NaN, Double.POSITIVE_INFINITY, -1e12, 3e9, 7, -2.5e19};
        for (DType s : dtypes())
            for (View v : View.values()) {
                Operand x = operand(rnd, s, v, 3, 4, 5);
                if (s.isFloatingPoint()) {
                    int n = java.lang.reflect.Array.getLength(x.host());
                    for (int i = 0; i < special.length; i++) x.set(i * 3 % n, special[i]);
                }
                for (DType d : dtypes()) {
                    check("copy " + s + "->" + d + " " + v, 0, 0, (be, in) -> {
                        Strided out = output(be, d, 3, 4, 5);
                        be.copy(in[0], out);
                        return out;
                    }, x);
                    check("copy " + s + "->" + d + " " + v + " into a transposed view", 0, 0, (be, in) -> {
                        Storage st = be.allocate(d, 60);
                        be.copy(in[0], new Strided(st, new int[]{3, 4, 5}, new int[]{1, 3, 12}, 0));
                        return Strided.contiguous(st, 60);
                    }, x);
                }
            }
    }

    @Test
    void fillEveryDtypeThroughAView() {
        for (DType d : dtypes())
            for (double value : new double[]{2.5, -3.7, 0, -0.0, Double.NaN, 1e20, -1e20, 1})
                check("fill " + d + " " + value, 0, 0, (be, in) -> {
                    Storage st = be.allocate(d, 40);
                    be.fill(new Strided(st, new int[]{3, 4}, new int[]{2, 8}, 5), value);
                    return Strided.contiguous(st, 40);
                });
    }

    // ---- elementwise -------------------------------------------------------------------------

    /** Parameters that exercise each op: clamp bounds (and crossed bounds on integers), powers, slopes. */
    private static double[][] params(UnaryOp op) {
        return switch (op) {
            case CLAMP -> new double[][]{{-0.5, 2.5}, {Double.NEGATIVE_INFINITY, 0.7}, {3, -2}};
            case POW_SCALAR -> new double[][]{{2.5, 0}, {2, 0}, {-1, 0}};
            case LEAKY_RELU -> new double[][]{{0.1, 0}};
            default -> new double[][]{{0, 0}};
        };
    }

    @Test
    void unaryOpsOnEveryDtypeAndView() {
        Random rnd = new Random(3);
        for (DType d : dtypes())
            for (UnaryOp op : UnaryOp.values()) {
                if (!d.isFloatingPoint() && !op.definedOnIntegers()) continue; // anOpWithoutAFormForTheDtypeThrows
                DType outType = op.outputType(d);
                for (double[] p : params(op))
                    for (View v : View.values())
                        for (int[] shape : SHAPES) {
                            if (v == View.BROADCAST && shape.length == 0) continue;
                            Operand x = operand(rnd, d, v, shape);
                            int n = java.lang.reflect.Array.getLength(x.host());
                            if (d.isFloatingPoint() && n > 4) {
                                x.set(0, Double.NaN);
                                x.set(1, 30);
                                x.set(2, -0.0);
                                x.set(3, Double.NEGATIVE_INFINITY);
                            }
                            check("unary " + op + Arrays.toString(p) + " " + d + " " + v + " " + Arrays.toString(shape), rtol(d),
                                    atol(d), (be, in) -> {
                                        Strided out = output(be, outType, shape);
                                        be.unary(op, in[0], out, p[0], p[1]);
                                        return out;
                                    }, x);
                        }
                // Contiguous and 16-byte aligned, with a tail: the vectorised float32 path.
                for (int offset : new int[]{0, 4}) {
                    Operand x = operand(rnd, d, View.CONTIGUOUS, 1031 + offset);
                    Operand view = new Operand(d, x.host(), new int[]{1031}, new int[]{1}, offset);
                    check("unary " + op + " " + d + " aligned, offset " + offset, rtol(d), atol(d), (be, in) -> {
                        Strided out = output(be, outType, 1031);
                        be.unary(op, in[0], out, params(op)[0][0], params(op)[0][1]);
                        return out;
                    }, view);
                }
            }
    }

    /** Integer division and remainder by zero, and negative powers, raise: keep y out of their way here. */
    private static void avoidIntegerErrors(BinaryOp op, Operand y) {
        Object h = y.host();
        int n = java.lang.reflect.Array.getLength(h);
        for (int i = 0; i < n; i++) {
            long v = ((Number) java.lang.reflect.Array.get(h, i)).longValue();
            long fixed = op == BinaryOp.POW ? Math.floorMod(v, 4) : (op == BinaryOp.DIV || op == BinaryOp.REMAINDER) && v == 0 ? 3 : v;
            set(h, i, h instanceof byte[] && (op == BinaryOp.DIV || op == BinaryOp.REMAINDER) ? 1 : fixed);
        }
    }

    @Test
    void binaryOpsOnEveryDtypeWithBroadcasting() {
        Random rnd = new Random(4);
        for (DType d : dtypes())
            for (BinaryOp op : BinaryOp.values()) {
                if (!d.isFloatingPoint() && !op.definedOnIntegers()) continue; // anOpWithoutAFormForTheDtypeThrows
                DType outType = op.outputType(d);
                for (View vx : View.values())
                    for (View vy : new View[]{View.CONTIGUOUS, View.BROADCAST, View.TRANSPOSED}) {
                        int[] shape = {4, 3, 5};
                        Operand x = operand(rnd, d, vx, shape), y = operand(rnd, d, vy, shape);
                        if (!d.isFloatingPoint()) avoidIntegerErrors(op, y);
                        if (d.isFloatingPoint()) {
                            x.set(0, Double.NaN);
                            x.set(1, Double.POSITIVE_INFINITY);
                            y.set(2, 0);
                        }
                        check("binary " + op + " " + d + " " + vx + "/" + vy, rtol(d), atol(d), (be, in) -> {
                            Strided out = output(be, outType, shape);
                            be.binary(op, in[0], in[1], out);
                            return out;
                        }, x, y);
                    }
                // Contiguous and aligned with a tail, against a contiguous or a one-element y: the vectorised paths.
                Operand x = operand(rnd, d, View.CONTIGUOUS, 1031), y = operand(rnd, d, View.CONTIGUOUS, 1031);
                if (!d.isFloatingPoint()) avoidIntegerErrors(op, y);
                Operand one = new Operand(d, y.host(), new int[]{1031}, new int[]{0}, 5);
                for (Operand other : new Operand[]{y, one})
                    check("binary " + op + " " + d + " aligned, y stride " + other.strides()[0], rtol(d), atol(d), (be, in) -> {
                        Strided out = output(be, outType, 1031);
                        be.binary(op, in[0], in[1], out);
                        return out;
                    }, x, other);
            }
    }

    @Test
    void whereOnEveryDtype() {
        Random rnd = new Random(5);
        for (DType d : dtypes())
            for (View v : View.values()) {
                int[] shape = {5, 2, 3};
                check("where " + d + " " + v, 0, 0, (be, in) -> {
                    Strided out = output(be, d, shape);
                    be.where(in[0], in[1], in[2], out);
                    return out;
                }, operand(rnd, DType.BOOL, v, shape), operand(rnd, d, View.TRANSPOSED, shape), operand(rnd, d, View.BROADCAST, shape));
            }
    }

    // ---- reductions --------------------------------------------------------------------------

    @Test
    void reductionsOnShortLongAndSplitRows() {
        Random rnd = new Random(6);
        int[][] shapes = {{3, 5, 37}, {2, 130}, {4, 1}, {1}, {0, 6}, {2, 3, 300}, {2, 70_000}};
        for (DType d : dtypes())
            for (ReduceOp op : ReduceOp.values()) {
                DType outType = op.outputType(d);
                for (int[] shape : shapes)
                    for (View v : View.values()) {
                        int k = shape[shape.length - 1];
                        if (op == ReduceOp.PROD && k > 40) continue; // products of many terms overflow
                        if (k > 10_000 && v != View.CONTIGUOUS && v != View.TRANSPOSED) continue;
                        Operand x = operand(rnd, d, v, shape);
                        int n = java.lang.reflect.Array.getLength(x.host());
                        if (d.isFloatingPoint() && n > 20) {
                            x.set(7, x.get(3)); // a tie
                            if (op != ReduceOp.SUM) x.set(11, Double.NaN); // the first NaN wins
                        }
                        int[] outShape = Arrays.copyOf(shape, shape.length - 1);
                        double scale = Math.max(1, Math.sqrt(k) * 4);
                        check("reduce " + op + " " + d + " " + v + " " + Arrays.toString(shape), rtol(d) * scale, atol(d) * scale,
                                (be, in) -> {
                                    Strided out = output(be, outType, outShape);
                                    be.reduce(op, in[0], out);
                                    return out;
                                }, x);
                    }
            }
    }

    // ---- linear algebra ----------------------------------------------------------------------

    @Test
    void matmulWithTransposedBroadcastAndGappedOperands() {
        Random rnd = new Random(7);
        int[][] sizes = {{2, 33, 17, 41}, {1, 1, 1, 1}, {3, 5, 0, 4}, {1, 70, 65, 3}, {1, 3, 20, 130}, {2, 0, 3, 4}};
        for (DType d : dtypes())
            for (int[] s : sizes)
                for (View va : View.values())
                    for (View vb : new View[]{View.CONTIGUOUS, View.TRANSPOSED, View.STEPPED_WITH_OFFSET}) {
                        int batch = s[0], m = s[1], k = s[2], n = s[3];
                        double scale = Math.max(1, k);
                        check("matmul " + d + " " + va + "/" + vb + " " + Arrays.toString(s), rtol(d) * scale, atol(d) * scale,
                                (be, in) -> {
                                    Strided out = output(be, d, batch, m, n);
                                    if (k > 0) be.matmul(in[0], in[1], out); // the tensor layer's rule: k = 0 is the zeros it allocated
                                    return out;
                                }, operand(rnd, d, va, batch, m, k), operand(rnd, d, vb, batch, k, n));
                    }
    }

    // ---- indexing ----------------------------------------------------------------------------

    @Test
    void gatherAndScatterAddAlongEveryDim() {
        Random rnd = new Random(8);
        int[] xShape = {4, 5, 6};
        for (DType d : dtypes())
            for (int dim = 0; dim < 3; dim++) {
                int[] idxShape = {3, 4, 2};
                idxShape[dim] = 7; // longer than x along dim: indices repeat
                long[] idx = new long[idxShape[0] * idxShape[1] * idxShape[2]];
                for (int i = 0; i < idx.length; i++) idx[i] = rnd.nextInt(xShape[dim]);
                Operand index = Operand.of(DType.INT64, idx, idxShape);
                int fd = dim;
                check("gather " + d + " dim " + dim, 0, 0, (be, in) -> {
                    Strided out = output(be, d, idxShape);
                    be.gather(in[0], fd, in[1], out);
                    return out;
                }, operand(rnd, d, View.STEPPED_WITH_OFFSET, xShape), index);
                // A broadcast index (one index for a whole row, as indexSelect makes).
                Operand row = new Operand(DType.INT64, new long[]{2, 0, 3}, idxShape, dim == 0 ? new int[]{1, 0, 0}
                        : dim == 1 ? new int[]{0, 1, 0} : new int[]{0, 0, 1}, 0);
                int[] rowShape = idxShape.clone();
                rowShape[dim] = 3;
                Operand rowIndex = new Operand(DType.INT64, row.host(), rowShape, row.strides(), 0);
                check("gather " + d + " dim " + dim + " broadcast index", 0, 0, (be, in) -> {
                    Strided out = output(be, d, rowShape);
                    be.gather(in[0], fd, in[1], out);
                    return out;
                }, operand(rnd, d, View.CONTIGUOUS, xShape), rowIndex);
                check("scatterAdd " + d + " dim " + dim, rtol(d) * 4, atol(d) * 4, (be, in) -> {
                    Strided dst = Strided.contiguous(be.allocate(d, 120), xShape);
                    be.copy(in[0], dst);
                    be.scatterAdd(dst, fd, in[1], in[2]);
                    return dst;
                }, operand(rnd, d, View.CONTIGUOUS, xShape), index, operand(rnd, d, View.TRANSPOSED, idxShape));
            }
    }

    @Test
    void scatterAddWithLongIndexExtents() {
        Random rnd = new Random(9);
        int jn = 3 * 64 + 1; // past the GPU's deterministic loop: atomics where the device has them
        int[] dstShape = {5, 4}, idxShape = {jn, 3};
        long[] idx = new long[jn * 3];
        for (int i = 0; i < idx.length; i++) idx[i] = rnd.nextInt(dstShape[0]);
        Operand index = new Operand(DType.INT64, idx, idxShape, new int[]{3, 1}, 0);
        for (DType d : dtypes())
            check("scatterAdd " + d + " over " + jn + " index positions", rtol(d) * jn, atol(d) * jn, (be, in) -> {
                Strided dst = Strided.contiguous(be.allocate(d, 20), dstShape);
                be.copy(in[0], dst);
                be.scatterAdd(dst, 0, in[1], in[2]);
                return dst;
            }, operand(rnd, d, View.CONTIGUOUS, dstShape), index, operand(rnd, d, View.STEPPED_WITH_OFFSET, idxShape));
    }

    // ---- convolution helpers -----------------------------------------------------------------

    @Test
    void im2colAndCol2imWithPaddingStrideAndDilation() {
        Random rnd = new Random(10);
        ConvGeometry[] gs = {new ConvGeometry(7, 6, 3, 2, 2, 1, 1, 0, 1, 2), new ConvGeometry(5, 5, 1, 1, 1, 1, 0, 0, 1, 1),
                new ConvGeometry(6, 6, 3, 3, 3, 3, 2, 2, 1, 1)};
        List<DType> types = new ArrayList<>(floats());
        types.add(DType.INT64);
        for (DType d : types)
            for (ConvGeometry g : gs)
                for (double pad : new double[]{0, Double.NEGATIVE_INFINITY}) {
                    int n = 2, c = 3, rows = c * g.kernelH() * g.kernelW(), l = g.outH() * g.outW();
                    check("im2col " + d + " " + g + " pad " + pad, 0, 0, (be, in) -> {
                        Strided cols = output(be, d, n, rows, l);
                        be.im2col(in[0], g, pad, cols);
                        return cols;
                    }, operand(rnd, d, View.TRANSPOSED, n, c, g.inH(), g.inW()));
                    check("col2im " + d + " " + g, rtol(d), atol(d), (be, in) -> {
                        Strided x = output(be, d, n, c, g.inH(), g.inW());
                        be.col2im(in[0], g, x);
                        return x;
                    }, operand(rnd, d, View.STEPPED_WITH_OFFSET, n, rows, l));
                }
    }

    // ---- random ------------------------------------------------------------------------------

    @Test
    void philoxRandomMatchesTheCpuStream() {
        for (DType d : floats())
            for (Philox.Distribution dist : Philox.Distribution.values())
                for (int n : new int[]{1, 2, 1001}) {
                    double a = dist == Philox.Distribution.UNIFORM ? -2 : 0.5, bb = 3;
                    check("random " + dist + " " + d + " n=" + n, d == DType.FLOAT32 ? 1e-6 : 1e-12, d == DType.FLOAT32 ? 1e-6 : 1e-13,
                            (be, in) -> {
                                Storage st = be.allocate(d, n + 3);
                                Strided out = new Strided(st, new int[]{n}, new int[]{1}, 3);
                                be.random(out, dist, 0x1234_5678_9ABCL, 977, a, bb);
                                return out;
                            });
                }
    }

    // ---- optional capabilities: fused and composed paths -------------------------------------

    /** {@code run} with fused kernels on, then off; both results, fused first. */
    private static <T> List<T> bothPaths(Supplier<T> run) {
        try {
            Ember.setFusedKernelsEnabled(true);
            T fused = run.get();
            Ember.setFusedKernelsEnabled(false);
            return List.of(fused, run.get());
        } finally {
            Ember.setFusedKernelsEnabled(true);
        }
    }

    private static Tensor randn(Random rnd, DType d, boolean positive, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = positive ? Math.abs(rnd.nextGaussian()) : rnd.nextGaussian();
        long[] ls = new long[shape.length];
        for (int i = 0; i < shape.length; i++) ls[i] = shape[i];
        return Tensor.of(v).reshape(ls).to(d);
    }

    private void assertTensorsClose(String what, Tensor expected, Tensor actual, DType d) {
        double[] e = expected.toDoubleArray();
        double atol = atol(d) * 4;
        if (d.byteSize() == 2) { // a composed 16-bit op rounds every intermediate (x - max in logSoftmax): compare norm-wise
            for (double v : e) if (Double.isFinite(v)) atol = Math.max(atol, rtol(d) * Math.abs(v));
        }
        assertClose(what + " on " + b.device(), e, actual.to(Device.cpu()).toDoubleArray(), rtol(d) * 4, atol);
    }

    @Test
    void optimizerStepsFusedAndComposedMatchTheCpu() {
        Random rnd = new Random(11);
        Device dev = b.device();
        for (DType d : floats()) {
            Tensor p = randn(rnd, d, false, 37), g = randn(rnd, d, false, 37), m = randn(rnd, d, false, 37), v = randn(rnd, d, true, 37);
            for (boolean momentum : new boolean[]{false, true})
                for (boolean nesterov : new boolean[]{false, true})
                    for (boolean first : new boolean[]{false, true}) {
                        if (nesterov && !momentum) continue;
                        Tensor cp = p.clone(), cb = momentum ? m.clone() : null;
                        Fused.sgdStep(cp, g, cb, 0.05, momentum ? 0.9 : 0, 0.1, 0.01, nesterov, first);
                        List<Tensor[]> runs = bothPaths(() -> {
                            Tensor dp = p.to(dev).clone(), db = momentum ? m.to(dev).clone() : null;
                            Fused.sgdStep(dp, g.to(dev), db, 0.05, momentum ? 0.9 : 0, 0.1, 0.01, nesterov, first);
                            return new Tensor[]{dp, db};
                        });
                        for (int path = 0; path < 2; path++) {
                            String what = "sgd " + d + (path == 0 ? " fused" : " composed") + " momentum " + momentum + " nesterov " + nesterov
                                    + " first " + first;
                            assertTensorsClose(what + ": param", cp, runs.get(path)[0], d);
                            if (momentum) assertTensorsClose(what + ": buffer", cb, runs.get(path)[1], d);
                        }
                    }
            for (boolean decoupled : new boolean[]{false, true})
                for (long step : new long[]{1, 7}) {
                    Tensor cp = p.clone(), cm = m.clone(), cv = v.clone();
                    Fused.adamStep(cp, g, cm, cv, 1e-2, 0.9, 0.999, 1e-8, 0.05, decoupled, step);
                    List<Tensor[]> runs = bothPaths(() -> {
                        Tensor dp = p.to(dev).clone(), dm = m.to(dev).clone(), dv = v.to(dev).clone();
                        Fused.adamStep(dp, g.to(dev), dm, dv, 1e-2, 0.9, 0.999, 1e-8, 0.05, decoupled, step);
                        return new Tensor[]{dp, dm, dv};
                    });
                    for (int path = 0; path < 2; path++) {
                        String what = "adam " + d + (path == 0 ? " fused" : " composed") + " decoupled " + decoupled + " step " + step;
                        assertTensorsClose(what + ": param", cp, runs.get(path)[0], d);
                        assertTensorsClose(what + ": exp_avg", cm, runs.get(path)[1], d);
                        assertTensorsClose(what + ": exp_avg_sq", cv, runs.get(path)[2], d);
                    }
                }
        }
    }

    @Test
    void softmaxAndMaxPoolFusedAndComposedMatchTheCpu() {
        Random rnd = new Random(12);
        Device dev = b.device();
        for (DType d : floats()) {
            // short rows (32 threads each on a GPU), long rows (a block each) read through a transposed view, and
            // rows with infinities and NaN, whose results (NaN, 0, -inf) both paths must give as torch does
            Tensor special = Tensor.of(new double[]{Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY,
                    1, Double.NEGATIVE_INFINITY, 2, Double.POSITIVE_INFINITY, 0, 1, Double.NaN, 0, 1}).reshape(4, 3).to(d);
            for (Tensor x : new Tensor[]{randn(rnd, d, false, 4, 37).mul(3.0), randn(rnd, d, false, 700, 3).mul(3.0).transpose(0, 1),
                    special}) {
                Tensor soft = x.softmax(1), logSoft = x.logSoftmax(1);
                List<Tensor[]> runs = bothPaths(() -> new Tensor[]{x.to(dev).softmax(1), x.to(dev).logSoftmax(1)});
                String shape = java.util.Arrays.toString(x.shape());
                for (int path = 0; path < 2; path++) {
                    assertTensorsClose("softmax " + d + shape + (path == 0 ? " fused" : " composed"), soft, runs.get(path)[0], d);
                    assertTensorsClose("logSoftmax " + d + shape + (path == 0 ? " fused" : " composed"), logSoft, runs.get(path)[1], d);
                }
            }
            Tensor img = randn(rnd, d, false, 2, 3, 7, 6), w = randn(rnd, d, false, 2, 3, 4, 3);
            int[] k = {3, 3}, s = {2, 2}, pad = {1, 1};
            Tensor ci = img.clone().requiresGrad(true);
            Tensor pooled = ci.maxPool2d(k, s, pad);
            pooled.mul(w).sum().backward();
            List<Tensor[]> pools = bothPaths(() -> {
                Tensor di = img.to(dev).clone().requiresGrad(true);
                Tensor y = di.maxPool2d(k, s, pad);
                y.mul(w.to(dev)).sum().backward();
                return new Tensor[]{y, di.grad()};
            });
            for (int path = 0; path < 2; path++) {
                assertTensorsClose("maxPool2d " + d + (path == 0 ? " fused" : " composed"), pooled, pools.get(path)[0], d);
                assertTensorsClose("maxPool2d backward " + d + (path == 0 ? " fused" : " composed"), ci.grad(), pools.get(path)[1], d);
            }
        }
    }

    @Test
    void normsFusedAndComposedMatchTheCpu() {
        Random rnd = new Random(13);
        Device dev = b.device();
        for (DType d : floats()) {
            if (d == DType.FLOAT64) continue; // the fused norms take FLOAT32 and the 16-bit types; FLOAT64 composes
            // short rows (32 threads each on a GPU) and long ones (a block each), with and without weight and bias
            for (int[] shape : new int[][]{{6, 37}, {3, 700}})
                for (boolean rms : new boolean[]{false, true})
                    for (boolean affine : new boolean[]{true, false}) {
                        int n = shape[1];
                        Tensor x = randn(rnd, d, false, shape).mul(2.0).add(0.5), g = randn(rnd, d, false, shape);
                        Tensor w = affine ? randn(rnd, DType.FLOAT32, false, n) : null, bias = affine && !rms ? randn(rnd, DType.FLOAT32, false, n) : null;
                        Tensor[] cpu = normRun(x, g, w, bias, rms, Device.cpu());
                        List<Tensor[]> runs = bothPaths(() -> normRun(x, g, w, bias, rms, dev));
                        String what = (rms ? "rmsNorm " : "layerNorm ") + d + java.util.Arrays.toString(shape) + (affine ? "" : " without weight");
                        for (int path = 0; path < 2; path++)
                            for (int k = 0; k < cpu.length; k++) {
                                if (cpu[k] == null) continue;
                                String part = new String[]{" forward", " dx", " dweight", " dbias"}[k];
                                // the parameter gradients sum over the rows in float32: compare them at float32's tolerance,
                                // scaled by the rows they add
                                if (k >= 2) assertClose(what + part + (path == 0 ? " fused" : " composed") + " on " + dev, cpu[k].toDoubleArray(),
                                        runs.get(path)[k].to(Device.cpu()).toDoubleArray(), rtol(d) * 8, atol(d) * 8 * shape[0]);
                                else assertTensorsClose(what + part + (path == 0 ? " fused" : " composed"), cpu[k], runs.get(path)[k], d);
                            }
                    }
        }
    }

    /** {out, dx, dweight, dbias} of a norm on {@code dev} for the output gradient {@code g}. */
    private static Tensor[] normRun(Tensor x, Tensor g, Tensor w, Tensor b, boolean rms, Device dev) {
        Tensor xd = x.to(dev).detach().requiresGrad(true);
        Tensor wd = w == null ? null : w.to(dev).detach().requiresGrad(true), bd = b == null ? null : b.to(dev).detach().requiresGrad(true);
        long[] shape = {x.shape()[x.dim() - 1]};
        Tensor y = rms ? Normalization.rmsNorm(xd, shape, wd, 1e-5) : Normalization.layerNorm(xd, shape, wd, bd, 1e-5);
        y.backward(g.to(dev));
        return new Tensor[]{y.detach(), xd.grad(), wd == null ? null : wd.grad(), bd == null ? null : bd.grad()};
    }

    // ---- errors only a kernel sees -----------------------------------------------------------

    /** The exception {@code op} raises on {@code be} by the time its result is read. */
    private static RuntimeException raised(Backend be, Op op, Operand... ops) {
        Strided[] in = new Strided[ops.length];
        for (int i = 0; i < ops.length; i++) in[i] = ops[i].on(be);
        try {
            read(be, op.apply(be, in));
        } catch (RuntimeException e) {
            return e;
        }
        return null;
    }

    @Test
    void kernelErrorsReadAsOnTheCpu() {
        Operand x = Operand.of(DType.FLOAT32, new float[]{1, 2, 3}, 3);
        Operand bad = Operand.of(DType.INT64, new long[]{0, 3, 1}, 3);
        Operand five = Operand.of(DType.INT64, new long[]{5, 6, 7}, 3);
        Operand zero = Operand.of(DType.INT64, new long[]{1, 0, 2}, 3);
        Operand negative = Operand.of(DType.INT64, new long[]{1, -2, 2}, 3);
        long[] far = new long[3 * 64 + 1];
        far[40] = 5;
        Operand farIndex = Operand.of(DType.INT64, far, far.length);
        List<Object[]> cases = List.of(
                new Object[]{"gather", (Op) (be, in) -> { Strided o = output(be, DType.FLOAT32, 3); be.gather(in[0], 0, in[1], o); return o; },
                        new Operand[]{x, bad}},
                new Object[]{"scatterAdd", (Op) (be, in) -> { Strided o = output(be, DType.FLOAT32, 3); be.scatterAdd(o, 0, in[1], in[0]); return o; },
                        new Operand[]{x, bad}},
                new Object[]{"scatterAdd over a long index", (Op) (be, in) -> {
                    Strided o = output(be, DType.FLOAT32, 5);
                    be.scatterAdd(o, 0, in[0], output(be, DType.FLOAT32, far.length));
                    return o;
                }, new Operand[]{farIndex}},
                new Object[]{"integer division by zero", (Op) (be, in) -> { Strided o = output(be, DType.INT64, 3); be.binary(BinaryOp.DIV, in[0], in[1], o); return o; },
                        new Operand[]{five, zero}},
                new Object[]{"integer remainder by zero", (Op) (be, in) -> { Strided o = output(be, DType.INT64, 3); be.binary(BinaryOp.REMAINDER, in[0], in[1], o); return o; },
                        new Operand[]{five, zero}},
                new Object[]{"negative integer power", (Op) (be, in) -> { Strided o = output(be, DType.INT64, 3); be.binary(BinaryOp.POW, in[0], in[1], o); return o; },
                        new Operand[]{five, negative}});
        for (Object[] c : cases) {
            RuntimeException want = raised(CPU, (Op) c[1], (Operand[]) c[2]);
            RuntimeException got = raised(b, (Op) c[1], (Operand[]) c[2]);
            assertTrue(want != null, c[0] + ": the CPU raises");
            if (got == null) fail(c[0] + " on " + b.device() + ": nothing was raised; the CPU raises " + want);
            assertEquals(want.getClass(), got.getClass(), c[0] + " on " + b.device() + ": " + got);
            assertTrue(got.getMessage().startsWith(want.getMessage()), c[0] + " on " + b.device() + " reads '" + got.getMessage()
                    + "', the CPU '" + want.getMessage() + "'");
            Strided picked = output(b, DType.FLOAT32, 3);
            b.gather(x.on(b), 0, Operand.of(DType.INT64, new long[]{2, 1, 0}, 3).on(b), picked);
            assertArrayEquals(new double[]{3, 2, 1}, read(b, picked), c[0] + ": a raised error is cleared, later kernels succeed");
        }
    }

    @Test
    void anOpWithoutAFormForTheDtypeThrows() {
        Operand ints = Operand.of(DType.INT64, new long[]{4, 9, 16}, 3);
        for (UnaryOp op : UnaryOp.values()) {
            if (op.definedOnIntegers()) continue;
            RuntimeException e = raised(b, (be, in) -> {
                Strided o = output(be, DType.INT64, 3);
                be.unary(op, in[0], o, 0.5, 0);
                return o;
            }, ints);
            if (e == null) fail(op + " on INT64 returned a result on " + b.device() + " instead of raising");
            if (!b.device().isCpu()) assertTrue(e.getMessage().contains("unknown op"), op + ": " + e.getMessage());
        }
        RuntimeException e = raised(b, (be, in) -> {
            Strided o = output(be, DType.INT64, 3);
            be.binary(BinaryOp.ATAN2, in[0], in[0], o);
            return o;
        }, ints);
        if (e == null) fail("ATAN2 on INT64 returned a result on " + b.device() + " instead of raising");
        Strided sq = output(b, DType.INT64, 3);
        b.unary(UnaryOp.SQUARE, ints.on(b), sq, 0, 0);
        assertArrayEquals(new long[]{16, 81, 256}, readLongs(b, sq), "the error is cleared once raised");
    }

    // ---- semantics the kernels once disagreed on ---------------------------------------------

    /** erfc(z) for z >= 2 by its continued fraction, evaluated backwards (independent of any library erfc). */
    private static double erfcTail(double z) {
        double f = z;
        for (int k = 400; k >= 1; k--) f = z + (k / 2.0) / f;
        return Math.exp(-z * z) / (Math.sqrt(Math.PI) * f);
    }

    @Test
    void geluKeepsTheNegativeTail() {
        // 1 + erf(x / sqrt 2) is 0 in double below about -8.3 (and loses digits well before): GELU is
        // 0.5 x erfc(-x / sqrt 2) on every device.
        double[] xs = {-6, -10, -20, -30};
        double[] want = new double[xs.length];
        for (int i = 0; i < xs.length; i++) want[i] = 0.5 * xs[i] * erfcTail(-xs[i] / Math.sqrt(2));
        if (!floats().contains(DType.FLOAT64)) return;
        Strided x = Operand.of(DType.FLOAT64, xs.clone(), xs.length).on(b), out = output(b, DType.FLOAT64, xs.length);
        b.unary(UnaryOp.GELU, x, out, 0, 0);
        assertClose("gelu in the negative tail on " + b.device(), want, read(b, out), 1e-10, 0);
    }

    @Test
    void integerDivisionAndRemainderByMinusOneWrapAsJava() {
        long[] xl = {Long.MIN_VALUE, Long.MAX_VALUE, 7, -7, Long.MIN_VALUE}, yl = {-1, -1, -1, -1, 3};
        int[] xi = {Integer.MIN_VALUE, Integer.MAX_VALUE, 7, -7, Integer.MIN_VALUE}, yi = {-1, -1, -1, -1, 3};
        for (BinaryOp op : new BinaryOp[]{BinaryOp.DIV, BinaryOp.REMAINDER}) {
            long[] wantL = new long[5], wantI = new long[5];
            for (int i = 0; i < 5; i++) {
                wantL[i] = op == BinaryOp.DIV ? Math.floorDiv(xl[i], yl[i]) : Math.floorMod(xl[i], yl[i]);
                wantI[i] = op == BinaryOp.DIV ? Math.floorDiv(xi[i], yi[i]) : Math.floorMod(xi[i], yi[i]);
            }
            Strided out = output(b, DType.INT64, 5);
            b.binary(op, Operand.of(DType.INT64, xl, 5).on(b), Operand.of(DType.INT64, yl, 5).on(b), out);
            assertArrayEquals(wantL, readLongs(b, out), op + " on INT64 on " + b.device());
            Strided outI = output(b, DType.INT32, 5);
            b.binary(op, Operand.of(DType.INT32, xi, 5).on(b), Operand.of(DType.INT32, yi, 5).on(b), outI);
            int[] gotI = new int[5];
            b.toHost(outI, gotI);
            assertArrayEquals(Arrays.stream(wantI).mapToInt(v -> (int) v).toArray(), gotI, op + " on INT32 on " + b.device());
        }
    }

    // ---- layouts and memory ------------------------------------------------------------------

    @Test
    void rankNineViewsMergeOrFailClearly() {
        Random rnd = new Random(13);
        int[] shape = {2, 1, 2, 2, 2, 2, 2, 2, 2};
        for (View v : new View[]{View.CONTIGUOUS, View.STEPPED_WITH_OFFSET}) // dims merge, or 8 unmergeable ones remain
            check("unary on a rank-9 " + v + " view", rtol(DType.FLOAT32), atol(DType.FLOAT32), (be, in) -> {
                Strided out = output(be, DType.FLOAT32, shape);
                be.unary(UnaryOp.EXP, in[0], out, 0, 0);
                return out;
            }, operand(rnd, DType.FLOAT32, v, shape));
        int[] nine = {2, 2, 2, 2, 2, 2, 2, 2, 2};
        Operand x = operand(rnd, DType.FLOAT32, View.STEPPED_WITH_OFFSET, nine);
        try {
            check("unary on 9 unmergeable dims", rtol(DType.FLOAT32), atol(DType.FLOAT32), (be, in) -> {
                Strided out = output(be, DType.FLOAT32, nine);
                be.unary(UnaryOp.EXP, in[0], out, 0, 0);
                return out;
            }, x);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("at most 8"), "a backend that cannot take 9 dims says so: " + e.getMessage());
        }
    }

    @Test
    void memoryStatsCountLiveAndCachedBlocks() {
        Assumptions.assumeFalse(b.memoryStats() == MemoryStats.NONE, b.device() + " keeps no allocator statistics");
        MemoryStats before = b.memoryStats();
        Storage s = b.allocate(DType.FLOAT32, 1000);
        MemoryStats live = b.memoryStats();
        long size = live.allocated() - before.allocated();
        assertTrue(size >= 4000 && size <= 4096, "1000 floats use one size class of 4000 to 4096 bytes, not " + size);
        s.close();
        MemoryStats after = b.memoryStats();
        assertEquals(before.allocated(), after.allocated());
        assertEquals(live.reserved(), after.reserved(), "a closed block stays cached");
        Storage again = b.allocate(DType.FLOAT32, 1000);
        assertEquals(live.reserved(), b.memoryStats().reserved(), "the cached block is reused");
        assertEquals(0.0, read(b, Strided.contiguous(again, 1000))[999], "a reused block is zeroed");
        again.close();
        b.emptyCache();
        assertEquals(b.memoryStats().allocated(), b.memoryStats().reserved(), "emptyCache frees every cached block");
    }

    @Test
    void everyDtypeButFloat64IsRequired() {
        List<DType> have = dtypes();
        for (DType d : DType.values())
            if (d != DType.FLOAT64) assertTrue(have.contains(d), b.device() + " must store " + d);
    }
}
