package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.UnaryOp;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Vector API kernels against float64 scalar references written here, at lengths that
 * leave a scalar tail and at non-zero offsets. Tagged "conformance" so the 8-lane (AVX2)
 * run covers them too.
 */
@Tag("conformance")
class SimdKernelsTest {
    private static final int N = 1000 + 7, OFF = 3;

    private static float[] random(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return x;
    }

    private static double erf(double x) {
        // Series / continued fraction free reference: integrate exp(-t^2) by Simpson's rule (fine for |x| < 6).
        int steps = 2000;
        double h = x / steps, s = 1 + Math.exp(-x * x);
        for (int i = 1; i < steps; i++) s += (i % 2 == 1 ? 4 : 2) * Math.exp(-(i * h) * (i * h));
        return 2 / Math.sqrt(Math.PI) * s * h / 3;
    }

    private static double unaryRef(UnaryOp op, double x) {
        return switch (op) {
            case EXP -> Math.exp(x);
            case RELU -> x > 0 ? x : 0;
            case GELU -> 0.5 * x * (1 + erf(x / Math.sqrt(2)));
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case NEG -> -x;
            case SQRT -> Math.sqrt(Math.abs(x));
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    @ParameterizedTest
    @EnumSource(value = UnaryOp.class, names = {"EXP", "RELU", "GELU", "TANH", "SIGMOID", "NEG"})
    void unaryMatchesFloat64Reference(UnaryOp op) {
        float[] x = random(OFF + N, 1, 6), o = new float[OFF + N + 2];
        o[OFF + N] = 42f;
        assertTrue(SimdKernels.unary(op, x, OFF, o, OFF, N, 0, 0));
        for (int i = 0; i < N; i++) {
            double want = unaryRef(op, x[OFF + i]);
            assertEquals(want, o[OFF + i], 3e-6 * Math.max(1, Math.abs(want)), op + " at " + i + " of x=" + x[OFF + i]);
        }
        assertEquals(42f, o[OFF + N], "wrote past the row");
    }

    @Test
    void reluKeepsNaN() {
        float[] x = new float[40];
        x[5] = Float.NaN;
        x[33] = Float.NaN;
        float[] o = new float[40];
        SimdKernels.unary(UnaryOp.RELU, x, 0, o, 0, 40, 0, 0);
        assertTrue(Float.isNaN(o[5]) && Float.isNaN(o[33]));
    }

    @ParameterizedTest
    @EnumSource(value = BinaryOp.class, names = {"ADD", "SUB", "MUL", "DIV"})
    void binaryWithScalarBroadcastsMatchesReference(BinaryOp op) {
        float[] x = random(OFF + N, 2, 3), y = random(OFF + N, 3, 3), o = new float[OFF + N];
        for (int[] st : new int[][]{{1, 1}, {1, 0}, {0, 1}}) {
            assertTrue(SimdKernels.binary(op, x, OFF, st[0], y, OFF, st[1], o, OFF, N));
            for (int i = 0; i < N; i++) {
                double a = x[OFF + i * st[0]], b = y[OFF + i * st[1]];
                double want = switch (op) {
                    case ADD -> a + b;
                    case SUB -> a - b;
                    case MUL -> a * b;
                    default -> a / b;
                };
                assertEquals(want, o[OFF + i], 1e-6 * Math.max(1, Math.abs(want)), op + " strides " + st[0] + "," + st[1] + " at " + i);
            }
        }
        assertFalse(SimdKernels.binary(BinaryOp.POW, x, 0, 1, y, 0, 1, o, 0, N), "no fast path for POW");
    }

    @Test
    void reductionsMatchFloat64AndPropagateNaN() {
        float[] x = random(OFF + N, 4, 10);
        double sum = 0, max = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < N; i++) {
            sum += x[OFF + i];
            max = Math.max(max, x[OFF + i]);
            min = Math.min(min, x[OFF + i]);
        }
        assertEquals(sum, SimdKernels.reduce(ReduceOp.SUM, x, OFF, N), 1e-4);
        assertEquals(max, SimdKernels.reduce(ReduceOp.MAX, x, OFF, N), 0);
        assertEquals(min, SimdKernels.reduce(ReduceOp.MIN, x, OFF, N), 0);
        x[OFF + N - 2] = Float.NaN; // in the scalar tail
        assertTrue(Float.isNaN(SimdKernels.reduce(ReduceOp.MAX, x, OFF, N)));
        x[OFF + N - 2] = 0;
        x[OFF + 17] = Float.NaN; // in the vector body
        assertTrue(Float.isNaN(SimdKernels.reduce(ReduceOp.MIN, x, OFF, N)));
        // Both infinities and no NaN: the NaN screen (a running sum) fires, the rescan must clear it.
        x[OFF + 17] = Float.POSITIVE_INFINITY;
        x[OFF + 40] = Float.NEGATIVE_INFINITY;
        assertEquals(Float.POSITIVE_INFINITY, SimdKernels.reduce(ReduceOp.MAX, x, OFF, N));
        assertEquals(Float.NEGATIVE_INFINITY, SimdKernels.reduce(ReduceOp.MIN, x, OFF, N));
    }

    @ParameterizedTest
    @EnumSource(value = BinaryOp.class, names = {"EQ", "NE", "LT", "LE", "GT", "GE"})
    void compareWritesBooleanBytes(BinaryOp op) {
        float[] x = random(N, 5, 2), y = random(N, 6, 2);
        for (int i = 0; i < N; i += 7) y[i] = x[i]; // ties
        x[11] = Float.NaN;
        for (int[] st : new int[][]{{1, 1}, {1, 0}, {0, 1}}) {
            byte[] o = new byte[OFF + N];
            assertTrue(SimdKernels.compare(op, x, 0, st[0], y, 0, st[1], o, OFF, N));
            for (int i = 0; i < N; i++) {
                double a = x[i * st[0]], b = y[i * st[1]];
                boolean want = switch (op) {
                    case EQ -> a == b;
                    case NE -> a != b;
                    case LT -> a < b;
                    case LE -> a <= b;
                    case GT -> a > b;
                    default -> a >= b;
                };
                assertEquals(want ? 1 : 0, o[OFF + i], op + " strides " + st[0] + "," + st[1] + " at " + i + ": " + a + " vs " + b);
            }
        }
        assertFalse(SimdKernels.compare(BinaryOp.ADD, x, 0, 1, y, 0, 1, new byte[N], 0, N));
    }

    @Test
    void integerPowersAreFloat32ProductsAsInPyTorch() {
        float[] x = random(OFF + N, 3, 40), o = new float[OFF + N];
        x[OFF] = -0f; x[OFF + 1] = 0f; x[OFF + 2] = Float.NaN; x[OFF + 3] = Float.NEGATIVE_INFINITY; x[OFF + N - 1] = -0f;
        for (double a : new double[]{2, 3, -1, -2}) {
            assertTrue(SimdKernels.unary(UnaryOp.POW_SCALAR, x, OFF, o, OFF, N, (float) a, 0));
            for (int i = 0; i < N; i++) {
                float v = x[OFF + i];
                float want = a == 2 ? v * v : a == 3 ? v * v * v : a == -1 ? 1f / v : 1f / (v * v);
                assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(o[OFF + i]), "pow(" + v + ", " + a + ") at " + i);
                double exact = StrictMath.pow(v, a);
                if (Double.isFinite(exact) && exact != 0) assertEquals(exact, o[OFF + i], 4e-7 * Math.abs(exact), "pow(" + v + ", " + a + ")");
            }
        }
        // Other exponents have no vector path: the caller's scalar loop runs StrictMath.pow.
        assertFalse(SimdKernels.unary(UnaryOp.POW_SCALAR, x, OFF, o, OFF, N, 1.5f, 0));
        assertEquals((float) StrictMath.pow(x[OFF + 5], 1.5), ScalarMath.unaryFloat(UnaryOp.POW_SCALAR, x[OFF + 5], 1.5, 0));
    }

    @Test
    void softmaxRowsMatchFloat64Reference() {
        for (int cols : new int[]{1, 10, 16, 1000 + 3}) {
            int rows = 5;
            float[] x = random(OFF + rows * cols, 7, 20), o = new float[rows * cols], lo = new float[rows * cols];
            SimdKernels.softmaxRows(x, OFF, o, 0, rows, cols, false);
            SimdKernels.softmaxRows(x, OFF, lo, 0, rows, cols, true);
            for (int r = 0; r < rows; r++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < cols; j++) max = Math.max(max, x[OFF + r * cols + j]);
                for (int j = 0; j < cols; j++) sum += Math.exp(x[OFF + r * cols + j] - max);
                for (int j = 0; j < cols; j++) {
                    double z = x[OFF + r * cols + j] - max;
                    assertEquals(Math.exp(z) / sum, o[r * cols + j], 2e-6, "softmax cols=" + cols + " [" + r + "][" + j + "]");
                    assertEquals(z - Math.log(sum), lo[r * cols + j], 2e-5 * Math.max(1, Math.abs(z)), "logSoftmax cols=" + cols);
                }
            }
        }
        float[] x = {1, Float.NaN, 2, 3};
        float[] o = new float[4];
        SimdKernels.softmaxRows(x, 0, o, 0, 1, 4, false);
        for (float v : o) assertTrue(Float.isNaN(v), "a NaN row gives NaN");
    }

    @Test
    void adamMatchesFloat64ReferenceAndScalarFloatLoop() {
        float[] p = random(N, 8, 1), g = random(N, 9, 1), m = random(N, 10, 0.1), v = random(N, 11, 0.1);
        for (int i = 0; i < N; i++) v[i] = Math.abs(v[i]);
        double lr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.01;
        long step = 3;
        double bc1 = 1 - Math.pow(b1, step), bc2 = 1 - Math.pow(b2, step);
        float[] p2 = p.clone(), m2 = m.clone(), v2 = v.clone();
        SimdKernels.adam(p2, 0, g, 0, m2, 0, v2, 0, N, 1f, (float) wd, (float) b1, (float) (1 - b1), (float) b2, (float) (1 - b2),
                (float) (lr / bc1), (float) Math.sqrt(bc2), (float) eps);
        for (int i = 0; i < N; i++) {
            // float64 reference of Adam with L2 weight decay (PyTorch's Adam, weight_decay=wd).
            double gi = g[i] + wd * p[i];
            double mi = b1 * m[i] + (1 - b1) * gi, vi = b2 * v[i] + (1 - b2) * gi * gi;
            double pi = p[i] - lr / bc1 * mi / (Math.sqrt(vi) / Math.sqrt(bc2) + eps);
            assertEquals(mi, m2[i], 1e-6 * Math.max(1, Math.abs(mi)), "exp_avg at " + i);
            assertEquals(vi, v2[i], 1e-6 * Math.max(1e-3, Math.abs(vi)), "exp_avg_sq at " + i);
            assertEquals(pi, p2[i], 2e-6 * Math.max(1, Math.abs(pi)), "param at " + i);
        }
    }
}
