package dev.ember;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.autograd.GradCheck;
import dev.ember.backend.cpu.CpuBackend;
import dev.ember.testing.JsonTensors;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link Normalization}: the fused LayerNorm / RMSNorm node (the CPU's {@code FusedNorm}) against float64 scalar
 * references written here (forward and the analytic gradients), finite differences, the composed path (fused
 * kernels switched off), PyTorch's values ({@code torch_norm/make_norm_refs.py}), 16-bit inputs with and without
 * autocast, 1 against 2 threads, cold against warm code, and bad input. Tagged conformance: the kernel's sums depend
 * on the vector width, so the 8-lane (AVX2) run checks it again.
 */
@Tag("conformance")
class NormalizationTest {

    @AfterEach
    void restore() { Ember.setFusedKernelsEnabled(true); }

    // ---- float64 references ------------------------------------------------------------------------------

    /** {mean, rstd} of row r of n (rms: mean 0, rstd from the mean square), in float64. */
    private static double[] rowStats(double[] x, int r, int n, double eps, boolean rms) {
        double mean = 0, var = 0;
        if (!rms) {
            for (int j = 0; j < n; j++) mean += x[r * n + j];
            mean /= n;
        }
        for (int j = 0; j < n; j++) var += (x[r * n + j] - mean) * (x[r * n + j] - mean);
        return new double[]{mean, 1 / Math.sqrt(var / n + eps)};
    }

    /** y per row of n: (x - mean) / sqrt(var + eps) * w + b (rms: x / sqrt(mean(x^2) + eps) * w); w, b may be null. */
    static double[] reference(double[] x, int n, double[] w, double[] b, double eps, boolean rms) {
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / n; r++) {
            double[] st = rowStats(x, r, n, eps, rms);
            double mean = st[0], rstd = st[1];
            for (int j = 0; j < n; j++)
                y[r * n + j] = (x[r * n + j] - mean) * rstd * (w == null ? 1 : w[j]) + (b == null ? 0 : b[j]);
        }
        return y;
    }

    /**
     * {dx, dw, db} of sum(y * g), written out from the chain rule per row: with xhat = (x - mean) rstd and
     * gy = g w, dx_j = rstd (gy_j - mean(gy) - xhat_j mean(gy xhat)) (rms: no mean(gy) term), dw = sum_rows g xhat,
     * db = sum_rows g.
     */
    static double[][] referenceGrads(double[] x, double[] g, int n, double[] w, double eps, boolean rms) {
        double[] dx = new double[x.length], dw = new double[n], db = new double[n];
        for (int r = 0; r < x.length / n; r++) {
            double[] st = rowStats(x, r, n, eps, rms);
            double mean = st[0], rstd = st[1];
            double[] xhat = new double[n], gy = new double[n];
            double sumGy = 0, sumGyXhat = 0;
            for (int j = 0; j < n; j++) {
                xhat[j] = (x[r * n + j] - mean) * rstd;
                gy[j] = g[r * n + j] * (w == null ? 1 : w[j]);
                sumGy += gy[j];
                sumGyXhat += gy[j] * xhat[j];
                dw[j] += g[r * n + j] * xhat[j];
                db[j] += g[r * n + j];
            }
            for (int j = 0; j < n; j++)
                dx[r * n + j] = rstd * (gy[j] - (rms ? 0 : sumGy / n) - xhat[j] * sumGyXhat / n);
        }
        return new double[][]{dx, dw, db};
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** Gaussian values rounded to float32, so the float64 reference sees exactly the kernel's operands. */
    static double[] values(Random rnd, int len, double scale, double shift) {
        double[] v = new double[len];
        for (int i = 0; i < len; i++) v[i] = (float) (rnd.nextGaussian() * scale + shift);
        return v;
    }

    static Tensor f32(double[] v, long... shape) { return Tensor.of(v).reshape(shape).to(DType.FLOAT32); }

    static void assertClose(String what, double[] expected, double[] actual, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double tol = atol + rtol * Math.abs(expected[i]);
            if (!(Math.abs(expected[i] - actual[i]) <= tol))
                throw new AssertionError(what + ": element " + i + " expected " + expected[i] + ", got " + actual[i] + " (tolerance " + tol + ")");
        }
    }

    static Tensor norm(boolean rms, Tensor x, long[] shape, Tensor w, Tensor b, double eps) {
        return rms ? Normalization.rmsNorm(x, shape, w, eps) : Normalization.layerNorm(x, shape, w, b, eps);
    }

    /** y came from the fused node (one node named after the op) where the CPU has the kernel (the Vector API is present). */
    static void assertFused(boolean rms, Tensor y, String what) {
        if (CpuBackend.simd()) assertEquals(rms ? "rmsNorm" : "layerNorm", y.gradFn().name(), what + ": one fused node");
    }

    /** Shapes {x shape, normalized shape}: n from 1 to 130, not multiples of 16 included, one and two normalized dims. */
    static final long[][][] CASES = {
            {{4, 37}, {37}}, {{2, 3, 16}, {16}}, {{5, 130}, {130}}, {{3, 2, 19}, {2, 19}}, {{6, 1}, {1}}, {{1, 7}, {7}},
            {{2, 2, 2, 33}, {33}},
    };

    // ---- forward and backward against float64 --------------------------------------------------------------

    @Test
    void forwardAndBackwardMatchFloat64Reference() {
        Random rnd = new Random(7);
        for (boolean rms : new boolean[]{false, true})
            for (long[][] c : CASES)
                for (int affine = 0; affine < 3; affine++) // 0: none, 1: weight only, 2: weight and bias (LayerNorm)
                    for (double eps : new double[]{1e-5, 0.1}) {
                        if (rms && affine == 2) continue;
                        long[] shape = c[0], ns = c[1];
                        int numel = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b), n = (int) Arrays.stream(ns).reduce(1, (a, b) -> a * b);
                        double[] x = values(rnd, numel, 1.7, 0.4), g = values(rnd, numel, 1, 0);
                        double[] w = affine >= 1 ? values(rnd, n, 0.5, 1) : null, b = affine == 2 ? values(rnd, n, 0.3, 0) : null;
                        String what = (rms ? "rmsNorm " : "layerNorm ") + Arrays.toString(shape) + " over " + Arrays.toString(ns)
                                + " affine " + affine + " eps " + eps;
                        Tensor xt = f32(x, shape).requiresGrad(true);
                        Tensor wt = w == null ? null : f32(w, ns).requiresGrad(true), bt = b == null ? null : f32(b, ns).requiresGrad(true);
                        Tensor y = norm(rms, xt, ns, wt, bt, eps);
                        assertFused(rms, y, what);
                        assertEquals(DType.FLOAT32, y.dtype());
                        assertArrayEquals(shape, y.shape());
                        // n = 1 LayerNorm is all zeros plus bias; eps keeps it finite
                        assertClose(what + " y", reference(x, n, w, b, eps, rms), y.toDoubleArray(), 3e-6, 3e-6);
                        y.mul(f32(g, shape)).sum().backward();
                        double[][] ref = referenceGrads(x, g, n, w, eps, rms);
                        assertClose(what + " dx", ref[0], xt.grad().toDoubleArray(), 3e-5, 3e-5);
                        if (wt != null) {
                            assertArrayEquals(ns, wt.grad().shape());
                            assertClose(what + " dweight", ref[1], wt.grad().toDoubleArray(), 1e-5, 1e-5);
                        }
                        if (bt != null) assertClose(what + " dbias", ref[2], bt.grad().toDoubleArray(), 1e-5, 1e-5);
                    }
    }

    @Test
    void finiteDifferencesAgreeThroughTheFusedNode() {
        Random rnd = new Random(11);
        for (boolean rms : new boolean[]{false, true}) {
            Tensor x = Tensor.of(values(rnd, 3 * 21, 1, 0.2)).reshape(3, 21).requiresGrad(true);
            Tensor w = Tensor.of(values(rnd, 21, 0.5, 1)).requiresGrad(true), b = Tensor.of(values(rnd, 21, 0.2, 0)).requiresGrad(true);
            // float32 inside (the fused kernel), so a float32-sized step and tolerances
            var failure = GradCheck.check(in -> norm(rms, in[0].to(DType.FLOAT32), new long[]{21}, in[1].to(DType.FLOAT32),
                            rms ? null : in[2].to(DType.FLOAT32), 1e-5).to(DType.FLOAT64),
                    new GradCheck.Options(1e-2, 2e-3, 2e-2), x, w, b.requiresGrad(!rms));
            assertEquals(null, failure, () -> (rms ? "rmsNorm: " : "layerNorm: ") + failure.message());
        }
    }

    @Test
    void fusedAndComposedPathsAgree() {
        Random rnd = new Random(3);
        for (boolean rms : new boolean[]{false, true}) {
            double[] x = values(rnd, 6 * 45, 2, -0.5), w = values(rnd, 45, 0.4, 1), b = values(rnd, 45, 0.2, 0), g = values(rnd, 6 * 45, 1, 0);
            double[][] results = new double[2][];
            double[][][] grads = new double[2][][];
            for (int path = 0; path < 2; path++) {
                Ember.setFusedKernelsEnabled(path == 0);
                Tensor xt = f32(x, 2, 3, 45).requiresGrad(true), wt = f32(w, 45).requiresGrad(true), bt = f32(b, 45).requiresGrad(true);
                Tensor y = norm(rms, xt, new long[]{45}, wt, rms ? null : bt, 1e-5);
                if (path == 0) assertFused(rms, y, "path 0");
                else assertNotEquals(rms ? "rmsNorm" : "layerNorm", y.gradFn().name(), "fused kernels off: composed");
                y.mul(f32(g, 2, 3, 45)).sum().backward();
                results[path] = y.toDoubleArray();
                grads[path] = new double[][]{xt.grad().toDoubleArray(), wt.grad().toDoubleArray(), rms ? new double[0] : bt.grad().toDoubleArray()};
            }
            String what = rms ? "rmsNorm" : "layerNorm";
            assertClose(what + " y", results[1], results[0], 3e-6, 3e-6);
            assertClose(what + " dx", grads[1][0], grads[0][0], 3e-5, 3e-5);
            assertClose(what + " dweight", grads[1][1], grads[0][1], 2e-5, 2e-5);
            assertClose(what + " dbias", grads[1][2], grads[0][2], 2e-5, 2e-5);
        }
    }

    // ---- PyTorch --------------------------------------------------------------------------------------------

    @Test
    void pytorchValues() throws Exception {
        JsonObject all;
        try (var in = NormalizationTest.class.getResourceAsStream("/torch_norm/norm_refs.json")) {
            all = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
        for (String name : new String[]{"layer_norm", "rms_norm"}) {
            JsonObject c = all.getAsJsonObject(name);
            boolean rms = name.equals("rms_norm");
            var nsJson = c.getAsJsonArray("normalized_shape");
            long[] ns = new long[nsJson.size()];
            for (int i = 0; i < ns.length; i++) ns[i] = nsJson.get(i).getAsLong();
            Tensor x = json(c, "x").requiresGrad(true), w = json(c, "weight").requiresGrad(true), b = rms ? null : json(c, "bias").requiresGrad(true);
            Tensor y = norm(rms, x, ns, w, b, c.get("eps").getAsDouble());
            y.mul(json(c, "g")).sum().backward();
            assertClose(name + " y", json(c, "y").toDoubleArray(), y.toDoubleArray(), 1e-5, 1e-5);
            assertClose(name + " dx", json(c, "dx").toDoubleArray(), x.grad().toDoubleArray(), 1e-4, 1e-4);
            assertClose(name + " dweight", json(c, "dweight").toDoubleArray(), w.grad().toDoubleArray(), 1e-4, 1e-4);
            if (!rms) assertClose(name + " dbias", json(c, "dbias").toDoubleArray(), b.grad().toDoubleArray(), 1e-4, 1e-4);
        }
    }

    private static Tensor json(JsonObject c, String key) { return JsonTensors.of(c.getAsJsonObject(key)); }

    // ---- 16-bit --------------------------------------------------------------------------------------------

    @Test
    void sixteenBitInputsComputeInFloat32AndRoundOnce() {
        Random rnd = new Random(5);
        for (DType half : new DType[]{DType.BFLOAT16, DType.FLOAT16})
            for (boolean rms : new boolean[]{false, true}) {
                int n = 50;
                Tensor x16 = f32(values(rnd, 4 * n, 1.3, 0.3), 4, n).to(half).requiresGrad(true);
                double[] x = x16.toDoubleArray(), w = values(rnd, n, 0.4, 1), b = values(rnd, n, 0.2, 0), g = values(rnd, 4 * n, 1, 0);
                Tensor wt = f32(w, n).requiresGrad(true), bt = rms ? null : f32(b, n).requiresGrad(true);
                String what = half + (rms ? " rmsNorm" : " layerNorm");
                // a 16-bit model's activations stay 16-bit (weights float32 here: PyTorch's mixed-type rule)
                Tensor y = norm(rms, x16, new long[]{n}, wt, bt, 1e-5);
                assertEquals(half, y.dtype(), what);
                assertFused(rms, y, what);
                double ulp = half == DType.BFLOAT16 ? 0x1p-8 : 0x1p-11; // half an ulp, relative: one rounding of the float32 value
                assertClose(what + " y", reference(x, n, w, rms ? null : b, 1e-5, rms), y.toDoubleArray(), 1e-5, ulp * 1.01);
                y.mul(f32(g, 4, n).to(half)).sum().backward();
                assertEquals(half, x16.grad().dtype(), what + " dx dtype");
                double[] g16 = f32(g, 4, n).to(half).toDoubleArray();
                double[][] ref = referenceGrads(x, g16, n, w, 1e-5, rms);
                assertClose(what + " dx", ref[0], x16.grad().toDoubleArray(), 1e-4, ulp * 1.05);
                assertClose(what + " dweight", ref[1], wt.grad().toDoubleArray(), 1e-4, 1e-4);
            }
    }

    @Test
    void autocastGivesFloat32AndReadsSixteenBitInputsDirectly() {
        Random rnd = new Random(9);
        int n = 40;
        Tensor x16 = f32(values(rnd, 3 * n, 1, 0), 3, n).to(DType.BFLOAT16);
        Tensor w = f32(values(rnd, n, 0.3, 1), n), b = f32(values(rnd, n, 0.1, 0), n);
        Tensor inScope, fromCopy = Normalization.layerNorm(x16.to(DType.FLOAT32), new long[]{n}, w, b, 1e-5);
        try (var ac = Ember.autocast(DType.BFLOAT16)) {
            inScope = Normalization.layerNorm(x16, new long[]{n}, w, b, 1e-5);
        }
        assertEquals(DType.FLOAT32, inScope.dtype(), "layer_norm is on autocast's float32 list");
        // widening BFLOAT16 is exact: the same float32 computation, bit for bit
        assertArrayEquals(fromCopy.toFloatArray(), inScope.toFloatArray());
        // a BFLOAT16 model: weight and bias BFLOAT16 too, output and gradients BFLOAT16
        Tensor xb = x16.detach().requiresGrad(true), wb = w.to(DType.BFLOAT16).requiresGrad(true), bb = b.to(DType.BFLOAT16).requiresGrad(true);
        Tensor y = Normalization.layerNorm(xb, new long[]{n}, wb, bb, 1e-5);
        assertEquals(DType.BFLOAT16, y.dtype());
        y.sum().backward();
        assertEquals(DType.BFLOAT16, wb.grad().dtype());
        assertEquals(DType.BFLOAT16, bb.grad().dtype());
        assertArrayEquals(new float[]{3, 3, 3, 3}, Arrays.copyOf(bb.grad().toFloatArray(), 4), "dbias sums the rows' ones");
    }

    // ---- determinism ---------------------------------------------------------------------------------------

    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        int before = Ember.numThreads();
        Random rnd = new Random(13);
        // 400 x 200: the forward and the backward's row blocks both split between threads
        double[] x = values(rnd, 400 * 200, 1, 0.5), w = values(rnd, 200, 0.3, 1), b = values(rnd, 200, 0.1, 0), g = values(rnd, 400 * 200, 1, 0);
        try {
            for (boolean rms : new boolean[]{false, true}) {
                float[][][] runs = new float[2][][];
                for (int threads = 1; threads <= 2; threads++) {
                    Ember.setNumThreads(threads);
                    Tensor xt = f32(x, 400, 200).requiresGrad(true), wt = f32(w, 200).requiresGrad(true), bt = f32(b, 200).requiresGrad(true);
                    Tensor y = norm(rms, xt, new long[]{200}, wt, rms ? null : bt, 1e-5);
                    y.mul(f32(g, 400, 200)).sum().backward();
                    runs[threads - 1] = new float[][]{y.toFloatArray(), xt.grad().toFloatArray(), wt.grad().toFloatArray(),
                            rms ? new float[0] : bt.grad().toFloatArray()};
                }
                for (int k = 0; k < 4; k++) assertArrayEquals(runs[0][k], runs[1][k], (rms ? "rmsNorm" : "layerNorm") + " result " + k);
            }
        } finally {
            Ember.setNumThreads(before);
        }
    }

    @Test
    void warmCodeGivesTheColdCodesBits() {
        Random rnd = new Random(19);
        double[] x = values(rnd, 5 * 70, 1, 0.5), w = values(rnd, 70, 0.3, 1), b = values(rnd, 70, 0.1, 0), g = values(rnd, 5 * 70, 1, 0);
        float[][] first = null;
        // the first calls run in the interpreter; after a few thousand the kernel's loops are compiled (C1, then C2)
        for (int i = 0; i < 3000; i++) {
            Tensor xt = f32(x, 5, 70).requiresGrad(true), wt = f32(w, 70).requiresGrad(true), bt = f32(b, 70).requiresGrad(true);
            Tensor y = Normalization.layerNorm(xt, new long[]{70}, wt, bt, 1e-5);
            y.mul(f32(g, 5, 70)).sum().backward();
            float[][] now = {y.toFloatArray(), xt.grad().toFloatArray(), wt.grad().toFloatArray(), bt.grad().toFloatArray()};
            if (first == null) first = now;
            else if (i % 500 == 0 || i == 2999)
                for (int k = 0; k < 4; k++) assertArrayEquals(first[k], now[k], "call " + i + ", result " + k);
        }
    }

    // ---- bad input -----------------------------------------------------------------------------------------

    @Test
    void badInputNamesTheOpAndTheArgument() {
        Tensor x = Tensor.zeros(2, 5);
        var e = assertThrows(IllegalArgumentException.class, () -> Normalization.layerNorm(x, new long[]{4}, null, null, 1e-5));
        assertTrue(e.getMessage().contains("layerNorm") && e.getMessage().contains("[2, 5]") && e.getMessage().contains("[4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Normalization.layerNorm(x, new long[]{5}, Tensor.ones(4), null, 1e-5));
        assertTrue(e.getMessage().contains("layerNorm: weight shape [4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Normalization.layerNorm(x, new long[]{5}, Tensor.ones(5), Tensor.ones(1, 5), 1e-5));
        assertTrue(e.getMessage().contains("layerNorm: bias shape [1, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Normalization.rmsNorm(x, new long[]{2, 5, 1}, null, 1e-5));
        assertTrue(e.getMessage().contains("rmsNorm"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Normalization.rmsNorm(x, new long[]{5}, null, -1));
        assertTrue(e.getMessage().contains("rmsNorm: eps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Normalization.layerNorm(Tensor.of(new int[]{1, 2}), new long[]{2}, null, null, 1e-5));
        assertTrue(e.getMessage().contains("floating point"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Normalization.layerNorm(x, new long[]{}, null, null, 1e-5));
        assertTrue(e.getMessage().contains("normalizedShape"), e.getMessage());
    }

    @Test
    void emptyBatchNonContiguousAndFloat64Inputs() {
        // no rows: an empty result, no kernel call
        assertArrayEquals(new long[]{0, 8}, Normalization.layerNorm(Tensor.zeros(0, 8), new long[]{8}, null, null, 1e-5).shape());
        // a transposed input is made contiguous first
        Random rnd = new Random(17);
        double[] v = values(rnd, 9 * 6, 1, 0);
        Tensor t = f32(v, 9, 6).transpose(0, 1); // [6, 9], not contiguous
        double[] dense = t.contiguous().toDoubleArray();
        assertClose("transposed", reference(dense, 9, null, null, 1e-5, false),
                Normalization.layerNorm(t, new long[]{9}, null, null, 1e-5).toDoubleArray(), 3e-6, 3e-6);
        // FLOAT64 composes (no fused kernel) and stays float64
        Tensor y64 = Normalization.layerNorm(Tensor.of(dense).reshape(6, 9), new long[]{9}, null, null, 1e-5);
        assertEquals(DType.FLOAT64, y64.dtype());
        assertClose("float64", reference(dense, 9, null, null, 1e-5, false), y64.toDoubleArray(), 1e-12, 1e-12);
    }
}
