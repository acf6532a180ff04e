package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
 * {@link Winograd}'s F(2 x 2, 3 x 3) convolution against a float64 direct sum written here: even and odd heights and
 * widths down to 2, both column layouts (two tile rows per vector up to L/2 tiles a row, more vectors a row beyond:
 * 8 lanes reach the second layout at 9 columns, 16 lanes at 17), chunks of several images and several chunks, a
 * strided input, more input channels than one packed depth block, bias absent and strided, the same bits on 1, 2 and 3
 * threads; gradients through {@link Tensor#conv2d} (the input gradient is the same convolution of the output gradient);
 * infinite or NaN inputs and weights, which must give the direct method's results; and the weight gradient on the
 * same shapes, which must decline (to the direct method) on non-finite values. Tagged "conformance" so it also runs
 * with 8-lane (AVX2) vectors.
 */
@Tag("conformance")
class WinogradTest {

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextDouble(-1, 1);
        return x;
    }

    /**
     * The direct sum in float64 ({@code [n, cin, h, w]} at element strides xs, padding 1) and, per output, the sum of the
     * absolute values of its terms, which bounds the rounding error of any float32 evaluation order.
     */
    private static double[][] reference(float[] x, int[] xs, float[] w, float[] b, int bs, int n, int cin, int h, int wd, int cout) {
        double[] out = new double[n * cout * h * wd], mag = new double[out.length];
        for (int img = 0; img < n; img++)
            for (int co = 0; co < cout; co++)
                for (int y = 0; y < h; y++)
                    for (int xx = 0; xx < wd; xx++) {
                        double s = b == null ? 0 : b[co * bs], a = Math.abs(s);
                        for (int ci = 0; ci < cin; ci++)
                            for (int ki = 0; ki < 3; ki++)
                                for (int kj = 0; kj < 3; kj++) {
                                    int iy = y + ki - 1, ix = xx + kj - 1;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    double t = (double) w[((co * cin + ci) * 3 + ki) * 3 + kj] * x[img * xs[0] + ci * xs[1] + iy * xs[2] + ix * xs[3]];
                                    s += t;
                                    a += Math.abs(t);
                                }
                        int o = ((img * cout + co) * h + y) * wd + xx;
                        out[o] = s;
                        mag[o] = a;
                    }
        return new double[][]{out, mag};
    }

    private static void assertClose(double[][] want, float[] got, String what) {
        for (int i = 0; i < got.length; i++) {
            // the transforms add a few roundings of values up to 4x the terms: 1e-5 of the terms' magnitude is ~80 ulps
            double tol = 1e-5 * want[1][i] + 1e-7;
            if (!(Math.abs(want[0][i] - got[i]) <= tol))
                throw new AssertionError(what + ": output " + i + " = " + got[i] + ", reference " + want[0][i] + " (tolerance " + tol + ")");
        }
    }

    private static float[] run(float[] x, int xo, int[] xs, int n, int cin, float[] w, int cout, float[] b, int bs, int h, int wd) {
        // forward computes any 3 x 3, stride 1, padding 1 shape; supports() only says where it is the faster method
        ConvGeometry g = new ConvGeometry(h, wd, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] out = new float[n * cout * h * wd];
        java.util.Arrays.fill(out, Float.NaN); // every output must be written
        Winograd.forward(x, xo, xs, n, cin, w, 0, cout, b, 0, bs, g, out, 0);
        return out;
    }

    @ParameterizedTest(name = "n={0} cin={1} {2}x{3} cout={4}")
    @CsvSource({"2,16,14,14,16", "3,16,7,9,20", "1,32,5,40,16", "5,17,2,3,18", "4,20,9,30,33", "3,16,3,64,16", "9,16,6,6,17",
            "40,16,4,4,16", "1,16,2,2,16", "2,24,13,17,21"})
    void matchesTheDirectSumOnAnyThreadCount(int n, int cin, int h, int wd, int cout) {
        float[] x = random(n * cin * h * wd, 1), w = random(cout * cin * 9, 2), b = random(cout, 3);
        int[] xs = {cin * h * wd, h * wd, wd, 1};
        onOneTwoAndThreeThreads(() -> run(x, 0, xs, n, cin, w, cout, b, 1, h, wd), reference(x, xs, w, b, 1, n, cin, h, wd, cout));
    }

    /** Runs {@code compute} on 1, 2 and 3 threads, this thread's buffers poisoned first: each close to want, all the same bits. */
    private static void onOneTwoAndThreeThreads(java.util.function.Supplier<float[]> compute, double[][] want) {
        float[] first = null;
        int before = Parallel.threads();
        try {
            for (int threads : new int[]{1, 2, 3}) {
                Parallel.setThreads(threads);
                Winograd.poisonScratch(1 << 20); // on one thread, everything runs on this thread's buffers
                float[] got = compute.get();
                assertClose(want, got, "threads=" + threads);
                if (first == null) first = got;
                else assertArrayEquals(first, got, "threads=" + threads + ": other bits than on one thread");
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void stridedInputNoBiasAndAStridedBias() {
        // x as an [n, h, cin, w] buffer read through [n, cin, h, w] strides, from an offset; the bias every other float
        int n = 3, cin = 18, h = 7, wd = 12, cout = 16;
        float[] buf = random(5 + n * h * cin * wd, 4), w = random(cout * cin * 9, 5), b = random(2 * cout, 6);
        int[] xs = {h * cin * wd, wd, cin * wd, 1};
        float[] shifted = java.util.Arrays.copyOfRange(buf, 5, buf.length);
        assertClose(reference(shifted, xs, w, null, 0, n, cin, h, wd, cout), run(buf, 5, xs, n, cin, w, cout, null, 0, h, wd), "no bias");
        assertClose(reference(shifted, xs, w, b, 2, n, cin, h, wd, cout), run(buf, 5, xs, n, cin, w, cout, b, 2, h, wd), "strided bias");
        // a column stride other than 1: every element on its own
        float[] wide = new float[2 * n * cin * h * wd];
        for (int i = 0; i < n * cin * h * wd; i++) wide[2 * i] = shifted[i % shifted.length];
        int[] ws = {2 * cin * h * wd, 2 * h * wd, 2 * wd, 2};
        assertClose(reference(wide, ws, w, b, 1, n, cin, h, wd, cout), run(wide, 0, ws, n, cin, w, cout, b, 1, h, wd), "column stride 2");
    }

    @Test
    void moreInputChannelsThanOnePackedDepthBlock() {
        int cin = SimdGemm.KC + 9, n = 2, h = 5, wd = 6, cout = 16;
        float[] x = random(n * cin * h * wd, 7), w = random(cout * cin * 9, 8), b = random(cout, 9);
        int[] xs = {cin * h * wd, h * wd, wd, 1};
        assertClose(reference(x, xs, w, b, 1, n, cin, h, wd, cout), run(x, 0, xs, n, cin, w, cout, b, 1, h, wd), "cin=" + cin);
    }

    @Test
    void nonFiniteInputsAndWeightsGiveTheDirectResults() {
        // Through the transforms an infinity would reach the other outputs of its 2 x 2 block as inf - inf = NaN; the
        // images that hold one (and calls with such a weight) take the direct method instead, as PyTorch computes it.
        int n = 12, cin = 16, h = 14, wd = 14, cout = 16; // chunks of a few images each
        float[] x = random(n * cin * h * wd, 10), w = random(cout * cin * 9, 11), b = random(cout, 12);
        int[] xs = {cin * h * wd, h * wd, wd, 1};
        x[((7 * cin + 3) * h + 2) * wd + 4] = Float.POSITIVE_INFINITY;
        x[((1 * cin + 0) * h + 5) * wd + 5] = Float.NaN;
        ConvGeometry g = new ConvGeometry(h, wd, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] direct = new float[n * cout * h * wd];
        ConvGemm.implicitGemm(x, 0, xs, n, cin, w, 0, cout, b, 0, 1, g, direct, 0);
        assertArrayEquals(direct, sameImagesOnly(run(x, 0, xs, n, cin, w, cout, b, 1, h, wd), direct, n, cout * h * wd, 1, 7),
                "non-finite inputs");
        int finite = 0;
        for (float v : direct) if (Float.isFinite(v)) finite++;
        assertTrue(finite > direct.length / 2, "most outputs do not see the non-finite inputs");

        float[] clean = random(n * cin * h * wd, 13), wBad = w.clone();
        wBad[5 * cin * 9 + 4] = Float.NEGATIVE_INFINITY;
        float[] directW = new float[direct.length];
        ConvGemm.implicitGemm(clean, 0, xs, n, cin, wBad, 0, cout, b, 0, 1, g, directW, 0);
        assertArrayEquals(directW, run(clean, 0, xs, n, cin, wBad, cout, b, 1, h, wd), "a non-finite weight");
    }

    /** The images {@code keep} of {@code got}, the others from {@code direct}: only those must match bit for bit. */
    private static float[] sameImagesOnly(float[] got, float[] direct, int n, int perImage, int... keep) {
        float[] mixed = direct.clone();
        for (int img : keep) System.arraycopy(got, img * perImage, mixed, img * perImage, perImage);
        for (int img = 0; img < n; img++) {
            boolean kept = false;
            for (int k : keep) kept |= k == img;
            if (kept) continue;
            for (int i = img * perImage; i < (img + 1) * perImage; i++)
                assertEquals(direct[i], got[i], 1e-4f * Math.max(1f, Math.abs(direct[i])), "finite image " + img + " element " + i);
        }
        return mixed;
    }

    @Test
    void chosenFor3x3LayersWithEnoughChannelsAndWidePlanes() {
        ConvGeometry demo = new ConvGeometry(14, 14, 3, 3, 1, 1, 1, 1, 1, 1), wide = new ConvGeometry(28, 28, 3, 3, 1, 1, 1, 1, 1, 1);
        assertTrue(Winograd.supports(demo, 32, 64) && Winograd.supports(demo, 64, 32) && Winograd.supports(wide, 16, 16));
        assertTrue(!Winograd.supports(demo, 8, 64) && !Winograd.supports(demo, 32, 8), "too few channels");
        assertTrue(!Winograd.supports(new ConvGeometry(14, 14, 3, 3, 2, 2, 1, 1, 1, 1), 32, 64), "stride 2");
        assertTrue(!Winograd.supports(new ConvGeometry(14, 14, 5, 5, 1, 1, 2, 2, 1, 1), 32, 64), "5 x 5");
        assertTrue(!Winograd.supports(new ConvGeometry(4, 4, 3, 3, 1, 1, 1, 1, 1, 1), 256, 256), "a 4 x 4 plane leaves half the columns empty");
    }

    @Test
    void gradientsThroughTheTensorApi() {
        // [2, 16, 7, 14] -> 20 channels: the forward and the input gradient (cout 20 -> cin 16) both take Winograd.
        int n = 2, cin = 16, h = 7, wd = 14, cout = 20;
        float[] x = random(n * cin * h * wd, 14), w = random(cout * cin * 9, 15), b = random(cout, 16), r = random(n * cout * h * wd, 17);
        ConvGeometry g = new ConvGeometry(h, wd, 3, 3, 1, 1, 1, 1, 1, 1);
        assertTrue(Winograd.supports(g, cin, cout) && Winograd.supports(g, cout, cin), "both directions take Winograd");
        Tensor tx = Tensor.of(x, n, cin, h, wd).requiresGrad(true), tw = Tensor.of(w, cout, cin, 3, 3).requiresGrad(true);
        Tensor out = tx.conv2d(tw, Tensor.of(b, cout), new int[]{1, 1}, new int[]{1, 1}, new int[]{1, 1}, 1);
        out.mul(Tensor.of(r, n, cout, h, wd)).sum().backward();
        int[] xs = {cin * h * wd, h * wd, wd, 1};
        assertClose(reference(x, xs, w, b, 1, n, cin, h, wd, cout), out.toFloatArray(), "output");
        // dx = conv(r, w flipped and transposed), checked against its own direct sum
        float[] flipped = new float[cin * cout * 9];
        for (int co = 0; co < cout; co++)
            for (int ci = 0; ci < cin; ci++)
                for (int q = 0; q < 9; q++) flipped[(ci * cout + co) * 9 + 8 - q] = w[(co * cin + ci) * 9 + q];
        int[] rs = {cout * h * wd, h * wd, wd, 1};
        assertClose(reference(r, rs, flipped, null, 0, n, cout, h, wd, cin), tx.grad().toFloatArray(), "input gradient");
    }

    /** dw[co, ci, ki, kj] = sum over images and positions of gy[img, co, y, x] * x[img, ci, y + ki - 1, x + kj - 1], in float64, and its terms' magnitudes. */
    private static double[][] weightReference(float[] gy, float[] x, int[] xs, int n, int cin, int h, int wd, int cout) {
        double[] dw = new double[cout * cin * 9], mag = new double[dw.length];
        for (int co = 0; co < cout; co++)
            for (int ci = 0; ci < cin; ci++)
                for (int ki = 0; ki < 3; ki++)
                    for (int kj = 0; kj < 3; kj++) {
                        double s = 0, a = 0;
                        for (int img = 0; img < n; img++)
                            for (int y = 0; y < h; y++)
                                for (int xx = 0; xx < wd; xx++) {
                                    int iy = y + ki - 1, ix = xx + kj - 1;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    double t = (double) gy[((img * cout + co) * h + y) * wd + xx] * x[img * xs[0] + ci * xs[1] + iy * xs[2] + ix * xs[3]];
                                    s += t;
                                    a += Math.abs(t);
                                }
                        int o = ((co * cin + ci) * 3 + ki) * 3 + kj;
                        dw[o] = s;
                        mag[o] = a;
                    }
        return new double[][]{dw, mag};
    }

    @ParameterizedTest(name = "n={0} cin={1} {2}x{3} cout={4}")
    @CsvSource({"2,16,14,14,16", "3,16,7,9,20", "1,32,5,40,16", "5,17,2,3,18", "4,20,9,30,33", "9,16,6,6,17", "40,16,4,4,16",
            "2,24,13,17,21"})
    void weightGradientMatchesTheDirectSumOnAnyThreadCount(int n, int cin, int h, int wd, int cout) {
        float[] x = random(n * cin * h * wd, 21), gy = random(n * cout * h * wd, 22);
        int[] xs = {cin * h * wd, h * wd, wd, 1};
        ConvGeometry g = new ConvGeometry(h, wd, 3, 3, 1, 1, 1, 1, 1, 1);
        onOneTwoAndThreeThreads(() -> {
            float[] got = new float[cout * cin * 9];
            java.util.Arrays.fill(got, Float.NaN);
            assertTrue(Winograd.weightGrad(gy, 0, n, cout, x, 0, xs, cin, g, got, 0), "finite data: computed");
            return got;
        }, weightReference(gy, x, xs, n, cin, h, wd, cout));
    }

    @Test
    void weightGradientOfAStridedInputAndNonFiniteValues() {
        int n = 5, cin = 16, h = 14, wd = 14, cout = 24;
        float[] buf = random(3 + n * h * cin * wd, 23), gy = random(n * cout * h * wd, 24);
        int[] xs = {h * cin * wd, wd, cin * wd, 1}; // an [n, h, cin, w] buffer read as [n, cin, h, w], from an offset
        float[] shifted = java.util.Arrays.copyOfRange(buf, 3, buf.length);
        ConvGeometry g = new ConvGeometry(h, wd, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] got = new float[cout * cin * 9];
        assertTrue(Winograd.weightGrad(gy, 0, n, cout, buf, 3, xs, cin, g, got, 0));
        assertClose(weightReference(gy, shifted, xs, n, cin, h, wd, cout), got, "strided input");
        // An infinite output gradient or input: Winograd declines and the direct method (PyTorch's values) runs.
        float[] bad = gy.clone();
        bad[((3 * cout + 5) * h + 6) * wd + 7] = Float.POSITIVE_INFINITY;
        java.util.Arrays.fill(got, 7f);
        assertTrue(!Winograd.weightGrad(bad, 0, n, cout, buf, 3, xs, cin, g, got, 0), "declined");
        for (float v : got) assertEquals(7f, v, "nothing written when declining");
        float[] viaBackend = new float[got.length], direct = new float[got.length];
        ConvWeightGrad.compute(bad, 0, n, cout, buf, 3, xs, cin, g, viaBackend, 0);
        float[] badX = buf.clone();
        badX[3 + 100] = Float.NaN;
        assertTrue(!Winograd.weightGrad(gy, 0, n, cout, badX, 3, xs, cin, g, direct, 0), "declined for a NaN input");
        int nonFinite = 0;
        for (float v : viaBackend) if (!Float.isFinite(v)) nonFinite++;
        assertTrue(nonFinite > 0 && nonFinite < viaBackend.length / 2, "the direct method's result: only the pairs that meet the infinity");
    }
}
