package dev.ember.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ConvGeometry;
import dev.ember.backend.Philox;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every backend primitive on CUDA against the CPU backend, on the same inputs and the same views
 * (offsets, transposes, zero-stride broadcasts). Skipped, with the probe's reason, where no CUDA
 * device is present.
 */
@Tag("cuda")
class CudaConformanceTest {
    static final Backend CPU = Backends.of(Device.cpu());
    static Backend gpu;
    static final DType[] ALL = DType.values();
    static final DType[] FLOATS = {DType.FLOAT32, DType.FLOAT64};
    static final Set<UnaryOp> INTEGER_UNARY = EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.SQUARE,
            UnaryOp.RELU, UnaryOp.FLOOR, UnaryOp.CEIL, UnaryOp.ROUND, UnaryOp.CLAMP);

    final Random rnd = new Random(20261129);

    /** Per test, so each one is reported as skipped with the reason. */
    @BeforeEach
    void device() {
        Backends.Family f = Backends.family(Device.CUDA_TYPE);
        assumeTrue(f.available(), "CUDA unavailable: " + f.reason());
        gpu = f.devices().get(0);
    }

    /** The same view of equal data on the CPU and on the GPU. */
    record P(Strided c, Strided g) {
        P view(int[] shape, int[] strides, int offset) {
            return new P(new Strided(c.storage(), shape, strides, offset), new Strided(g.storage(), shape, strides, offset));
        }
    }

    P of(DType t, Object host, int... shape) {
        Object copy = switch (host) {
            case float[] f -> f.clone();
            case double[] d -> d.clone();
            case int[] i -> i.clone();
            case long[] l -> l.clone();
            case byte[] b -> b.clone();
            default -> throw new IllegalArgumentException();
        };
        return new P(Strided.contiguous(CPU.fromHost(t, host), shape), Strided.contiguous(gpu.fromHost(t, copy), shape));
    }

    /** Random data: normal floats with a few NaN and infinities, small integers, 0/1 booleans. */
    P rand(DType t, boolean specials, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return of(t, values(t, n, specials), shape);
    }

    Object values(DType t, int n, boolean specials) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (t) {
                case FLOAT32, FLOAT64 -> rnd.nextGaussian() * 2;
                case INT32, INT64 -> rnd.nextInt(21) - 10;
                case BOOL -> rnd.nextInt(2);
            };
            if (specials && t.isFloatingPoint() && i % 17 == 3) v[i] = new double[]{Double.NaN, Double.POSITIVE_INFINITY,
                    Double.NEGATIVE_INFINITY, 3e9, -3e9, 0.5, -0.0}[(i / 17) % 7];
        }
        return host(t, v);
    }

    static Object host(DType t, double[] v) {
        int n = v.length;
        return switch (t) {
            case FLOAT32 -> { float[] a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float) v[i]; yield a; }
            case FLOAT64 -> v.clone();
            case INT32 -> { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = (int) v[i]; yield a; }
            case INT64 -> { long[] a = new long[n]; for (int i = 0; i < n; i++) a[i] = (long) v[i]; yield a; }
            case BOOL -> { byte[] a = new byte[n]; for (int i = 0; i < n; i++) a[i] = (byte) (v[i] != 0 ? 1 : 0); yield a; }
        };
    }

    P zeros(DType t, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return new P(Strided.contiguous(CPU.allocate(t, n), shape), Strided.contiguous(gpu.allocate(t, n), shape));
    }

    static double[] read(Backend b, Strided s) {
        int n = s.numel();
        Object a = switch (s.dtype()) {
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case INT32 -> new int[n];
            case INT64 -> new long[n];
            case BOOL -> new byte[n];
        };
        b.toHost(s, a);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = switch (a) {
                case float[] f -> f[i];
                case double[] x -> x[i];
                case int[] x -> x[i];
                case long[] x -> x[i];
                case byte[] x -> x[i];
                default -> throw new IllegalStateException();
            };
        }
        return d;
    }

    /** GPU equals CPU elementwise within {@code atol + rtol * |cpu|}; NaN matches NaN, infinities match exactly. */
    static void same(P p, double rtol, double atol, String what) {
        double[] want = read(CPU, p.c), got = read(gpu, p.g);
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            double w = want[i], g = got[i];
            boolean ok = Double.isNaN(w) ? Double.isNaN(g)
                    : Double.isInfinite(w) ? w == g : Math.abs(w - g) <= atol + rtol * Math.abs(w);
            if (!ok) fail(what + ": element " + i + " cpu " + w + " cuda " + g);
        }
    }

    static double rtol(DType t) { return t == DType.FLOAT32 ? 2e-5 : t == DType.FLOAT64 ? 1e-12 : 0; }

    static double atol(DType t) { return t == DType.FLOAT32 ? 1e-6 : t == DType.FLOAT64 ? 1e-14 : 0; }

    // ---- memory, copy, fill ------------------------------------------------------------------

    @Test
    void copyConvertsEveryDtypePairThroughStridedViews() {
        for (DType s : ALL)
            for (DType d : ALL) {
                P src = rand(s, true, 5, 7).view(new int[]{7, 5}, new int[]{1, 7}, 0); // transposed
                P dst = zeros(d, 7, 5);
                CPU.copy(src.c, dst.c);
                gpu.copy(src.g, dst.g);
                same(dst, 0, 0, "copy " + s + " -> " + d);
            }
    }

    @Test
    void copyIntoAStridedDestinationAndFromABroadcast() {
        P src = rand(DType.FLOAT32, false, 6).view(new int[]{4, 6}, new int[]{0, 1}, 0);
        P dst = zeros(DType.FLOAT32, 4, 12);
        P every2nd = dst.view(new int[]{4, 6}, new int[]{12, 2}, 1);
        CPU.copy(src.c, every2nd.c);
        gpu.copy(src.g, every2nd.g);
        same(dst, 0, 0, "copy into a strided view");
    }

    @Test
    void fillWritesOnlyTheView() {
        for (DType t : ALL)
            for (double v : new double[]{2.5, 0, -0.0, -7}) {
                P buf = rand(t, false, 5, 8);
                P view = buf.view(new int[]{5, 4}, new int[]{8, 2}, 1);
                CPU.fill(view.c, v);
                gpu.fill(view.g, v);
                same(buf, 0, 0, "fill " + t + " with " + v);
                P whole = zeros(t, 33);
                CPU.fill(whole.c, v);
                gpu.fill(whole.g, v);
                same(whole, 0, 0, "fill contiguous " + t + " with " + v);
            }
    }

    @Test
    void allocatorCountsAndEmptiesItsCache() {
        var before = gpu.memoryStats();
        var s = gpu.allocate(DType.FLOAT32, 1 << 20);
        assertTrue(gpu.memoryStats().allocated() >= before.allocated() + (4L << 20));
        s.close();
        assertEquals(before.allocated(), gpu.memoryStats().allocated());
        gpu.emptyCache();
        assertEquals(gpu.memoryStats().allocated(), gpu.memoryStats().reserved(), "no cached blocks after emptyCache");
    }

    // ---- elementwise -------------------------------------------------------------------------

    /** Three layouts: contiguous and 16-byte aligned (the float4 path), offset by one, and transposed. */
    P[] layouts(DType t, boolean specials) {
        P base = rand(t, specials, 1 + 12 * 10);
        return new P[]{base.view(new int[]{12, 10}, new int[]{10, 1}, 0), base.view(new int[]{12, 10}, new int[]{10, 1}, 1),
                base.view(new int[]{12, 10}, new int[]{1, 12}, 0)};
    }

    @Test
    void unaryOpsOnFloats() {
        for (DType t : FLOATS)
            for (UnaryOp op : UnaryOp.values()) {
                if (op == UnaryOp.NOT || op == UnaryOp.ISNAN) continue;
                double a = op == UnaryOp.CLAMP ? -1 : op == UnaryOp.POW_SCALAR ? 2.5 : 0.1, b = 1;
                int k = 0;
                for (P x : layouts(t, true)) {
                    P out = zeros(t, 12, 10);
                    CPU.unary(op, x.c, out.c, a, b);
                    gpu.unary(op, x.g, out.g, a, b);
                    same(out, 4 * rtol(t), atol(t), op + " " + t + " layout " + k++);
                }
            }
    }

    @Test
    void unaryOpsOnIntegersAndToBool() {
        for (DType t : new DType[]{DType.INT32, DType.INT64})
            for (UnaryOp op : INTEGER_UNARY) {
                for (P x : layouts(t, false)) {
                    P out = zeros(t, 12, 10);
                    CPU.unary(op, x.c, out.c, -3, 4);
                    gpu.unary(op, x.g, out.g, -3, 4);
                    same(out, 0, 0, op + " " + t);
                }
            }
        for (DType t : ALL)
            for (UnaryOp op : new UnaryOp[]{UnaryOp.NOT, UnaryOp.ISNAN}) {
                for (P x : layouts(t, true)) {
                    P out = zeros(DType.BOOL, 12, 10);
                    CPU.unary(op, x.c, out.c, 0, 0);
                    gpu.unary(op, x.g, out.g, 0, 0);
                    same(out, 0, 0, op + " " + t);
                }
            }
        var e = assertThrows(IllegalArgumentException.class,
                () -> gpu.unary(UnaryOp.EXP, rand(DType.INT32, false, 3).g, zeros(DType.INT32, 3).g, 0, 0));
        assertTrue(e.getMessage().contains("EXP"));
    }

    /** Halves of small integers, so EQ/LE/... meet equal operands and REMAINDER/DIV meet zeros. */
    P halves(DType t, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (rnd.nextInt(9) - 4) / 2.0;
        return of(t, host(t, v), shape);
    }

    @Test
    void binaryOpsOnFloatsWithBroadcasting() {
        for (DType t : FLOATS)
            for (BinaryOp op : BinaryOp.values()) {
                DType ot = op.producesBool() ? DType.BOOL : t;
                P x = halves(t, 4 * 6 + 1);
                P row = halves(t, 6), scalar = halves(t, 1);
                P[][] cases = {
                        {x.view(new int[]{4, 6}, new int[]{6, 1}, 0), row.view(new int[]{4, 6}, new int[]{0, 1}, 0)},
                        {x.view(new int[]{4, 6}, new int[]{6, 1}, 0), scalar.view(new int[]{4, 6}, new int[]{0, 0}, 0)},
                        {x.view(new int[]{4, 6}, new int[]{6, 1}, 1), x.view(new int[]{4, 6}, new int[]{1, 4}, 0)}};
                for (P[] c : cases) {
                    P out = zeros(ot, 4, 6);
                    CPU.binary(op, c[0].c, c[1].c, out.c);
                    gpu.binary(op, c[0].g, c[1].g, out.g);
                    same(out, rtol(ot), atol(ot), op + " " + t);
                }
            }
    }

    @Test
    void binaryOpsOnIntegersAndBools() {
        for (DType t : new DType[]{DType.INT32, DType.INT64, DType.BOOL})
            for (BinaryOp op : BinaryOp.values()) {
                if (op == BinaryOp.ATAN2) continue;
                if (t == DType.BOOL && (op == BinaryOp.DIV || op == BinaryOp.REMAINDER || op == BinaryOp.POW)) continue;
                DType ot = op.producesBool() ? DType.BOOL : t;
                P x = rand(t, false, 5, 6);
                double[] yv = new double[6];
                for (int i = 0; i < 6; i++)
                    yv[i] = t == DType.BOOL ? rnd.nextInt(2) : op == BinaryOp.POW ? rnd.nextInt(5) : (rnd.nextBoolean() ? 1 : -1) * (1 + rnd.nextInt(4));
                P y = of(t, host(t, yv), 6).view(new int[]{5, 6}, new int[]{0, 1}, 0);
                P out = zeros(ot, 5, 6);
                CPU.binary(op, x.c, y.c, out.c);
                gpu.binary(op, x.g, y.g, out.g);
                same(out, 0, 0, op + " " + t);
            }
    }

    @Test
    void integerDivisionByZeroIsRaisedAtTheNextHostRead() {
        P x = rand(DType.INT64, false, 8), y = zeros(DType.INT64, 8), out = zeros(DType.INT64, 8);
        gpu.binary(BinaryOp.DIV, x.g, y.g, out.g);
        assertThrows(ArithmeticException.class, () -> read(gpu, out.g));
        read(gpu, out.g); // the error was reported once and cleared
    }

    @Test
    void whereSelectsWithABroadcastCondition() {
        for (DType t : ALL) {
            P cond = rand(DType.BOOL, false, 7).view(new int[]{3, 7}, new int[]{0, 1}, 0);
            P x = rand(t, false, 3, 7), y = rand(t, false, 7).view(new int[]{3, 7}, new int[]{0, 1}, 0);
            P out = zeros(t, 3, 7);
            CPU.where(cond.c, x.c, y.c, out.c);
            gpu.where(cond.g, x.g, y.g, out.g);
            same(out, 0, 0, "where " + t);
        }
    }

    // ---- reductions --------------------------------------------------------------------------

    @Test
    void reductionsOverShortLongAndSplitRows() {
        int[][] shapes = {{6, 9}, {3, 700}, {2, 150_001}};
        for (DType t : ALL)
            for (ReduceOp op : ReduceOp.values())
                for (int[] shape : shapes) {
                    if (op == ReduceOp.PROD && shape[1] > 9) continue; // long float products over/underflow in order-dependent ways
                    DType ot = switch (op) {
                        case ARGMAX, ARGMIN -> DType.INT64;
                        case SUM, PROD -> t.isFloatingPoint() ? t : DType.INT64;
                        default -> t;
                    };
                    P x = rand(t, shape[1] == 9, shape);
                    P out = zeros(ot, shape[0]);
                    CPU.reduce(op, x.c, out.c);
                    gpu.reduce(op, x.g, out.g);
                    double r = op == ReduceOp.SUM && t.isFloatingPoint() ? (t == DType.FLOAT32 ? 1e-3 : 1e-9) : rtol(ot);
                    double a = op == ReduceOp.SUM && t.isFloatingPoint() ? Math.sqrt(shape[1]) * (t == DType.FLOAT32 ? 1e-4 : 1e-12) : atol(ot);
                    same(out, r, a, op + " " + t + " " + shape[0] + "x" + shape[1]);
                }
    }

    @Test
    void reductionOverAStridedAxisAndOuterView() {
        P base = rand(DType.FLOAT32, false, 8, 5, 40);
        P x = base.view(new int[]{5, 8, 40}, new int[]{40, 200, 1}, 0).view(new int[]{5, 40, 8}, new int[]{40, 1, 200}, 0);
        P out = zeros(DType.FLOAT32, 5, 40);
        CPU.reduce(ReduceOp.MAX, x.c, out.c);
        gpu.reduce(ReduceOp.MAX, x.g, out.g);
        same(out, 0, 0, "max over a strided axis");
    }

    // ---- linear algebra ----------------------------------------------------------------------

    @Test
    void matmulWithTransposedBroadcastAndGappedOperands() {
        int b = 3, m = 33, k = 47, n = 65;
        for (DType t : new DType[]{DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64}) {
            P a = rand(t, false, b, m, k), at = rand(t, false, b, k, m).view(new int[]{b, m, k}, new int[]{k * m, 1, m}, 0);
            P bb = rand(t, false, k, n).view(new int[]{b, k, n}, new int[]{0, n, 1}, 0);
            P gapped = rand(t, false, b, k, 2 * n).view(new int[]{b, k, n}, new int[]{k * 2 * n, 2 * n, 2}, 1);
            P[][] cases = {{a, bb}, {at, bb}, {a, gapped}, {at, gapped}};
            for (P[] c : cases) {
                P out = zeros(t, b, m, n);
                CPU.matmul(c[0].c, c[1].c, out.c);
                gpu.matmul(c[0].g, c[1].g, out.g);
                same(out, t == DType.FLOAT32 ? 1e-4 : rtol(t), t == DType.FLOAT32 ? 1e-4 : atol(t), "matmul " + t);
            }
        }
    }

    @Test
    void ownGemmKernelMatchesTheCpuWhateverPathCublasTook() {
        var kernel = new KernelGemm((CudaBackend) gpu);
        for (DType t : FLOATS) {
            P a = rand(t, false, 2, 70, 130).view(new int[]{2, 130, 70}, new int[]{9100, 1, 130}, 0);
            P b = rand(t, false, 2, 70, 66);
            P out = zeros(t, 2, 130, 66);
            CPU.matmul(a.c, b.c, out.c);
            kernel.matmul(a.g, b.g, out.g);
            same(out, t == DType.FLOAT32 ? 1e-4 : 1e-12, t == DType.FLOAT32 ? 1e-4 : 1e-12, "kernel gemm " + t);
        }
    }

    // ---- indexing ----------------------------------------------------------------------------

    P indices(int bound, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextInt(bound);
        return of(DType.INT64, v, shape);
    }

    @Test
    void gatherAndScatterAddAlongEachDim() {
        for (DType t : ALL)
            for (int dim = 0; dim < 3; dim++) {
                int[] xs = {4, 5, 6}, is = {4, 5, 6};
                is[dim] = 3;
                P x = rand(t, false, xs), idx = indices(xs[dim], is);
                P out = zeros(t, is);
                CPU.gather(x.c, dim, idx.c, out.c);
                gpu.gather(x.g, dim, idx.g, out.g);
                same(out, 0, 0, "gather " + t + " dim " + dim);
                if (t == DType.BOOL) continue;
                P dst = zeros(t, xs), src = rand(t, false, is);
                CPU.scatterAdd(dst.c, dim, idx.c, src.c);
                gpu.scatterAdd(dst.g, dim, idx.g, src.g);
                same(dst, rtol(t) * 4, atol(t) * 4, "scatterAdd " + t + " dim " + dim);
            }
    }

    @Test
    void outOfRangeGatherIndexIsRaisedAtTheNextHostRead() {
        P x = rand(DType.FLOAT32, false, 2, 3);
        P idx = of(DType.INT64, new long[]{0, 3}, 2, 1);
        P out = zeros(DType.FLOAT32, 2, 1);
        gpu.gather(x.g, 1, idx.g, out.g);
        var e = assertThrows(IndexOutOfBoundsException.class, () -> read(gpu, out.g));
        assertTrue(e.getMessage().startsWith("gather"), e.getMessage());
    }

    // ---- convolution helpers -----------------------------------------------------------------

    @Test
    void im2colAndCol2imWithStridePaddingAndDilation() {
        ConvGeometry g = new ConvGeometry(9, 8, 3, 2, 2, 1, 1, 0, 1, 2);
        int n = 2, c = 3, rows = c * 3 * 2, l = g.outH() * g.outW();
        for (DType t : FLOATS)
            for (double pad : new double[]{0, Double.NEGATIVE_INFINITY}) {
                P x = rand(t, false, n, 9, 8, c).view(new int[]{n, c, 9, 8}, new int[]{9 * 8 * c, 1, 8 * c, c}, 0); // NHWC storage
                P cols = zeros(t, n, rows, l);
                CPU.im2col(x.c, g, pad, cols.c);
                gpu.im2col(x.g, g, pad, cols.g);
                same(cols, 0, 0, "im2col " + t + " pad " + pad);
                P buf = zeros(t, rows, n, l); // as the convolution calls it: a permuted view of [rows, n, L]
                P nkl = buf.view(new int[]{n, rows, l}, new int[]{l, n * l, 1}, 0);
                CPU.im2col(x.c, g, pad, nkl.c);
                gpu.im2col(x.g, g, pad, nkl.g);
                same(buf, 0, 0, "im2col into a permuted view " + t);
            }
        for (DType t : FLOATS) {
            P cols = rand(t, false, n, rows, l);
            P x = zeros(t, n, c, 9, 8);
            CPU.col2im(cols.c, g, x.c);
            gpu.col2im(cols.g, g, x.g);
            same(x, rtol(t) * 4, atol(t) * 4, "col2im " + t);
        }
    }

    // ---- random ------------------------------------------------------------------------------

    @Test
    void philoxStreamsMatchTheCpuElementForElement() {
        for (DType t : FLOATS)
            for (Philox.Distribution d : Philox.Distribution.values()) {
                P out = zeros(t, 1001 + 3).view(new int[]{1001}, new int[]{1}, 3);
                CPU.random(out.c, d, 0x5eedL, 77, -1, 2);
                gpu.random(out.g, d, 0x5eedL, 77, -1, 2);
                // Integer words are bit-exact; the double transforms may differ in the last bit of log/cos.
                same(out, t == DType.FLOAT32 ? 1e-6 : 1e-13, 1e-13, "random " + d + " " + t);
            }
    }

    // ---- optimizers --------------------------------------------------------------------------

    @Test
    void fusedSgdAndAdamStepsMatchTheCpu() {
        for (DType t : FLOATS) {
            for (boolean nesterov : new boolean[]{false, true})
                for (boolean momentum : new boolean[]{false, true}) {
                    P p = rand(t, false, 300), buf = momentum ? zeros(t, 300) : null;
                    for (int step = 0; step < 3; step++) {
                        P g = rand(t, false, 300);
                        CPU.sgdStep(p.c, g.c, buf == null ? null : buf.c, 0.1, momentum ? 0.9 : 0, 0.1, 0.01, nesterov && momentum, step == 0);
                        gpu.sgdStep(p.g, g.g, buf == null ? null : buf.g, 0.1, momentum ? 0.9 : 0, 0.1, 0.01, nesterov && momentum, step == 0);
                    }
                    same(p, rtol(t) * 4, atol(t) * 4, "sgd " + t + " momentum " + momentum + " nesterov " + nesterov);
                }
            for (boolean decoupled : new boolean[]{false, true}) {
                P p = rand(t, false, 257), m = zeros(t, 257), v = zeros(t, 257);
                for (int step = 1; step <= 3; step++) {
                    P g = rand(t, false, 257);
                    CPU.adamStep(p.c, g.c, m.c, v.c, 1e-2, 0.9, 0.999, 1e-8, 0.01, decoupled, step);
                    gpu.adamStep(p.g, g.g, m.g, v.g, 1e-2, 0.9, 0.999, 1e-8, 0.01, decoupled, step);
                }
                same(p, rtol(t) * 10, atol(t) * 10, "adam " + t + " decoupled " + decoupled);
                same(v, rtol(t) * 10, atol(t) * 10, "adam exp_avg_sq " + t);
            }
        }
    }
}
