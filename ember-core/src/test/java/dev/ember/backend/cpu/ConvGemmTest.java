package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Tensor;
import dev.ember.backend.ConvGeometry;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fused CPU conv2d (implicit GEMM, {@link ConvGemm}) and its input gradient through {@link Tensor#conv2d},
 * against float64 loops written here from the definition: outputs wider than several GEMM strips, output channels
 * that leave partial tiles, more input rows than one packed depth block, fewer images than threads, dilation, and
 * unequal padding, with the weight and bias gradients too; and padding that must contribute exact zeros next to an
 * infinite pixel. The weight gradient ({@link ConvWeightGrad}) is checked for both of its forms (few column rows against
 * many output channels, and the rest), output channels over several strips, and for the same bits on 1, 2 and 3
 * threads. Tagged "conformance" so it also runs with 8-lane (AVX2) vectors.
 */
@Tag("conformance")
class ConvGemmTest {

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextDouble(-1, 1);
        return x;
    }

    /** Forward output, then gradients of x, w, b of {@code sum(out * r)}, in float64. */
    private static double[][] reference(float[] x, float[] w, float[] b, float[] r, int n, int cin, int h, int wd, int cout,
                                        int k, int padH, int padW, int dil) {
        int oh = h + 2 * padH - dil * (k - 1), ow = wd + 2 * padW - dil * (k - 1);
        double[] out = new double[n * cout * oh * ow], gx = new double[x.length], gw = new double[w.length], gb = new double[cout];
        for (int img = 0; img < n; img++)
            for (int co = 0; co < cout; co++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        int o = ((img * cout + co) * oh + oy) * ow + ox;
                        double s = b[co], g = r[o];
                        gb[co] += g;
                        for (int ci = 0; ci < cin; ci++)
                            for (int ki = 0; ki < k; ki++)
                                for (int kj = 0; kj < k; kj++) {
                                    int iy = oy - padH + ki * dil, ix = ox - padW + kj * dil;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue; // padding: no term at all
                                    int xi = ((img * cin + ci) * h + iy) * wd + ix, wi = ((co * cin + ci) * k + ki) * k + kj;
                                    s += (double) w[wi] * x[xi];
                                    gx[xi] += (double) w[wi] * g;
                                    gw[wi] += (double) x[xi] * g;
                                }
                        out[o] = s;
                    }
        return new double[][]{out, gx, gw, gb};
    }

    private static void assertClose(double[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++)
            assertEquals(want[i], got[i], 1e-4 * Math.max(1, Math.abs(want[i])), what + " element " + i);
    }

    @ParameterizedTest(name = "n={0} cin={1} {2}x{3} cout={4} k={5} pad={6}x{7} dilation={8}")
    @CsvSource({"3,5,14,14,13,3,1,1,1", "2,64,7,9,6,3,1,1,1", "1,2,10,12,4,5,2,2,1", "4,3,9,11,5,3,2,2,2", "2,3,8,8,4,3,0,1,1",
            "5,1,28,28,8,3,1,1,1", "3,1,12,10,20,3,1,1,1", "2,1,9,13,30,5,2,2,1", "2,3,9,9,40,3,1,1,1", "2,4,6,11,70,3,1,1,1", "2,2,5,7,130,3,2,2,2"})
    void fusedConvolutionMatchesReference(int n, int cin, int h, int wd, int cout, int k, int padH, int padW, int dil) {
        ConvGeometry g = new ConvGeometry(h, wd, k, k, 1, 1, padH, padW, dil, dil);
        assertTrue(g.outW() == wd, "the case should be one the fused path serves");
        float[] x = random(n * cin * h * wd, 1), w = random(cout * cin * k * k, 2), b = random(cout, 3);
        float[] r = random(n * cout * g.outH() * g.outW(), 4);
        double[][] want = reference(x, w, b, r, n, cin, h, wd, cout, k, padH, padW, dil);
        for (int threads : new int[]{1, 2}) {
            int before = Parallel.threads();
            Parallel.setThreads(threads);
            try {
                Tensor tx = Tensor.of(x, n, cin, h, wd).requiresGrad(true), tw = Tensor.of(w, cout, cin, k, k).requiresGrad(true);
                Tensor tb = Tensor.of(b, cout).requiresGrad(true);
                Tensor out = tx.conv2d(tw, tb, new int[]{1, 1}, new int[]{padH, padW}, new int[]{dil, dil}, 1);
                out.mul(Tensor.of(r, n, cout, g.outH(), g.outW())).sum().backward();
                String what = "threads=" + threads;
                assertClose(want[0], out.toFloatArray(), what + " output");
                assertClose(want[1], tx.grad().toFloatArray(), what + " input gradient");
                assertClose(want[2], tw.grad().toFloatArray(), what + " weight gradient");
                assertClose(want[3], tb.grad().toFloatArray(), what + " bias gradient");
            } finally {
                Parallel.setThreads(before);
            }
        }
    }

    @ParameterizedTest(name = "cin={0} cout={1} width={2}")
    @CsvSource({"1,32,28", "1,13,9", "3,6,17", "2,5,40"})
    void biasIsAddedToTheFinishedSums(int cin, int cout, int wd) {
        // The micro-kernel adds the bias to its sums in registers; the result must be the sums (the same call without a
        // bias) plus the bias, rounded once, in every row of partial tiles and strips, for a bias read at a stride.
        int n = 2, h = 5, k = 3;
        float[] x = random(n * cin * h * wd, 11), w = random(cout * cin * k * k, 12), b2 = random(2 * cout, 13);
        Tensor tx = Tensor.of(x, n, cin, h, wd), tw = Tensor.of(w, cout, cin, k, k);
        Tensor bias = Tensor.of(b2, cout, 2).select(1, 1); // stride 2
        int[] one = {1, 1};
        float[] sums = tx.conv2d(tw, null, one, one, one, 1).toFloatArray();
        float[] got = tx.conv2d(tw, bias, one, one, one, 1).toFloatArray();
        int plane = h * wd;
        for (int i = 0; i < got.length; i++) {
            float want = sums[i] + b2[2 * (i / plane % cout) + 1];
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[i]), "element " + i);
        }
    }

    @Test
    void paddingNextToAnInfinitePixelAddsNothing() {
        // With the output as wide as the input, the kernel's left and right padding fall, in the flat shifted plane, on
        // the previous and next image rows; those positions must add exactly nothing (not 0 * inf = NaN).
        int n = 1, cin = 2, h = 6, wd = 7, cout = 3, k = 3;
        float[] x = random(n * cin * h * wd, 5), w = random(cout * cin * k * k, 6), b = new float[cout];
        x[(1 * h + 3) * wd] = Float.POSITIVE_INFINITY;       // channel 1, row 3, first column
        x[(0 * h + 2) * wd + wd - 1] = Float.NEGATIVE_INFINITY; // channel 0, row 2, last column
        double[] want = reference(x, w, b, new float[n * cout * h * wd], n, cin, h, wd, cout, k, 1, 1, 1)[0];
        float[] got = Tensor.of(x, n, cin, h, wd).conv2d(Tensor.of(w, cout, cin, k, k), null, new int[]{1, 1}, new int[]{1, 1},
                new int[]{1, 1}, 1).toFloatArray();
        int finite = 0;
        for (int i = 0; i < want.length; i++) {
            if (Double.isFinite(want[i])) finite++;
            assertEquals(want[i], got[i], 1e-4 * Math.max(1, Math.abs(want[i])), "output " + i);
        }
        assertTrue(finite > want.length / 2, "most outputs do not see the infinities");
    }

    @ParameterizedTest(name = "cin={0} cout={1}")
    @CsvSource({"1,32", "32,64", "40,24"})
    void weightAndBiasGradientsHaveTheSameBitsOnAnyThreadCountAndForAStridedInput(int cin, int cout) {
        // 40 x 9 = 360 column rows make three blocks of at least 64 rows, so up to three threads share them.
        int n = 6, h = 9, wd = 10, k = 3;
        float[] x = random(n * cin * h * wd, 7), w = random(cout * cin * k * k, 8), r = random(n * cout * h * wd, 9);
        double[][] ref = reference(x, w, new float[cout], r, n, cin, h, wd, cout, k, 1, 1, 1);
        double[] want = ref[2];
        float[] first = null, firstBias = null;
        int before = Parallel.threads();
        try {
            for (int threads : new int[]{1, 2, 3}) {
                Parallel.setThreads(threads);
                for (boolean strided : new boolean[]{false, true}) {
                    // The strided input holds the same values as [n, cin, h, w] in an [n, h, cin, w] buffer.
                    Tensor tx = strided ? Tensor.of(x, n, cin, h, wd).permute(0, 2, 1, 3).contiguous().permute(0, 2, 1, 3)
                            : Tensor.of(x, n, cin, h, wd);
                    Tensor tw = Tensor.of(w, cout, cin, k, k).requiresGrad(true), tb = Tensor.zeros(cout).requiresGrad(true);
                    tx.conv2d(tw, tb, new int[]{1, 1}, new int[]{1, 1}, new int[]{1, 1}, 1).backward(Tensor.of(r, n, cout, h, wd));
                    float[] got = tw.grad().toFloatArray(), gotBias = tb.grad().toFloatArray();
                    String what = "threads=" + threads + (strided ? ", strided input" : "");
                    assertClose(want, got, what);
                    assertClose(ref[3], gotBias, what + " bias gradient");
                    if (first == null) {
                        first = got;
                        firstBias = gotBias;
                    } else {
                        assertTrue(java.util.Arrays.equals(first, got), what + ": other bits than on one thread");
                        assertTrue(java.util.Arrays.equals(firstBias, gotBias), what + ": bias gradient, other bits than on one thread");
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
