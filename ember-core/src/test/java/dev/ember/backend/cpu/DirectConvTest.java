package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.ConvGeometry;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link DirectConv} against a float64 loop (within float32 rounding) and the implicit GEMM it replaces for small
 * channel counts, on planes narrower and shorter than a vector, widths that are not multiples of it, strided inputs,
 * with and without bias, and non-finite values.
 */
class DirectConvTest {

    private static ConvGeometry same3x3(int h, int w) {
        return new ConvGeometry(h, w, 3, 3, 1, 1, 1, 1, 1, 1);
    }

    @Test
    void takesOnlyItsShapes() {
        assertTrue(DirectConv.supports(same3x3(28, 28), 1));
        assertTrue(DirectConv.supports(same3x3(5, 3), DirectConv.MAX_CIN));
        assertFalse(DirectConv.supports(same3x3(28, 28), DirectConv.MAX_CIN + 1));
        assertFalse(DirectConv.supports(new ConvGeometry(28, 28, 3, 3, 2, 2, 1, 1, 1, 1), 1), "stride 2");
        assertFalse(DirectConv.supports(new ConvGeometry(28, 28, 3, 3, 1, 1, 0, 0, 1, 1), 1), "no padding");
        assertFalse(DirectConv.supports(new ConvGeometry(28, 28, 5, 5, 1, 1, 2, 2, 1, 1), 1), "5 x 5");
        assertFalse(DirectConv.supports(new ConvGeometry(28, 28, 3, 3, 1, 1, 2, 2, 2, 2), 1), "dilation 2");
    }

    @Test
    void matchesFloat64AndTheImplicitGemm() {
        SplittableRandom rnd = new SplittableRandom(7);
        int[][] planes = {{1, 1}, {1, 7}, {7, 1}, {2, 2}, {3, 5}, {4, 4}, {5, 9}, {13, 17}, {28, 28}, {14, 14}, {31, 3}, {2, 40}};
        int cases = 0;
        for (int[] hw : planes) {
            for (int cin = 1; cin <= DirectConv.MAX_CIN; cin++) {
                int n = 1 + rnd.nextInt(3), cout = 1 + rnd.nextInt(9);
                boolean withBias = rnd.nextBoolean(), strided = rnd.nextBoolean();
                check(rnd, n, cin, cout, hw[0], hw[1], withBias, strided, false);
                cases++;
            }
        }
        check(rnd, 2, 1, 32, 28, 28, true, false, false); // the demo CNN's conv1
        check(rnd, 2, 3, 8, 9, 11, true, true, true);     // Inf and NaN among the inputs
        check(rnd, 1, 3, 8, 128, 128, true, true, false); // one large image (over 100,000 outputs): its channels shared among threads
        assertEquals(planes.length * DirectConv.MAX_CIN, cases);
    }

    private static void check(SplittableRandom rnd, int n, int cin, int cout, int h, int w, boolean withBias, boolean strided,
                              boolean specials) {
        ConvGeometry g = same3x3(h, w);
        // strided: x is the [.., .., h, w] view of a buffer whose rows are w + 3 long, columns at stride 2 in a 2w+1 row
        int colStride = strided ? 2 : 1, rowLen = strided ? 2 * w + 3 : w;
        int[] xs = {cin * h * rowLen, h * rowLen, rowLen, colStride};
        int xo = 5;
        float[] x = new float[xo + n * xs[0] + 8];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        if (specials) {
            x[xo + xs[2] + colStride] = Float.POSITIVE_INFINITY;
            x[xo + xs[0] + 2 * xs[2]] = Float.NaN;
        }
        int rows = cin * 9, wo = 3;
        float[] wt = new float[wo + cout * rows];
        for (int i = 0; i < wt.length; i++) wt[i] = (float) rnd.nextGaussian();
        float[] bias = null;
        int biasO = 1, biasStride = 2;
        if (withBias) {
            bias = new float[biasO + cout * biasStride];
            for (int i = 0; i < bias.length; i++) bias[i] = (float) rnd.nextGaussian();
        }
        int l = h * w, oo = 2;
        float[] direct = new float[oo + n * cout * l], gemm = new float[direct.length];
        java.util.Arrays.fill(direct, 99f); // the output is overwritten, whatever it held
        DirectConv.forward(x, xo, xs, n, cin, wt, wo, cout, bias, biasO, biasStride, g, direct, oo);
        ConvGemm.implicitGemm(x, xo, xs, n, cin, wt, wo, cout, bias, biasO, biasStride, g, gemm, oo);
        String what = "n " + n + " cin " + cin + " cout " + cout + " " + h + "x" + w + (withBias ? " bias" : "") + (strided ? " strided" : "");
        for (int i = oo; i < direct.length; i++) {
            // the two paths order a sum alike only where the GEMM runs its row kernels: equal within rounding, not bits
            if (Float.isNaN(gemm[i])) assertTrue(Float.isNaN(direct[i]), what + " at " + i);
            else assertEquals(gemm[i], direct[i], 1e-5f * Math.max(1f, Math.abs(gemm[i])), what + " at " + i);
        }
        for (int img = 0; img < n; img++)
            for (int c = 0; c < cout; c++)
                for (int y = 0; y < h; y++)
                    for (int xx = 0; xx < w; xx++) {
                        double ref = withBias ? bias[biasO + c * biasStride] : 0, mag = Math.abs(ref);
                        for (int ci = 0; ci < cin; ci++)
                            for (int ki = 0; ki < 3; ki++)
                                for (int kj = 0; kj < 3; kj++) {
                                    int iy = y + ki - 1, ix = xx + kj - 1;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    double t = (double) wt[wo + c * rows + ci * 9 + ki * 3 + kj] * x[xo + img * xs[0] + ci * xs[1] + iy * xs[2] + ix * xs[3]];
                                    ref += t;
                                    mag += Math.abs(t);
                                }
                        float got = direct[oo + (img * cout + c) * l + y * w + xx];
                        if (Double.isNaN(ref)) assertTrue(Float.isNaN(got), what);
                        else if (Double.isInfinite(ref)) assertEquals((float) ref, got, what);
                        else assertEquals(ref, got, 1e-6 * mag + 1e-6, what + " at (" + img + ", " + c + ", " + y + ", " + xx + ")");
                    }
    }
}
