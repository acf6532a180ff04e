package dev.ember;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.autograd.GradCheck;
import dev.ember.backend.Backends;
import dev.ember.testing.Checks;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Attention#scaledDotProductAttention}: forward against a float64 scalar reference on every
 * device (broadcast batch dims, non-contiguous operands, BOOL, float, causal and key-padding masks,
 * several chunkings), gradients against finite differences, dropout regenerated identically in
 * backward, and the memory bound of the chunked backward.
 */
@Tag("conformance")
@Tag("devices")
class AttentionTest {

    static Stream<Device> devices() { return Checks.devices().stream(); }

    @AfterEach
    void resetChunking() { Attention.chunkSlicesOverride = 0; }

    /** softmax(q k^T * scale + mask) v in float64 loops, one batch index at a time; mask[b][i][j] false = masked. */
    static double[] reference(double[] q, double[] k, double[] v, int nb, int L, int S, int E, int Ev, double[] addMask, double scale) {
        double[] out = new double[nb * L * Ev];
        for (int b = 0; b < nb; b++)
            for (int i = 0; i < L; i++) {
                double[] s = new double[S];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < S; j++) {
                    double d = 0;
                    for (int e = 0; e < E; e++) d += q[(b * L + i) * E + e] * k[(b * S + j) * E + e];
                    s[j] = d * scale + (addMask == null ? 0 : addMask[(b * L + i) * S + j]);
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < S; j++) { s[j] = Math.exp(s[j] - max); sum += s[j]; }
                for (int f = 0; f < Ev; f++) {
                    double acc = 0;
                    for (int j = 0; j < S; j++) acc += s[j] / sum * v[(b * S + j) * Ev + f];
                    out[(b * L + i) * Ev + f] = acc;
                }
            }
        return out;
    }

    private static double[] random(Random r, int n) { return Checks.random(r, n, -1.5, 1.5); }

    private static Tensor on(double[] v, DType dt, Device dev, long... shape) { return Tensor.of(v).reshape(shape).to(dt).to(dev); }

    private static void assertClose(double[] want, Tensor got, double tol, String what) {
        double[] g = got.toDoubleArray();
        assertEquals(want.length, g.length, what + ": size");
        for (int i = 0; i < g.length; i++)
            if (!(Math.abs(want[i] - g[i]) <= tol * Math.max(1, Math.abs(want[i]))))
                fail(what + ": element " + i + " expected " + want[i] + " but was " + g[i]);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void forwardMatchesReferenceForShapesMasksAndChunkings(Device dev) {
        Random r = new Random(11);
        int B = 2, H = 3, L = 5, S = 7, E = 4, Ev = 6, nb = B * H;
        for (DType dt : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            double tol = dt == DType.FLOAT32 ? 2e-5 : 1e-12;
            for (int chunk : new int[]{0, 1, 4}) {
                Attention.chunkSlicesOverride = chunk;
                double[] q = random(r, nb * L * E), k = random(r, nb * S * E), v = random(r, nb * S * Ev);
                // q stored as [B, L, H, E] and viewed as [B, H, L, E] (the layout a head split leaves)
                double[] qBlhe = new double[q.length];
                for (int b = 0; b < B; b++) for (int h = 0; h < H; h++) for (int i = 0; i < L; i++) for (int e = 0; e < E; e++)
                    qBlhe[((b * L + i) * H + h) * E + e] = q[((b * H + h) * L + i) * E + e];
                Tensor tq = on(qBlhe, dt, dev, B, L, H, E).transpose(1, 2);
                Tensor tk = on(k, dt, dev, B, H, S, E), tv = on(v, dt, dev, B, H, S, Ev);
                String what = dt + " chunk " + chunk + " on " + dev;

                assertClose(reference(q, k, v, nb, L, S, E, Ev, null, 1 / Math.sqrt(E)),
                        Attention.scaledDotProductAttention(tq, tk, tv), tol, "no mask, " + what);

                // causal (top-left aligned on [L, S]) and a custom scale
                double[] causal = new double[nb * L * S];
                for (int b = 0; b < nb; b++) for (int i = 0; i < L; i++) for (int j = 0; j < S; j++)
                    causal[(b * L + i) * S + j] = j > i ? Double.NEGATIVE_INFINITY : 0;
                assertClose(reference(q, k, v, nb, L, S, E, Ev, causal, 0.3),
                        Attention.scaledDotProductAttention(tq, tk, tv, null, 0, true, 0.3), tol, "causal, " + what);

                // key padding: a BOOL [B, 1, 1, S] mask, batch element b keeps its first S - 2b keys
                boolean[] keep = new boolean[B * S];
                double[] pad = new double[nb * L * S];
                for (int b = 0; b < B; b++) for (int j = 0; j < S; j++) keep[b * S + j] = j < S - 2 * b;
                for (int b = 0; b < B; b++) for (int h = 0; h < H; h++) for (int i = 0; i < L; i++) for (int j = 0; j < S; j++)
                    pad[((b * H + h) * L + i) * S + j] = keep[b * S + j] ? 0 : Double.NEGATIVE_INFINITY;
                Tensor padMask = Tensor.of(keep, B, 1, 1, S).to(dev);
                assertClose(reference(q, k, v, nb, L, S, E, Ev, pad, 1 / Math.sqrt(E)),
                        Attention.scaledDotProductAttention(tq, tk, tv, padMask, 0, false), tol, "key padding, " + what);

                // key padding and causal together
                double[] both = new double[pad.length];
                for (int i = 0; i < both.length; i++) both[i] = pad[i] + causal[i];
                assertClose(reference(q, k, v, nb, L, S, E, Ev, both, 1 / Math.sqrt(E)),
                        Attention.scaledDotProductAttention(tq, tk, tv, padMask, 0, true), tol, "padding + causal, " + what);

                // a float mask [H, L, S] added to the scores, broadcast over B
                double[] add = random(r, H * L * S), addFull = new double[nb * L * S];
                for (int b = 0; b < B; b++) System.arraycopy(add, 0, addFull, b * H * L * S, H * L * S);
                assertClose(reference(q, k, v, nb, L, S, E, Ev, addFull, 1 / Math.sqrt(E)),
                        Attention.scaledDotProductAttention(tq, tk, tv, on(add, dt, dev, H, L, S), 0, false), tol, "float mask, " + what);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void broadcastBatchDimsShareKeysAcrossHeads(Device dev) {
        // k and v [B, 1, S, E] shared by every head (multi-query attention); q [B, H, L, E]
        Random r = new Random(12);
        int B = 2, H = 3, L = 4, S = 6, E = 5;
        double[] q = random(r, B * H * L * E), k = random(r, B * S * E), v = random(r, B * S * E);
        double[] kFull = new double[B * H * S * E], vFull = new double[kFull.length];
        for (int b = 0; b < B; b++) for (int h = 0; h < H; h++) {
            System.arraycopy(k, b * S * E, kFull, (b * H + h) * S * E, S * E);
            System.arraycopy(v, b * S * E, vFull, (b * H + h) * S * E, S * E);
        }
        Tensor out = Attention.scaledDotProductAttention(on(q, DType.FLOAT64, dev, B, H, L, E), on(k, DType.FLOAT64, dev, B, 1, S, E),
                on(v, DType.FLOAT64, dev, B, 1, S, E));
        assertArrayEquals(new long[]{B, H, L, E}, out.shape());
        assertClose(reference(q, kFull, vFull, B * H, L, S, E, E, null, 1 / Math.sqrt(E)), out, 1e-12, "broadcast k, v on " + dev);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void gradientsMatchFiniteDifferences(Device dev) {
        Assumptions.assumeTrue(dev.isCpu() || supportsFloat64(dev), "no float64 on " + dev);
        Random r = new Random(13);
        int B = 2, H = 2, L = 3, S = 4, E = 3;
        Tensor q = on(random(r, B * H * L * E), DType.FLOAT64, dev, B, H, L, E).requiresGrad(true);
        Tensor k = on(random(r, B * H * S * E), DType.FLOAT64, dev, B, H, S, E).requiresGrad(true);
        Tensor v = on(random(r, B * 1 * S * 2), DType.FLOAT64, dev, B, 1, S, 2).requiresGrad(true);
        boolean[] keep = {true, true, true, false, true, true, false, false};
        Tensor pad = Tensor.of(keep, B, 1, 1, S).to(dev);
        for (int chunk : new int[]{0, 1, 3}) {
            Attention.chunkSlicesOverride = chunk;
            GradCheck.assertGradients(in -> Attention.scaledDotProductAttention(in[0], in[1], in[2]), q, k, v);
            GradCheck.assertGradients(in -> Attention.scaledDotProductAttention(in[0], in[1], in[2], pad, 0, true), q, k, v);
            // q viewed through a transpose, and a float mask
            Tensor addMask = on(random(r, L * S), DType.FLOAT64, dev, L, S);
            GradCheck.assertGradients(in -> Attention.scaledDotProductAttention(in[0].transpose(2, 3).transpose(2, 3), in[1], in[2],
                    addMask, 0, false, 0.7), q, k, v);
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void dropoutIsRegeneratedInBackward(Device dev) {
        Assumptions.assumeTrue(dev.isCpu() || supportsFloat64(dev), "no float64 on " + dev);
        Random r = new Random(14);
        int B = 2, L = 4, S = 5, E = 3;
        Tensor q = on(random(r, B * L * E), DType.FLOAT64, dev, B, L, E).requiresGrad(true);
        Tensor k = on(random(r, B * S * E), DType.FLOAT64, dev, B, S, E).requiresGrad(true);
        Tensor v = on(random(r, B * S * E), DType.FLOAT64, dev, B, S, E).requiresGrad(true);
        for (int chunk : new int[]{0, 1}) {
            Attention.chunkSlicesOverride = chunk;
            // Reseeding inside f gives every evaluation the same dropout mask, so finite differences see one function.
            GradCheck.assertGradients(in -> {
                Ember.manualSeed(5);
                return Attention.scaledDotProductAttention(in[0], in[1], in[2], null, 0.4, false);
            }, q, k, v);
        }
        // The forward drops whole probabilities: with the same seed the output is the reference with those zeroed.
        Ember.manualSeed(5);
        Tensor a = Attention.scaledDotProductAttention(q, k, v, null, 0.4, false);
        Ember.manualSeed(5);
        Tensor b = Attention.scaledDotProductAttention(q, k, v, null, 0.4, false);
        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray());
        Tensor plain = Attention.scaledDotProductAttention(q, k, v);
        assertTrue(!Arrays.equals(a.toDoubleArray(), plain.toDoubleArray()), "dropout changed the output");
    }

    @Test
    void dropoutKeepsTheExpectedFractionAndScale() {
        // With v = identity rows, the output row i holds the dropped probabilities P'[i, :] themselves.
        Ember.manualSeed(3);
        int L = 64, S = 64;
        Tensor q = Tensor.zeros(1, L, 8), k = Tensor.zeros(1, S, 8), v = Tensor.eye(S).reshape(1, S, S);
        double[] p = Attention.scaledDotProductAttention(q, k, v, null, 0.25, false).toDoubleArray();
        int kept = 0;
        for (double x : p) {
            if (x != 0) {
                kept++;
                assertEquals(1.0 / S / 0.75, x, 1e-6, "a kept probability is scaled by 1 / (1 - p)");
            }
        }
        double frac = kept / (double) p.length;
        assertTrue(Math.abs(frac - 0.75) < 0.02, "kept fraction " + frac);
    }

    @Test
    void allMaskedRowsStayFinite() {
        Tensor q = Tensor.randn(1, 3, 4), k = Tensor.randn(1, 3, 4), v = Tensor.randn(1, 3, 4);
        Tensor none = Tensor.of(new boolean[]{false, false, false}, 1, 1, 3);
        Tensor out = Attention.scaledDotProductAttention(q, k, v, none, 0, false);
        for (double x : out.toDoubleArray()) assertTrue(Double.isFinite(x));
    }

    /**
     * The backward's live memory: one chunk of attention matrices, not the whole batch's, measured on a device
     * whose allocator keeps statistics (the GPU backends; ember-opencl runs this on PoCL), from a peak reset to what
     * the inputs hold.
     */
    @ParameterizedTest
    @MethodSource("devices")
    void backwardHoldsOneChunkOfAttentionMatricesAtATime(Device dev) {
        int nb = 64, L = 512, S = 512, E = 4;
        long matrix = (long) L * S * 4, all = nb * matrix; // 64 MB of float32 matrices for the whole batch
        Attention.chunkSlicesOverride = 2;
        Tensor q = Tensor.randn(nb, L, E).to(dev).requiresGrad(true);
        Tensor k = Tensor.randn(nb, S, E).to(dev).requiresGrad(true);
        Tensor v = Tensor.randn(nb, S, E).to(dev).requiresGrad(true);
        Tensor g = Tensor.randn(nb, L, E).to(dev);
        Ember.synchronize(dev);
        Ember.resetPeakMemoryStats(dev);
        long before = Ember.memoryStats(dev).allocated();
        Assumptions.assumeTrue(Ember.memoryStats(dev).peak() > 0, () -> "no allocator statistics on " + dev);
        Tensor out = Attention.scaledDotProductAttention(q, k, v);
        out.backward(g);
        Ember.synchronize(dev);
        long added = Ember.memoryStats(dev).peak() - before;
        // live at the peak: out, dq, dk, dv, q * scale, the row sums and temporaries of [nb, L, E] (small),
        // and the chunk buffers: 2 slices x (scores + probabilities)
        long small = 8L * nb * L * E * 4;
        assertTrue(added < small + 6 * matrix, "peak " + added + " bytes above the inputs; the batch's matrices alone are " + all);
    }

    private static boolean supportsFloat64(Device dev) {
        try {
            Tensor.zeros(2).to(DType.FLOAT64).to(dev).add(1.0).toDoubleArray();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Test
    void badArgumentsNameTheOpAndShapes() {
        Tensor q = Tensor.randn(2, 3, 4), k = Tensor.randn(2, 5, 4), v = Tensor.randn(2, 5, 6);
        var e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(q, Tensor.randn(2, 5, 3), v));
        assertTrue(e.getMessage().contains("scaledDotProductAttention") && e.getMessage().contains("[2, 5, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(q, k, Tensor.randn(2, 4, 6)));
        assertTrue(e.getMessage().contains("number of keys"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Attention.scaledDotProductAttention(q, k, v, Tensor.ones(DType.BOOL, 3, 4), 0, false));
        assertTrue(e.getMessage().contains("attnMask"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(q, k, v, null, 1.0, false));
        assertTrue(e.getMessage().contains("dropoutP"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(Tensor.randn(4), k, v));
        assertTrue(e.getMessage().contains("at least 2 dims"), e.getMessage());
    }
}
