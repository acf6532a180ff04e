package dev.ember;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.autograd.GradCheck;
import dev.ember.backend.ConvGeometry;
import dev.ember.testing.Checks;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The CPU's fused max pooling against the composed path it replaces ({@code unfold}, then
 * {@code max(dim)}, whose gradient is a scatter-add then {@code fold}): the same values, and the
 * same element receiving each gradient, ties and NaN included; and the fused backward's own
 * gradient (a gather at the recorded positions) by finite differences. Tagged "conformance" so it also runs with
 * 8-lane (AVX2) vectors: the 2 x 2 kernel works in chunks of one vector's width.
 */
@Tag("conformance")
class FusedMaxPoolTest {

    /** n, c, h, w, kh, kw, sh, sw, ph, pw. */
    private static final int[][] CONFIGS = {
            {2, 3, 7, 9, 2, 2, 2, 2, 0, 0}, {1, 2, 9, 7, 3, 3, 2, 2, 1, 1}, {2, 2, 8, 5, 3, 2, 1, 2, 1, 0},
            {1, 3, 5, 6, 2, 2, 1, 1, 0, 0}, {2, 1, 6, 7, 3, 3, 3, 3, 0, 0}, {4, 4, 28, 28, 2, 2, 2, 2, 0, 0},
            {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, {1, 2, 4, 4, 2, 3, 1, 1, 1, 1}, {1, 2, 5, 71, 2, 2, 2, 2, 0, 0},
            {1, 1, 14, 14, 2, 2, 2, 2, 0, 0}};

    private static Tensor pool(Tensor x, int[] c, boolean fused) {
        boolean was = Convolution.useFusedMaxPool;
        Convolution.useFusedMaxPool = fused;
        try {
            return x.maxPool2d(new int[]{c[4], c[5]}, new int[]{c[6], c[7]}, new int[]{c[8], c[9]});
        } finally {
            Convolution.useFusedMaxPool = was;
        }
    }

    @Test
    void fusedMatchesComposedInValuesAndGradients() {
        Random r = new Random(3);
        for (DType dt : new DType[]{DType.FLOAT32, DType.FLOAT64})
            for (int[] c : CONFIGS)
                for (int values = 0; values < 3; values++) // random; integers (ties, -0.0 against 0.0); integers and NaN
                    for (int lay = 0; lay < 3; lay++) {
                        String what = dt + " " + Arrays.toString(c) + " values " + values + " layout " + lay;
                        double[] v = Checks.random(r, c[0] * c[1] * c[2] * c[3], -2, 2);
                        for (int i = 0; i < v.length; i++) {
                            if (values > 0) v[i] = Math.rint(v[i]);
                            if (values == 2 && r.nextInt(5) == 0) v[i] = Double.NaN;
                        }
                        Tensor xf = Checks.layout(Checks.tensor(v, dt, Device.cpu(), c[0], c[1], c[2], c[3]), lay).requiresGrad(true);
                        Tensor xc = xf.detach().requiresGrad(true);
                        Tensor yf = pool(xf, c, true), yc = pool(xc, c, false);
                        assertEquals("maxPool2d", yf.gradFn().name(), "the fused kernel ran: " + what);
                        assertNotEquals("maxPool2d", yc.gradFn().name(), "the composed path ran: " + what);
                        // bit-for-bit: the same element picked, so -0.0 and 0.0 are told apart
                        assertArrayEquals(yc.toDoubleArray(), yf.toDoubleArray(), "values " + what);
                        // small integer gradients sum exactly in any order; a transposed layout tests grad strides
                        long[] shape = yf.shape();
                        double[] gv = new double[(int) yf.numel()];
                        for (int i = 0; i < gv.length; i++) gv[i] = 1 + r.nextInt(7);
                        Tensor g = Checks.layout(Tensor.of(gv, shape).to(dt), 1);
                        yf.backward(g);
                        yc.backward(g);
                        assertArrayEquals(xc.grad().toDoubleArray(), xf.grad().toDoubleArray(), "gradients " + what);
                    }
    }

    /** The comparison above in a JVM without the Vector API, where float32 takes the scalar kernel. */
    public static final class WithoutSimd {
        public static void main(String[] args) {
            new FusedMaxPoolTest().fusedMatchesComposedInValuesAndGradients();
            System.out.println(dev.ember.backend.cpu.CpuBackend.simd() ? "ran with SIMD" : "ran scalar");
        }
    }

    @Test
    void scalarKernelMatchesComposedToo() throws Exception {
        var r = dev.ember.testing.ChildJvm.runPlain(List.of(), Map.of(), 5, WithoutSimd.class);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("ran scalar"), r.output());
    }

    @Test
    void windowOfMinusInfinityGivesItsGradientToItsFirstInput() {
        // As PyTorch: the pick is always an input element, never the -inf padding before it.
        for (DType dt : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = Tensor.full(Double.NEGATIVE_INFINITY, dt, 1, 1, 3, 3).requiresGrad(true);
            Tensor y = x.maxPool2d(new int[]{3, 3}, new int[]{2, 2}, new int[]{1, 1});
            assertArrayEquals(new double[]{Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY,
                    Double.NEGATIVE_INFINITY}, y.toDoubleArray(), dt.toString());
            y.backward(Tensor.of(new double[]{1, 2, 3, 4}, 1, 1, 2, 2).to(dt));
            assertArrayEquals(new double[]{1, 2, 0, 3, 4, 0, 0, 0, 0}, x.grad().toDoubleArray(), dt.toString());
        }
    }

    @Test
    void backwardIsDifferentiableInItsGradient() {
        // h 5, w 6, kernel 3x2, stride 2x1, padding 1x0: output 3x5
        ConvGeometry g = new ConvGeometry(5, 6, 3, 2, 2, 1, 1, 0, 1, 1);
        long[] inShape = {2, 3, 5, 6};
        Random r = new Random(5);
        long[] positions = new long[2 * 3 * 3 * 5];
        for (int i = 0; i < positions.length; i++) positions[i] = r.nextInt(5 * 6); // repeats add up
        Tensor idx64 = Tensor.of(positions, 2, 3, 3, 5), idx32 = idx64.to(DType.INT32);
        Tensor grad = Tensor.randn(2, 3, 3, 5).to(DType.FLOAT64).requiresGrad(true);
        // INT32 positions take the fused kernel; INT64 ones make it decline, so the composed scatter-add runs
        assertArrayEquals(Convolution.maxPoolBackward(grad, idx64, g, inShape).toDoubleArray(),
                Convolution.maxPoolBackward(grad, idx32, g, inShape).toDoubleArray(), 1e-15);
        GradCheck.assertGradients(in -> Convolution.maxPoolBackward(in[0], idx32, g, inShape), grad);
        GradCheck.assertGradients(in -> Convolution.maxPoolBackward(in[0], idx64, g, inShape), grad);
    }
}
