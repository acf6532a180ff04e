package dev.ember.backend.cpu;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.ConvGeometry;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.UnaryOp;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops over contiguous float32 rows. Each returns false when it has no
 * fast path for the op, and the caller then runs the scalar loop. Tails shorter than
 * one vector run scalar code from {@link ScalarMath#unaryFloat}, whose transcendental
 * functions ({@link FloatMath}) are the vector ones ({@link SimdMath}) lane for lane, so
 * an element's bits do not depend on where it falls in a row.
 *
 * <p>Nothing here may depend on the compiler tier: no Vector API math operators
 * ({@code lanewise(EXP)} and the like become SVML intrinsics under C2), and no
 * {@code reduceLanes(ADD)} (its order is left open); see {@link FloatMath}.
 */
final class SimdKernels {
    private SimdKernels() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Bytes with as many lanes as {@link #S}, for comparison results (BOOL tensors are byte arrays). */
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));

    static int lanes() { return L; }

    /**
     * The lanes' sum in lane order. {@code reduceLanes(ADD)} leaves the order open, and the JIT's order
     * differs from the interpreter's, so a sum would change in its last bits as the code warms up and
     * training runs would not repeat.
     */
    private static float sumLanes(FloatVector v) {
        float s = v.lane(0);
        for (int i = 1; i < L; i++) s += v.lane(i);
        return s;
    }

    /** {@link #sumLanes(FloatVector)} through {@code lanes} (at least {@link #lanes()} long), for loops that keep a buffer. */
    static float sumLanes(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        float s = lanes[0];
        for (int i = 1; i < L; i++) s += lanes[i];
        return s;
    }

    static boolean unary(UnaryOp op, float[] x, int xo, float[] o, int oo, int n, float a, float b) {
        int i = 0, bound = S.loopBound(n);
        switch (op) {
            case NEG -> { for (; i < bound; i += L) FloatVector.fromArray(S, x, xo + i).neg().intoArray(o, oo + i); }
            case ABS -> { for (; i < bound; i += L) FloatVector.fromArray(S, x, xo + i).abs().intoArray(o, oo + i); }
            case SQRT -> { for (; i < bound; i += L) FloatVector.fromArray(S, x, xo + i).sqrt().intoArray(o, oo + i); }
            case SQUARE -> { for (; i < bound; i += L) { var v = FloatVector.fromArray(S, x, xo + i); v.mul(v).intoArray(o, oo + i); } }
            case RECIPROCAL -> { for (; i < bound; i += L) FloatVector.broadcast(S, 1f).div(FloatVector.fromArray(S, x, xo + i)).intoArray(o, oo + i); }
            // Transcendental functions loop in methods of their own (see SimdMath on why).
            case EXP -> { SimdMath.expRow(x, xo, o, oo, bound); i = bound; }
            case LOG -> { SimdMath.logRow(x, xo, o, oo, bound); i = bound; }
            case TANH -> { SimdMath.tanhRow(x, xo, o, oo, bound); i = bound; }
            case SIGMOID -> { SimdMath.sigmoidRow(x, xo, o, oo, bound); i = bound; }
            case SILU -> { SimdMath.siluRow(x, xo, o, oo, bound); i = bound; }
            case TAN -> { SimdMath.tanRow(x, xo, o, oo, bound); i = bound; }
            case GELU -> { SimdMath.geluRow(x, xo, o, oo, bound); i = bound; }
            case RELU -> {
                // max(x, 0) would turn NaN into 0; the blend keeps NaN as torch.relu does.
                var zero = FloatVector.zero(S);
                for (; i < bound; i += L) {
                    var v = FloatVector.fromArray(S, x, xo + i);
                    v.blend(zero, v.compare(VectorOperators.LE, 0f)).intoArray(o, oo + i);
                }
            }
            case LEAKY_RELU -> {
                for (; i < bound; i += L) {
                    var v = FloatVector.fromArray(S, x, xo + i);
                    v.blend(v.mul(a), v.compare(VectorOperators.LE, 0f)).intoArray(o, oo + i);
                }
            }
            case CLAMP -> {
                for (; i < bound; i += L) FloatVector.fromArray(S, x, xo + i).max(a).min(b).intoArray(o, oo + i);
                // max/min on NaN: fall through to the scalar check below for exactness
                for (int j = 0; j < bound; j++) if (Float.isNaN(x[xo + j])) o[oo + j] = Float.NaN;
            }
            case POW_SCALAR -> {
                // ScalarMath.powFloat's products, lane by lane (x^2 and x^-1 are SQUARE and RECIPROCAL); other exponents stay scalar
                if (a == 2) return unary(UnaryOp.SQUARE, x, xo, o, oo, n, a, b);
                if (a == -1) return unary(UnaryOp.RECIPROCAL, x, xo, o, oo, n, a, b);
                var one = FloatVector.broadcast(S, 1f);
                if (a == 3) for (; i < bound; i += L) { var v = FloatVector.fromArray(S, x, xo + i); v.mul(v).mul(v).intoArray(o, oo + i); }
                else if (a == -2) for (; i < bound; i += L) { var v = FloatVector.fromArray(S, x, xo + i); one.div(v.mul(v)).intoArray(o, oo + i); }
                else return false;
            }
            default -> { return false; }
        }
        for (; i < n; i++) o[oo + i] = ScalarMath.unaryFloat(op, x[xo + i], a, b);
        return true;
    }

    /** Binary op on rows where each input's stride is 1 or 0 (a broadcast scalar); the output's is 1. */
    static boolean binary(BinaryOp op, float[] x, int xo, int xs, float[] y, int yo, int ys, float[] o, int oo, int n) {
        VectorOperators.Binary vop = switch (op) {
            case ADD -> VectorOperators.ADD;
            case SUB -> VectorOperators.SUB;
            case MUL -> VectorOperators.MUL;
            case DIV -> VectorOperators.DIV;
            default -> null;
        };
        if (vop == null) return false;
        int i = 0, bound = S.loopBound(n);
        if (xs == 1 && ys == 1) {
            switch (op) { // constant ops, so the JIT can intrinsify each loop
                case ADD -> { for (; i < bound; i += L) FloatVector.fromArray(S, x, xo + i).add(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i); }
                case SUB -> { for (; i < bound; i += L) FloatVector.fromArray(S, x, xo + i).sub(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i); }
                case MUL -> { for (; i < bound; i += L) FloatVector.fromArray(S, x, xo + i).mul(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i); }
                default -> { for (; i < bound; i += L) FloatVector.fromArray(S, x, xo + i).div(FloatVector.fromArray(S, y, yo + i)).intoArray(o, oo + i); }
            }
        } else if ((xs == 1 && ys == 0) || (xs == 0 && ys == 1)) {
            // One operand is a broadcast scalar; constant operators per branch so the JIT intrinsifies them.
            for (; i < bound; i += L) {
                var a = xs == 1 ? FloatVector.fromArray(S, x, xo + i) : FloatVector.broadcast(S, x[xo]);
                var b = ys == 1 ? FloatVector.fromArray(S, y, yo + i) : FloatVector.broadcast(S, y[yo]);
                (switch (op) {
                    case ADD -> a.add(b);
                    case SUB -> a.sub(b);
                    case MUL -> a.mul(b);
                    default -> a.div(b);
                }).intoArray(o, oo + i);
            }
        } else {
            return false;
        }
        for (; i < n; i++) o[oo + i] = (float) ScalarMath.binary(op, x[xo + i * xs], y[yo + i * ys]);
        return true;
    }

    /** Reduces a contiguous row; NaN propagates through MAX/MIN as in torch. Returns NaN-free partials otherwise. */
    static float reduce(ReduceOp op, float[] x, int xo, int n) {
        int i = 0, bound = S.loopBound(n);
        switch (op) {
            case SUM -> {
                // Four accumulators hide FMA latency and give pairwise-like rounding.
                var a0 = FloatVector.zero(S); var a1 = FloatVector.zero(S); var a2 = FloatVector.zero(S); var a3 = FloatVector.zero(S);
                int b4 = n - n % (4 * L);
                for (; i < b4; i += 4 * L) {
                    a0 = a0.add(FloatVector.fromArray(S, x, xo + i));
                    a1 = a1.add(FloatVector.fromArray(S, x, xo + i + L));
                    a2 = a2.add(FloatVector.fromArray(S, x, xo + i + 2 * L));
                    a3 = a3.add(FloatVector.fromArray(S, x, xo + i + 3 * L));
                }
                for (; i < bound; i += L) a0 = a0.add(FloatVector.fromArray(S, x, xo + i));
                double s = sumLanes(a0.add(a1).add(a2.add(a3)));
                for (; i < n; i++) s += x[xo + i];
                return (float) s;
            }
            case MAX, MIN -> {
                // Compare-and-blend is cheaper than the Math.max-exact vector max; NaN is caught separately:
                // a running sum turns NaN if any element is NaN (or if both infinities occur, which the
                // exact rescan below then sorts out). Operators stay constants so the JIT intrinsifies them.
                boolean max = op == ReduceOp.MAX;
                var a0 = FloatVector.broadcast(S, max ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY); var a1 = a0; var a2 = a0; var a3 = a0;
                var s0 = FloatVector.zero(S); var s1 = s0;
                int b4 = n - n % (4 * L);
                if (max) {
                    // max and min are written out twice: the comparison operator must be a constant for the JIT
                    for (; i < b4; i += 4 * L) {
                        var v0 = FloatVector.fromArray(S, x, xo + i);
                        var v1 = FloatVector.fromArray(S, x, xo + i + L);
                        var v2 = FloatVector.fromArray(S, x, xo + i + 2 * L);
                        var v3 = FloatVector.fromArray(S, x, xo + i + 3 * L);
                        a0 = a0.blend(v0, v0.compare(VectorOperators.GT, a0));
                        a1 = a1.blend(v1, v1.compare(VectorOperators.GT, a1));
                        a2 = a2.blend(v2, v2.compare(VectorOperators.GT, a2));
                        a3 = a3.blend(v3, v3.compare(VectorOperators.GT, a3));
                        s0 = s0.add(v0.add(v1));
                        s1 = s1.add(v2.add(v3));
                    }
                    a0 = a0.blend(a1, a1.compare(VectorOperators.GT, a0));
                    a2 = a2.blend(a3, a3.compare(VectorOperators.GT, a2));
                    a0 = a0.blend(a2, a2.compare(VectorOperators.GT, a0));
                } else {
                    for (; i < b4; i += 4 * L) {
                        var v0 = FloatVector.fromArray(S, x, xo + i);
                        var v1 = FloatVector.fromArray(S, x, xo + i + L);
                        var v2 = FloatVector.fromArray(S, x, xo + i + 2 * L);
                        var v3 = FloatVector.fromArray(S, x, xo + i + 3 * L);
                        a0 = a0.blend(v0, v0.compare(VectorOperators.LT, a0));
                        a1 = a1.blend(v1, v1.compare(VectorOperators.LT, a1));
                        a2 = a2.blend(v2, v2.compare(VectorOperators.LT, a2));
                        a3 = a3.blend(v3, v3.compare(VectorOperators.LT, a3));
                        s0 = s0.add(v0.add(v1));
                        s1 = s1.add(v2.add(v3));
                    }
                    a0 = a0.blend(a1, a1.compare(VectorOperators.LT, a0));
                    a2 = a2.blend(a3, a3.compare(VectorOperators.LT, a2));
                    a0 = a0.blend(a2, a2.compare(VectorOperators.LT, a0));
                }
                if (s0.add(s1).test(VectorOperators.IS_NAN).anyTrue()) {
                    for (int j = 0; j < b4; j++) if (Float.isNaN(x[xo + j])) return Float.NaN;
                }
                float r = max ? a0.reduceLanes(VectorOperators.MAX) : a0.reduceLanes(VectorOperators.MIN); // constant operators: intrinsified
                for (; i < n; i++) r = max ? Math.max(r, x[xo + i]) : Math.min(r, x[xo + i]);
                return r;
            }
            default -> throw new IllegalStateException("no SIMD reduction for " + op);
        }
    }

    /**
     * Comparison of rows whose input strides are 1 or 0 (broadcast scalar), writing 1 or 0 bytes
     * to a contiguous BOOL row. Returns false for non-comparison ops. NaN compares false except for NE.
     *
     * <p>One vector loop per operator, and the scalar tail on its own: the operator is then a constant where the JIT
     * intrinsifies it, and an operator, stride or row length that a run meets late does not hit an untaken branch of a
     * compiled loop. With the switch inside one loop, the demo CNN's run sent this method back to the interpreter at
     * 5.3 s (an operator first seen) and 9.0 s (the first row that was not a multiple of the vector length, in the
     * evaluation), where every vector operation allocates: 698 MB of its 5.45 GB of warm-up garbage (JFR, Zen 5).
     */
    static boolean compare(BinaryOp op, float[] x, int xo, int xs, float[] y, int yo, int ys, byte[] o, int oo, int n) {
        if ((xs != 0 && xs != 1) || (ys != 0 && ys != 1)) return false;
        int bound = S.loopBound(n);
        switch (op) {
            case EQ -> compareEq(x, xo, xs, y, yo, ys, o, oo, bound);
            case NE -> compareNe(x, xo, xs, y, yo, ys, o, oo, bound);
            case LT -> compareLt(x, xo, xs, y, yo, ys, o, oo, bound);
            case LE -> compareLe(x, xo, xs, y, yo, ys, o, oo, bound);
            case GT -> compareGt(x, xo, xs, y, yo, ys, o, oo, bound);
            case GE -> compareGe(x, xo, xs, y, yo, ys, o, oo, bound);
            default -> { return false; }
        }
        if (bound < n) compareTail(op, x, xo, xs, y, yo, ys, o, oo, bound, n);
        return true;
    }

    private static void compareEq(float[] x, int xo, int xs, float[] y, int yo, int ys, byte[] o, int oo, int bound) {
        for (int i = 0; i < bound; i += L) storeMask(row(x, xo, xs, i).compare(VectorOperators.EQ, row(y, yo, ys, i)), o, oo + i);
    }

    private static void compareNe(float[] x, int xo, int xs, float[] y, int yo, int ys, byte[] o, int oo, int bound) {
        for (int i = 0; i < bound; i += L) storeMask(row(x, xo, xs, i).compare(VectorOperators.NE, row(y, yo, ys, i)), o, oo + i);
    }

    private static void compareLt(float[] x, int xo, int xs, float[] y, int yo, int ys, byte[] o, int oo, int bound) {
        for (int i = 0; i < bound; i += L) storeMask(row(x, xo, xs, i).compare(VectorOperators.LT, row(y, yo, ys, i)), o, oo + i);
    }

    private static void compareLe(float[] x, int xo, int xs, float[] y, int yo, int ys, byte[] o, int oo, int bound) {
        for (int i = 0; i < bound; i += L) storeMask(row(x, xo, xs, i).compare(VectorOperators.LE, row(y, yo, ys, i)), o, oo + i);
    }

    private static void compareGt(float[] x, int xo, int xs, float[] y, int yo, int ys, byte[] o, int oo, int bound) {
        for (int i = 0; i < bound; i += L) storeMask(row(x, xo, xs, i).compare(VectorOperators.GT, row(y, yo, ys, i)), o, oo + i);
    }

    private static void compareGe(float[] x, int xo, int xs, float[] y, int yo, int ys, byte[] o, int oo, int bound) {
        for (int i = 0; i < bound; i += L) storeMask(row(x, xo, xs, i).compare(VectorOperators.GE, row(y, yo, ys, i)), o, oo + i);
    }

    /** Lanes {@code i ..} of a row with stride 1, or its one element broadcast (stride 0). */
    private static FloatVector row(float[] x, int xo, int xs, int i) {
        return xs == 1 ? FloatVector.fromArray(S, x, xo + i) : FloatVector.broadcast(S, x[xo]);
    }

    /** A comparison's lanes as 1 or 0 bytes. */
    private static void storeMask(VectorMask<Float> m, byte[] o, int oo) {
        ByteVector.zero(BYTES).blend(ByteVector.broadcast(BYTES, (byte) 1), m.cast(BYTES)).intoArray(o, oo);
    }

    private static void compareTail(BinaryOp op, float[] x, int xo, int xs, float[] y, int yo, int ys, byte[] o, int oo, int i, int n) {
        for (; i < n; i++) {
            float a = x[xo + i * xs], b = y[yo + i * ys];
            boolean r = switch (op) {
                case EQ -> a == b;
                case NE -> a != b;
                case LT -> a < b;
                case LE -> a <= b;
                case GT -> a > b;
                default -> a >= b;
            };
            o[oo + i] = (byte) (r ? 1 : 0);
        }
    }

    /**
     * Softmax (or log-softmax) of each contiguous row: {@code x [rows, cols] -> o [rows, cols]}, rows
     * at {@code xo + r * cols}. Subtracts the row max first, as PyTorch does; a NaN row gives NaN.
     * Three passes per row (max, exp and sum, scale) while the row is in cache.
     */
    /**
     * {@code o[i] = c[i] != 0 ? x[i * xs] : y[i * ys]} with contiguous {@code c} and {@code o}; {@code xs} and
     * {@code ys} are 0 (a broadcast scalar) or 1. Returns false for other strides.
     */
    static boolean where(byte[] c, int co, float[] x, int xo, int xs, float[] y, int yo, int ys, float[] o, int oo, int n) {
        if (xs > 1 || ys > 1) return false;
        int i = 0, bound = S.loopBound(n);
        var xb = FloatVector.broadcast(S, xs == 0 ? x[xo] : 0f);
        var yb = FloatVector.broadcast(S, ys == 0 ? y[yo] : 0f);
        for (; i < bound; i += L) {
            VectorMask<Float> m = ByteVector.fromArray(BYTES, c, co + i).compare(VectorOperators.NE, (byte) 0).cast(S);
            var xv = xs == 0 ? xb : FloatVector.fromArray(S, x, xo + i);
            var yv = ys == 0 ? yb : FloatVector.fromArray(S, y, yo + i);
            yv.blend(xv, m).intoArray(o, oo + i);
        }
        for (; i < n; i++) o[oo + i] = c[co + i] != 0 ? x[xo + i * xs] : y[yo + i * ys];
        return true;
    }

    /** {@link dev.ember.backend.FusedGeluBackward#geluBackward}'s formula over {@code n} contiguous elements. */
    static void geluBackward(float[] g, int go, float[] x, int xo, float[] y, int yo, float[] o, int oo, int n) {
        int i = 0, bound = S.loopBound(n);
        var half = FloatVector.broadcast(S, 0.5f);
        var c = FloatVector.broadcast(S, GELU_PDF);
        for (; i < bound; i += L) {
            var v = FloatVector.fromArray(S, x, xo + i);
            var cdf = FloatVector.fromArray(S, y, yo + i).div(v).blend(half, v.abs().compare(VectorOperators.LT, GELU_TINY));
            var xPdf = v.mul(SimdMath.exp(v.mul(v).mul(-0.5f))).mul(c);
            FloatVector.fromArray(S, g, go + i).mul(cdf.add(xPdf)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            float cdf = Math.abs(v) < GELU_TINY ? 0.5f : y[yo + i] / v;
            o[oo + i] = g[go + i] * (cdf + v * FloatMath.exp(v * v * -0.5f) * GELU_PDF);
        }
    }

    /** {@code 1 / sqrt(2 pi)} and the |x| below which GELU's cdf is taken as 1/2, as the composed gradient has them in float32. */
    private static final float GELU_PDF = (float) (1.0 / Math.sqrt(2 * Math.PI)), GELU_TINY = (float) 1e-30;

    /**
     * Softmax (or log-softmax) of {@code rows} contiguous rows of {@code cols}. Each row's arithmetic is its own
     * method, one {@link SimdMath#exp} call site each: with both loops in one method C2 ran out of its node budget
     * and called {@code exp} out of line, boxing a vector on the heap for every call (JFR: a fifth of a GPT training
     * run's allocation and 8% of its time at 8 lanes).
     */
    static void softmaxRows(float[] x, int xo, float[] o, int oo, int rows, int cols, boolean log) {
        float[] lanes = new float[L];
        for (int r = 0; r < rows; r++) {
            int xr = xo + r * cols, or = oo + r * cols;
            float max = cols == 0 ? 0f : reduce(dev.ember.backend.ReduceOp.MAX, x, xr, cols);
            if (log) logSoftmaxRow(x, xr, o, or, cols, max, lanes);
            else softmaxRow(x, xr, o, or, cols, max, lanes);
        }
    }


    private static void softmaxRow(float[] x, int xr, float[] o, int or, int cols, float max, float[] lanes) {
        int i = 0, bound = S.loopBound(cols);
        var vmax = FloatVector.broadcast(S, max);
        var acc = FloatVector.zero(S);
        for (; i < bound; i += L) {
            var e = SimdMath.exp(FloatVector.fromArray(S, x, xr + i).sub(vmax));
            e.intoArray(o, or + i);
            acc = acc.add(e);
        }
        double sum = sumLanes(acc, lanes);
        for (; i < cols; i++) {
            float e = FloatMath.exp(x[xr + i] - max);
            o[or + i] = e;
            sum += e;
        }
        float inv = (float) (1 / sum);
        var vinv = FloatVector.broadcast(S, inv);
        for (i = 0; i < bound; i += L) FloatVector.fromArray(S, o, or + i).mul(vinv).intoArray(o, or + i);
        for (; i < cols; i++) o[or + i] *= inv;
    }

    private static void logSoftmaxRow(float[] x, int xr, float[] o, int or, int cols, float max, float[] lanes) {
        int i = 0, bound = S.loopBound(cols);
        var vmax = FloatVector.broadcast(S, max);
        var acc = FloatVector.zero(S);
        for (; i < bound; i += L) acc = acc.add(SimdMath.exp(FloatVector.fromArray(S, x, xr + i).sub(vmax)));
        double sum = sumLanes(acc, lanes);
        for (; i < cols; i++) sum += FloatMath.exp(x[xr + i] - max);
        // (x - max) - log(sum), as PyTorch: rounding max + log(sum) to float32 first lost ~2e-5 near |x| = 1000
        float logSum = (float) StrictMath.log(sum);
        var vlog = FloatVector.broadcast(S, logSum);
        for (i = 0; i < bound; i += L) FloatVector.fromArray(S, x, xr + i).sub(vmax).sub(vlog).intoArray(o, or + i);
        for (; i < cols; i++) o[or + i] = (x[xr + i] - max) - logSum;
    }

    /**
     * Adam / AdamW update of contiguous float32 rows, the same arithmetic as the scalar loop in
     * {@code CpuOptim.adam} (same order, no fused multiply-add, so results are identical):
     * {@code p *= decay; g' = g + l2 * p; m = b1 m + c1 g'; v = b2 v + c2 g'^2;
     * p -= stepSize * m / (sqrt(v) / bc2Sqrt + eps)}, with {@code c1 = (float) (1 - b1)}, {@code c2 = (float) (1 - b2)}.
     */
    static void adam(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int n,
                     float decay, float l2, float b1, float c1, float b2, float c2, float stepSize, float bc2Sqrt, float eps) {
        int i = 0, bound = S.loopBound(n);
        for (; i < bound; i += L) {
            var pi = FloatVector.fromArray(S, p, po + i).mul(decay);
            var gi = FloatVector.fromArray(S, g, go + i).add(pi.mul(l2));
            var mi = FloatVector.fromArray(S, m, mo + i).mul(b1).add(gi.mul(c1));
            var vi = FloatVector.fromArray(S, v, vo + i).mul(b2).add(gi.mul(c2).mul(gi));
            mi.intoArray(m, mo + i);
            vi.intoArray(v, vo + i);
            pi.sub(mi.mul(stepSize).div(vi.sqrt().div(bc2Sqrt).add(eps))).intoArray(p, po + i);
        }
        for (; i < n; i++) {
            float pi = p[po + i] * decay;
            float gi = g[go + i] + l2 * pi;
            float mi = b1 * m[mo + i] + c1 * gi;
            float vi = b2 * v[vo + i] + c2 * gi * gi;
            m[mo + i] = mi;
            v[vo + i] = vi;
            p[po + i] = pi - stepSize * mi / ((float) Math.sqrt(vi) / bc2Sqrt + eps);
        }
    }

    /** {@code y[i] += alpha * x[i]} over contiguous rows. */
    static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0, bound = S.loopBound(n);
        var va = FloatVector.broadcast(S, alpha);
        for (; i < bound; i += L) va.fma(FloatVector.fromArray(S, x, xo + i), FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }

    /**
     * One step of an arg-max (or arg-min) across rows: where {@code x[xo + j]} beats {@code best[j]}
     * (or is the first NaN), takes its value and records {@code row} in {@code bestIdx[j]}, for
     * {@code j < n}. NaN wins and then stays, as in torch.argmax; ties keep the earlier row.
     */
    static void argExtremeStep(float[] best, int[] bestIdx, float[] x, int xo, int n, int row, boolean max) {
        int j = 0, bound = S.loopBound(n);
        var rowIdx = jdk.incubator.vector.IntVector.broadcast(INT_SPECIES, row);
        for (; j < bound; j += L) {
            var b = FloatVector.fromArray(S, best, j);
            var v = FloatVector.fromArray(S, x, xo + j);
            var bNan = b.test(VectorOperators.IS_NAN);
            var wins = (max ? v.compare(VectorOperators.GT, b) : v.compare(VectorOperators.LT, b))
                    .or(v.test(VectorOperators.IS_NAN)).andNot(bNan);
            b.blend(v, wins).intoArray(best, j);
            var idx = jdk.incubator.vector.IntVector.fromArray(INT_SPECIES, bestIdx, j);
            idx.blend(rowIdx, wins.cast(INT_SPECIES)).intoArray(bestIdx, j);
        }
        for (; j < n; j++) {
            float v = x[xo + j], b = best[j];
            if (!Float.isNaN(b) && (Float.isNaN(v) || (max ? v > b : v < b))) {
                best[j] = v;
                bestIdx[j] = row;
            }
        }
    }

    private static final VectorSpecies<Integer> INT_SPECIES = VectorSpecies.of(int.class, S.vectorShape());

    /**
     * For max pooling: {@code x.rearrange(EVEN)} holds x's even lanes in each half, {@code ODD} its odd lanes, so
     * {@code x.rearrange(EVEN).blend(y.rearrange(EVEN), HIGH)} is the even lanes of x then of y. One single-vector
     * permute and one blend with a constant mask each: a two-vector {@code x.rearrange(s, y)} is not one intrinsic in
     * JDK 25 (it blends with a mask computed per call and allocated 240 bytes per 16 outputs here).
     */
    static final VectorShuffle<Float> EVEN = lanes(0), ODD = lanes(1);
    static final VectorMask<Float> HIGH = highHalf();
    private static final IntVector TWICE_IOTA = IntVector.zero(INT_SPECIES).addIndex(2);

    private static VectorMask<Float> highHalf() {
        boolean[] high = new boolean[L];
        for (int k = L / 2; k < L; k++) high[k] = true;
        return VectorMask.fromArray(S, high, 0);
    }

    private static VectorShuffle<Float> lanes(int first) {
        int[] at = new int[L];
        for (int k = 0; k < L; k++) at[k] = (first + 2 * k) % L;
        return VectorShuffle.fromArray(S, at, 0);
    }

    /** Lanes where v replaces the running pick: greater, or NaN over a number (the first NaN wins, ties keep the first). */
    private static VectorMask<Float> beats(FloatVector v, FloatVector best) {
        return v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN)).andNot(best.test(VectorOperators.IS_NAN));
    }

    /**
     * One plane of the common 2 x 2, stride 2 pooling without padding (rows contiguous): for up to L outputs of an
     * output row, the two input rows are loaded as vectors and split into even and odd columns, and the four
     * candidates are folded in row-major window order with {@link #argExtremeStep}'s rule (the first NaN,
     * else the first maximum). Against {@code CpuPool.planeMaxSimd}, which copies each window offset's inputs one by one,
     * about three times faster on the demo CNN's layers.
     */
    static void maxPool2x2(float[] x, int xBase, int sh, ConvGeometry g, float[] out, int o, int[] idx, int io,
                           float[] lastOut, int[] lastIdx) {
        int w = g.inW(), oh = g.outH(), ow = g.outW();
        for (int i = 0; i < oh; i++) {
            int top = xBase + 2 * i * sh, bottom = top + sh;
            for (int j = 0; j < ow; j += L) {
                int n = Math.min(L, ow - j), in = 2 * j, corner = 2 * i * w + in;
                // Whole vectors, no masks (a masked load or store whose mask is built at run time leaves C2's
                // intrinsics and allocates): lanes past the row's end read the next row, and their results are
                // dropped. Only where a vector would leave the array does the chunk go scalar.
                if (Math.max(top, bottom) + in + 2 * L > x.length) {
                    for (int q = j; q < j + n; q++) {
                        int t = top + 2 * q, d = bottom + 2 * q, pick = 0;
                        float best = x[t];
                        if (beats(x[t + 1], best)) { best = x[t + 1]; pick = 1; }
                        if (beats(x[d], best)) { best = x[d]; pick = w; }
                        if (beats(x[d + 1], best)) { best = x[d + 1]; pick = w + 1; }
                        out[o + i * ow + q] = best;
                        idx[io + i * ow + q] = 2 * i * w + 2 * q + pick;
                    }
                    continue;
                }
                var t0 = FloatVector.fromArray(S, x, top + in);
                var t1 = FloatVector.fromArray(S, x, top + in + L);
                var b0 = FloatVector.fromArray(S, x, bottom + in);
                var b1 = FloatVector.fromArray(S, x, bottom + in + L);
                var best = t0.rearrange(EVEN).blend(t1.rearrange(EVEN), HIGH);
                var off = IntVector.zero(INT_SPECIES);
                var v = t0.rearrange(ODD).blend(t1.rearrange(ODD), HIGH);
                var wins = beats(v, best);
                best = best.blend(v, wins);
                off = off.blend(1, wins.cast(INT_SPECIES));
                v = b0.rearrange(EVEN).blend(b1.rearrange(EVEN), HIGH);
                wins = beats(v, best);
                best = best.blend(v, wins);
                off = off.blend(w, wins.cast(INT_SPECIES));
                v = b0.rearrange(ODD).blend(b1.rearrange(ODD), HIGH);
                wins = beats(v, best);
                best = best.blend(v, wins);
                off = off.blend(w + 1, wins.cast(INT_SPECIES));
                // the pick as a flat position in the input plane: the window's corner (2i, 2j) plus its offset
                var pick = off.add(TWICE_IOTA).add(corner);
                if (i * ow + j + L <= oh * ow) {
                    // past n, the lanes land on later output rows of this plane, which are computed after this one
                    best.intoArray(out, o + i * ow + j);
                    pick.intoArray(idx, io + i * ow + j);
                } else {
                    // near the plane's end: a whole vector would write into the next plane (another thread's)
                    best.intoArray(lastOut, 0);
                    pick.intoArray(lastIdx, 0);
                    System.arraycopy(lastOut, 0, out, o + i * ow + j, n);
                    System.arraycopy(lastIdx, 0, idx, io + i * ow + j, n);
                }
            }
        }
    }

    /** {@link #beats(FloatVector, FloatVector)} for one element. */
    private static boolean beats(float v, float best) {
        return !Float.isNaN(best) && (Float.isNaN(v) || v > best);
    }

}
