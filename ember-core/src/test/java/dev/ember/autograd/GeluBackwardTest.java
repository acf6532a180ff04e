package dev.ember.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.DType;
import dev.ember.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GELU's gradient on the CPU runs the one-pass kernel ({@code FusedGeluBackward}) for contiguous float32 operands and
 * the composed formula otherwise: the two agree bit for bit, and both with a float64 derivative. Tagged "conformance"
 * so the 8-lane (AVX2) run covers the vector kernel too.
 */
@Tag("conformance")
class GeluBackwardTest {

    private static float[] inputs(int n) {
        var r = new SplittableRandom(11);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * 4);
        float[] special = {0f, -0f, 1e-31f, -1e-31f, Float.MIN_VALUE, 1e-30f, 1.1e-30f, 5f, -5f, 20f, -20f, 1e4f, -1e4f};
        System.arraycopy(special, 0, x, 0, Math.min(n, special.length));
        return x;
    }

    /** The composed gradient, as {@code Elementwise.unaryGrad} writes it, from tensor ops. */
    private static Tensor composed(Tensor x, Tensor y, Tensor g) {
        Tensor cdf = y.div(x).maskedFill(x.abs().lt(1e-30), 0.5);
        Tensor xPdf = x.mul(x.square().mul(-0.5).exp()).mul(1.0 / Math.sqrt(2 * Math.PI));
        return g.mul(cdf.add(xPdf));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 13, 100, 1000 + 5, 70_000})
    void fusedGradientEqualsTheComposedFormulaAndFloat64(int n) {
        float[] xs = inputs(n);
        float[] gs = new float[n];
        var r = new SplittableRandom(12);
        for (int i = 0; i < n; i++) gs[i] = (float) r.nextGaussian();
        Tensor x = Tensor.of(xs).requiresGrad(true);
        Tensor y = x.gelu();
        Tensor g = Tensor.of(gs);
        y.backward(g);
        float[] fused = x.grad().toFloatArray();
        Tensor xd = Tensor.of(xs);
        float[] want = composed(xd, xd.gelu(), g).toFloatArray();
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(fused[i]), "x=" + xs[i] + " at " + i);
            double v = xs[i], phi = Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
            double exact = gs[i] * (0.5 * (1 + erf(v / Math.sqrt(2))) + v * phi);
            assertEquals(exact, fused[i], 2e-6 * Math.abs(gs[i]) + 1e-6 * Math.abs(exact), "x=" + xs[i]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"transposed", "bfloat16"})
    void operandsWithoutAFusedPathGetTheComposedFormula(String kind) {
        float[] xs = inputs(64);
        Tensor x0 = Tensor.of(xs, 8, 8);
        Tensor x = (kind.equals("bfloat16") ? x0.to(DType.BFLOAT16) : x0).requiresGrad(true);
        Tensor y = x.gelu();
        Tensor g = kind.equals("transposed") ? Tensor.of(inputs(64), 8, 8).transpose(0, 1) : Tensor.onesLike(y);
        y.backward(g);
        Tensor xd = x.detach();
        float[] want = composed(xd, xd.gelu(), g).toFloatArray();
        float[] got = x.grad().toFloatArray();
        for (int i = 0; i < want.length; i++) assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), kind + " at " + i);
    }

    /** erf by Simpson's rule on exp(-t^2) (accurate to ~1e-12 for |x| < 15), clamped beyond. */
    private static double erf(double x) {
        if (Math.abs(x) > 6) return Math.signum(x);
        int steps = 4000;
        double h = x / steps, s = 1 + Math.exp(-x * x);
        for (int i = 1; i < steps; i++) s += (i % 2 == 1 ? 4 : 2) * Math.exp(-(i * h) * (i * h));
        return 2 / Math.sqrt(Math.PI) * s * h / 3;
    }
}
