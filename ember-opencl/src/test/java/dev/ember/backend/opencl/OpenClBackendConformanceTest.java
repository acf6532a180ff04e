package dev.ember.backend.opencl;

import static dev.ember.backend.opencl.ClTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Device;
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
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every {@link Backend} primitive on the OpenCL device against the CPU backend on the same
 * random inputs: odd sizes, transposed, stepped-with-offset and zero-stride (broadcast) views,
 * size-0 and size-1 dims, and every dtype each kernel supports.
 */
class OpenClBackendConformanceTest {
    private static final Backend CPU = Backends.of(Device.cpu());
    private static Backend cl;
    private static final List<int[]> SHAPES = List.of(new int[]{3, 5, 7}, new int[]{1, 9}, new int[]{4, 0, 2}, new int[]{2, 1, 3, 1, 5}, new int[]{11});
    private static final Set<UnaryOp> INTEGER_UNARY = EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.SQUARE,
            UnaryOp.RELU, UnaryOp.FLOOR, UnaryOp.CEIL, UnaryOp.ROUND, UnaryOp.CLAMP, UnaryOp.NOT, UnaryOp.ISNAN);

    @BeforeEach
    void device() { cl = openCl(); }

    private interface Op { Strided apply(Backend b, Strided[] in); }

    /** Runs {@code op} on both backends over the same operands and compares the outputs. */
    private static void check(String what, double rtol, double atol, Op op, Operand... ops) {
        Strided[] cpuIn = new Strided[ops.length], clIn = new Strided[ops.length];
        for (int i = 0; i < ops.length; i++) { cpuIn[i] = ops[i].on(CPU); clIn[i] = ops[i].on(cl); }
        double[] expected = read(CPU, op.apply(CPU, cpuIn));
        double[] actual = read(cl, op.apply(cl, clIn));
        assertClose(what, expected, actual, rtol, atol);
    }

    @Test
    void hostRoundTripAndCopyBetweenEveryDtypePair() {
        Random rnd = new Random(1);
        for (DType s : DType.values()) {
            // Values that exercise conversions: fractions, negatives, NaN/inf and out-of-int-range magnitudes.
            double[] special = {2.5, -3.7, 0, -0.0, 1, Double.NaN, Double.POSITIVE_INFINITY, -1e12, 3e9, 7};
            for (View v : View.values()) {
                Operand x = operand(rnd, s, v, 3, 4, 5);
                if (s.isFloatingPoint()) {
                    for (int i = 0; i < special.length; i++) {
                        if (x.host() instanceof float[] f) f[i * 3 % f.length] = (float) special[i];
                        else ((double[]) x.host())[i * 3 % ((double[]) x.host()).length] = special[i];
                    }
                }
                for (DType d : DType.values()) {
                    check("copy " + s + "->" + d + " " + v, 0, 0, (b, in) -> {
                        Strided out = output(b, d, 3, 4, 5);
                        b.copy(in[0], out);
                        return out;
                    }, x);
                    // Into a transposed destination view.
                    check("copy " + s + "->" + d + " " + v + " into a transposed view", 0, 0, (b, in) -> {
                        Storage st = b.allocate(d, 60);
                        b.copy(in[0], new Strided(st, new int[]{3, 4, 5}, new int[]{1, 3, 12}, 0));
                        return Strided.contiguous(st, 60);
                    }, x);
                }
            }
        }
    }

    @Test
    void fillEveryDtypeThroughAView() {
        for (DType d : DType.values())
            for (double value : new double[]{2.5, -3.7, 0, Double.NaN, 1e20, -1e20})
                check("fill " + d + " " + value, 0, 0, (b, in) -> {
                    Storage st = b.allocate(d, 40);
                    b.fill(new Strided(st, new int[]{3, 4}, new int[]{2, 8}, 5), value);
                    return Strided.contiguous(st, 40);
                });
    }

    @Test
    void unaryOpsOnEveryView() {
        Random rnd = new Random(2);
        for (DType d : DType.values()) {
            for (UnaryOp op : UnaryOp.values()) {
                if (!d.isFloatingPoint() && !INTEGER_UNARY.contains(op)) {
                    Strided x = operand(rnd, d, View.CONTIGUOUS, 3).on(cl);
                    assertThrows(IllegalArgumentException.class, () -> cl.unary(op, x, output(cl, d, 3), 0, 0), op + " on " + d);
                    continue;
                }
                double a = op == UnaryOp.CLAMP ? -0.5 : op == UnaryOp.POW_SCALAR ? 2.5 : 0.1;
                double bb = op == UnaryOp.CLAMP ? 2.5 : 0;
                DType outType = op == UnaryOp.NOT || op == UnaryOp.ISNAN ? DType.BOOL : d;
                for (View v : View.values())
                    for (int[] shape : SHAPES) {
                        Operand x = operand(rnd, d, v, shape);
                        if (x.host() instanceof float[] f && f.length > 2) { f[0] = Float.NaN; f[1] = 30f; f[2] = -0f; }
                        check("unary " + op + " " + d + " " + v + " " + java.util.Arrays.toString(shape), rtol(d), atol(d), (b, in) -> {
                            Strided out = output(b, outType, shape);
                            b.unary(op, in[0], out, a, bb);
                            return out;
                        }, x);
                    }
            }
        }
    }

    @Test
    void binaryOpsWithBroadcastingViews() {
        Random rnd = new Random(3);
        for (DType d : DType.values()) {
            for (BinaryOp op : BinaryOp.values()) {
                if (op == BinaryOp.ATAN2 && !d.isFloatingPoint()) continue;
                DType outType = op.producesBool() ? DType.BOOL : d;
                for (View vx : View.values())
                    for (View vy : new View[]{View.CONTIGUOUS, View.BROADCAST, View.TRANSPOSED}) {
                        int[] shape = {4, 3, 5};
                        Operand x = operand(rnd, d, vx, shape), y = operand(rnd, d, vy, shape);
                        if (!d.isFloatingPoint()) avoidIntegerTraps(op, y);
                        if (x.host() instanceof float[] f) { f[0] = Float.NaN; f[4] = f[5]; }
                        check("binary " + op + " " + d + " " + vx + "/" + vy, rtol(d), atol(d), (b, in) -> {
                            Strided out = output(b, outType, shape);
                            b.binary(op, in[0], in[1], out);
                            return out;
                        }, x, y);
                    }
            }
        }
    }

    /** Integer division and remainder by zero, and negative powers, throw on the CPU: keep y in range. */
    private static void avoidIntegerTraps(BinaryOp op, Operand y) {
        Object h = y.host();
        int n = java.lang.reflect.Array.getLength(h);
        for (int i = 0; i < n; i++) {
            long v = ((Number) java.lang.reflect.Array.get(h, i)).longValue();
            long fixed = op == BinaryOp.POW ? Math.floorMod(v, 4) : (op == BinaryOp.DIV || op == BinaryOp.REMAINDER) && v == 0 ? 3 : v;
            switch (h) {
                case int[] a -> a[i] = (int) fixed;
                case long[] a -> a[i] = fixed;
                case byte[] a -> a[i] = (byte) (op == BinaryOp.DIV || op == BinaryOp.REMAINDER ? 1 : fixed & 1);
                default -> throw new IllegalStateException();
            }
        }
    }

    @Test
    void whereOverEveryDtype() {
        Random rnd = new Random(4);
        for (DType d : DType.values())
            for (View v : View.values()) {
                int[] shape = {5, 2, 3};
                check("where " + d + " " + v, 0, 0, (b, in) -> {
                    Strided out = output(b, d, shape);
                    b.where(in[0], in[1], in[2], out);
                    return out;
                }, operand(rnd, DType.BOOL, v, shape), operand(rnd, d, View.TRANSPOSED, shape), operand(rnd, d, View.BROADCAST, shape));
            }
    }

    @Test
    void reductionsAlongTheLastAxis() {
        Random rnd = new Random(5);
        int[][] shapes = {{3, 5, 37}, {2, 130}, {4, 1}, {1}, {0, 6}, {2, 3, 200}};
        for (DType d : DType.values())
            for (ReduceOp op : ReduceOp.values()) {
                DType outType = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN || ((op == ReduceOp.SUM || op == ReduceOp.PROD) && !d.isFloatingPoint())
                        ? DType.INT64 : d;
                for (int[] shape : shapes)
                    for (View v : View.values()) {
                        if (op == ReduceOp.PROD && shape[shape.length - 1] > 40) continue; // products of many terms overflow
                        Operand x = operand(rnd, d, v, shape);
                        // Ties and NaN: the first occurrence wins, NaN propagates.
                        if (x.host() instanceof float[] f && f.length > 20) { f[7] = f[3]; f[11] = Float.NaN; }
                        int k = shape[shape.length - 1];
                        int[] outShape = java.util.Arrays.copyOf(shape, shape.length - 1);
                        check("reduce " + op + " " + d + " " + v + " " + java.util.Arrays.toString(shape), rtol(d) * k, atol(d) * k, (b, in) -> {
                            Strided out = output(b, outType, outShape);
                            b.reduce(op, in[0], out);
                            return out;
                        }, x);
                    }
            }
    }

    @Test
    void batchedMatmulWithTransposedAndBroadcastOperands() {
        Random rnd = new Random(6);
        int[][] sizes = {{2, 33, 17, 41}, {1, 1, 1, 1}, {3, 5, 0, 4}, {1, 70, 65, 3}, {1, 3, 20, 130}};
        for (DType d : new DType[]{DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64})
            for (int[] s : sizes)
                for (View va : View.values())
                    for (View vb : new View[]{View.CONTIGUOUS, View.TRANSPOSED}) {
                        int batch = s[0], m = s[1], k = s[2], n = s[3];
                        check("matmul " + d + " " + va + "/" + vb + " " + java.util.Arrays.toString(s), rtol(d) * Math.max(1, k), atol(d) * Math.max(1, k), (b, in) -> {
                            Strided out = output(b, d, batch, m, n);
                            b.matmul(in[0], in[1], out);
                            return out;
                        }, operand(rnd, d, va, batch, m, k), operand(rnd, d, vb, batch, k, n));
                    }
    }

    @Test
    void gatherAndScatterAddAlongEveryDim() {
        Random rnd = new Random(7);
        int[] xShape = {4, 5, 6};
        for (DType d : DType.values())
            for (int dim = 0; dim < 3; dim++) {
                int[] idxShape = {3, 4, 2};
                idxShape[dim] = 7; // longer than x along dim: indices repeat
                long[] idx = new long[7 * 3 * 4 * 2 / idxShape[(dim + 1) % 3] / idxShape[(dim + 2) % 3] * idxShape[(dim + 1) % 3] * idxShape[(dim + 2) % 3] / 7 * 7];
                for (int i = 0; i < idx.length; i++) idx[i] = rnd.nextInt(xShape[dim]);
                Operand index = new Operand(DType.INT64, idx, idxShape, Strided.contiguous(CPU.allocate(DType.INT64, 1), idxShape).strides(), 0);
                int fd = dim;
                check("gather " + d + " dim " + dim, 0, 0, (b, in) -> {
                    Strided out = output(b, d, idxShape);
                    b.gather(in[0], fd, in[1], out);
                    return out;
                }, operand(rnd, d, View.STEPPED_WITH_OFFSET, xShape), index);
                DType sd = d;
                check("scatterAdd " + d + " dim " + dim, rtol(d), atol(d), (b, in) -> {
                    Strided dst = Strided.contiguous(b.allocate(sd, 120), xShape);
                    b.copy(in[0], dst);
                    b.scatterAdd(dst, fd, in[1], in[2]);
                    return dst;
                }, operand(rnd, d, View.CONTIGUOUS, xShape), index, operand(rnd, d, View.TRANSPOSED, idxShape));
            }
    }

    @Test
    void scatterAddWithLongIndexExtentsAddsAtomically() {
        Random rnd = new Random(17);
        int jn = OpenClBackend.ATOMIC_SCATTER_EXTENT * 3 + 1; // past the deterministic loop's limit
        int[] dstShape = {5, 4}, idxShape = {jn, 3};
        long[] idx = new long[jn * 3];
        for (int i = 0; i < idx.length; i++) idx[i] = rnd.nextInt(dstShape[0]);
        Operand index = new Operand(DType.INT64, idx, idxShape, new int[]{3, 1}, 0);
        for (DType d : DType.values()) {
            if (d == DType.BOOL) continue;
            check("atomic scatterAdd " + d, rtol(d) * jn, atol(d) * jn, (b, in) -> {
                Strided dst = Strided.contiguous(b.allocate(d, 20), dstShape);
                b.copy(in[0], dst);
                b.scatterAdd(dst, 0, in[1], in[2]);
                return dst;
            }, operand(rnd, d, View.CONTIGUOUS, dstShape), index, operand(rnd, d, View.STEPPED_WITH_OFFSET, idxShape));
        }
        Strided dst = output(cl, DType.FLOAT32, dstShape);
        long[] bad = idx.clone();
        bad[7] = 5;
        cl.scatterAdd(dst, 0, new Operand(DType.INT64, bad, idxShape, new int[]{3, 1}, 0).on(cl), output(cl, DType.FLOAT32, idxShape));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> read(cl, dst));
        assertTrue(e.getMessage().contains("scatterAdd: index 5 is out of bounds for dimension 0 with size 5"), e.getMessage());
    }

    @Test
    void im2colAndCol2imWithPaddingStrideAndDilation() {
        Random rnd = new Random(8);
        ConvGeometry[] gs = {new ConvGeometry(7, 6, 3, 2, 2, 1, 1, 0, 1, 2), new ConvGeometry(5, 5, 1, 1, 1, 1, 0, 0, 1, 1),
                new ConvGeometry(6, 6, 3, 3, 3, 3, 2, 2, 1, 1)};
        for (DType d : new DType[]{DType.FLOAT32, DType.FLOAT64})
            for (ConvGeometry g : gs)
                for (double pad : new double[]{0, Double.NEGATIVE_INFINITY}) {
                    int n = 2, c = 3, rows = c * g.kernelH() * g.kernelW(), l = g.outH() * g.outW();
                    check("im2col " + d + " " + g + " pad " + pad, 0, 0, (b, in) -> {
                        Strided cols = output(b, d, n, rows, l);
                        b.im2col(in[0], g, pad, cols);
                        return cols;
                    }, operand(rnd, d, View.TRANSPOSED, n, c, g.inH(), g.inW()));
                    check("col2im " + d + " " + g, rtol(d), atol(d), (b, in) -> {
                        Strided x = output(b, d, n, c, g.inH(), g.inW());
                        b.col2im(in[0], g, x);
                        return x;
                    }, operand(rnd, d, View.STEPPED_WITH_OFFSET, n, rows, l));
                }
    }

    @Test
    void philoxRandomMatchesTheCpuStream() {
        for (DType d : new DType[]{DType.FLOAT32, DType.FLOAT64})
            for (Philox.Distribution dist : Philox.Distribution.values())
                for (int n : new int[]{1, 2, 1001}) {
                    double a = dist == Philox.Distribution.UNIFORM ? -2 : 0.5, bb = 3;
                    check("random " + dist + " " + d + " n=" + n, d == DType.FLOAT32 ? 1e-6 : 1e-12, d == DType.FLOAT32 ? 1e-6 : 1e-13, (b, in) -> {
                        Strided out = output(b, d, n);
                        b.random(out, dist, 0x1234_5678_9ABCL, 977, a, bb);
                        return out;
                    });
                }
    }

    @Test
    void fusedSgdAndAdamSteps() {
        Random rnd = new Random(9);
        for (DType d : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            for (boolean momentum : new boolean[]{false, true})
                for (boolean nesterov : new boolean[]{false, true})
                    for (boolean first : new boolean[]{false, true}) {
                        if (nesterov && !momentum) continue;
                        check("sgd " + d + " momentum " + momentum + " nesterov " + nesterov + " first " + first, rtol(d), atol(d), (b, in) -> {
                            Strided p = copyOf(b, in[0]), buf = momentum ? copyOf(b, in[2]) : null;
                            b.sgdStep(p, in[1], buf, 0.05, momentum ? 0.9 : 0, 0.1, 0.01, nesterov, first);
                            return concat(b, p, buf);
                        }, operand(rnd, d, View.CONTIGUOUS, 37), operand(rnd, d, View.CONTIGUOUS, 37), operand(rnd, d, View.CONTIGUOUS, 37));
                    }
            for (boolean decoupled : new boolean[]{false, true})
                for (long step : new long[]{1, 7}) {
                    Operand v = operand(rnd, d, View.CONTIGUOUS, 37);
                    if (v.host() instanceof float[] f) for (int i = 0; i < f.length; i++) f[i] = Math.abs(f[i]);
                    else { double[] g = (double[]) v.host(); for (int i = 0; i < g.length; i++) g[i] = Math.abs(g[i]); }
                    check("adam " + d + " decoupled " + decoupled + " step " + step, rtol(d), atol(d), (b, in) -> {
                        Strided p = copyOf(b, in[0]), m = copyOf(b, in[2]), vv = copyOf(b, in[3]);
                        b.adamStep(p, in[1], m, vv, 1e-2, 0.9, 0.999, 1e-8, 0.05, decoupled, step);
                        return concat(b, concat(b, p, m), vv);
                    }, operand(rnd, d, View.CONTIGUOUS, 37), operand(rnd, d, View.CONTIGUOUS, 37), operand(rnd, d, View.CONTIGUOUS, 37), v);
                }
        }
    }

    private static Strided copyOf(Backend b, Strided s) {
        Strided c = output(b, s.dtype(), s.shape());
        b.copy(s, c);
        return c;
    }

    /** Two 1-d tensors back to back (the second may be null), so one comparison covers both. */
    private static Strided concat(Backend b, Strided x, Strided y) {
        int nx = x.numel(), ny = y == null ? 0 : y.numel();
        Storage st = b.allocate(x.dtype(), nx + ny);
        b.copy(x, new Strided(st, new int[]{nx}, new int[]{1}, 0));
        if (y != null) b.copy(y, new Strided(st, new int[]{ny}, new int[]{1}, nx));
        return Strided.contiguous(st, nx + ny);
    }

    @Test
    void rankNineViewsMergeOrFailClearly() {
        Random rnd = new Random(18);
        int[] shape = {2, 1, 2, 2, 2, 2, 2, 2, 2};
        // Contiguous: all dims merge into one.
        check("unary on a contiguous rank-9 view", rtol(DType.FLOAT32), atol(DType.FLOAT32), (b, in) -> {
            Strided out = output(b, DType.FLOAT32, shape);
            b.unary(UnaryOp.EXP, in[0], out, 0, 0);
            return out;
        }, operand(rnd, DType.FLOAT32, View.CONTIGUOUS, shape));
        // Stepped in every dim: 8 non-mergeable dims of size 2 still fit.
        check("unary on a stepped rank-9 view", rtol(DType.FLOAT32), atol(DType.FLOAT32), (b, in) -> {
            Strided out = output(b, DType.FLOAT32, shape);
            b.unary(UnaryOp.EXP, in[0], out, 0, 0);
            return out;
        }, operand(rnd, DType.FLOAT32, View.STEPPED_WITH_OFFSET, shape));
        int[] nine = {2, 2, 2, 2, 2, 2, 2, 2, 2};
        Strided x = operand(rnd, DType.FLOAT32, View.STEPPED_WITH_OFFSET, nine).on(cl);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cl.unary(UnaryOp.EXP, x, output(cl, DType.FLOAT32, nine), 0, 0));
        assertTrue(e.getMessage().contains("9 non-mergeable dims; at most 8"), e.getMessage());
    }

    @Test
    void kernelErrorsAreRaisedAtTheNextHostRead() {
        Strided x = new Operand(DType.INT64, new long[]{5, 6, 7}, new int[]{3}, new int[]{1}, 0).on(cl);
        Strided zero = new Operand(DType.INT64, new long[]{1, 0, 2}, new int[]{3}, new int[]{1}, 0).on(cl);
        Strided q = output(cl, DType.INT64, 3);
        cl.binary(BinaryOp.DIV, x, zero, q);
        ArithmeticException div = assertThrows(ArithmeticException.class, () -> read(cl, q));
        assertTrue(div.getMessage().contains("division by zero"), div.getMessage());

        Strided src = new Operand(DType.FLOAT32, new float[]{1, 2, 3}, new int[]{3}, new int[]{1}, 0).on(cl);
        Strided bad = new Operand(DType.INT64, new long[]{0, 3, 1}, new int[]{3}, new int[]{1}, 0).on(cl);
        Strided out = output(cl, DType.FLOAT32, 3);
        cl.gather(src, 0, bad, out);
        IndexOutOfBoundsException oob = assertThrows(IndexOutOfBoundsException.class, cl::synchronize);
        assertTrue(oob.getMessage().contains("index 3 is out of bounds for dimension 0 with size 3"), oob.getMessage());
        // The error is cleared once raised.
        assertEquals(3, read(cl, src).length);
    }

    @Test
    void cachingAllocatorReusesClosedBuffers() {
        MemoryStats before = cl.memoryStats();
        Storage s = cl.allocate(DType.FLOAT32, 1000);
        MemoryStats live = cl.memoryStats();
        assertEquals(before.allocated() + 4096, live.allocated(), "1000 floats use one 4096-byte size class");
        s.close();
        MemoryStats after = cl.memoryStats();
        assertEquals(before.allocated(), after.allocated());
        assertEquals(live.reserved(), after.reserved(), "a closed buffer stays cached");
        Storage again = cl.allocate(DType.FLOAT32, 1000);
        assertEquals(live.reserved(), cl.memoryStats().reserved(), "the cached buffer is reused");
        assertEquals(0.0, read(cl, Strided.contiguous(again, 1000))[999], "a reused buffer is zeroed");
        again.close();
        cl.emptyCache();
        assertEquals(cl.memoryStats().allocated(), cl.memoryStats().reserved(), "emptyCache frees every cached block");
    }
}
