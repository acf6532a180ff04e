package dev.ember.studio.insight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.Sequential;
import dev.ember.nn.Tanh;
import dev.ember.nn.Flatten;
import org.junit.jupiter.api.Test;

/**
 * Saliency against finite differences, integrated gradients against the exact answer of a linear model, and the
 * completeness axiom (attributions add up to {@code f(x) - f(baseline)}) on a nonlinear network.
 */
class AttributionTest {
    private static double f(Module m, float[] x, long[] shape, int target) {
        try (var ignored = Ember.noGrad()) {
            return Attribution.score(m, Tensor.of(x, shape), target).item();
        }
    }

    private static Module mlp() {
        Ember.manualSeed(7);
        return new Sequential(new Flatten(), new Linear(12, 16), new Tanh(), new Linear(16, 8), new Tanh(), new Linear(8, 3));
    }

    @Test
    void saliencyIsTheAbsoluteGradientByCentralDifferences() {
        Module m = mlp();
        Ember.manualSeed(3);
        Tensor x = Tensor.randn(1, 1, 3, 4);
        float[] xv = x.toFloatArray();
        long[] shape = {1, 1, 3, 4};
        float[] sal = Attribution.saliency(m, x, 2).toFloatArray();
        for (int i = 0; i < xv.length; i++) {
            float[] up = xv.clone(), down = xv.clone();
            float h = 1e-2f;
            up[i] += h;
            down[i] -= h;
            double fd = (f(m, up, shape, 2) - f(m, down, shape, 2)) / (2 * h);
            assertEquals(Math.abs(fd), sal[i], 2e-3 + 1e-2 * Math.abs(fd), "element " + i);
        }
    }

    @Test
    void integratedGradientsOfALinearModelAreInputTimesWeight() {
        Ember.manualSeed(11);
        Linear lin = new Linear(5, 3);
        Tensor x = Tensor.randn(1, 5), base = Tensor.randn(1, 5);
        float[] ig = Attribution.integratedGradients(lin, x, base, 1, 4).toFloatArray();
        float[] w = lin.weight().toFloatArray(), xv = x.toFloatArray(), bv = base.toFloatArray();
        for (int i = 0; i < 5; i++) assertEquals((xv[i] - bv[i]) * w[5 + i], ig[i], 1e-5, "feature " + i);
        float[] sal = Attribution.saliency(lin, x, 1).toFloatArray();
        for (int i = 0; i < 5; i++) assertEquals(Math.abs(w[5 + i]), sal[i], 1e-6);
    }

    @Test
    void attributionsAddUpToTheScoreDifference() {
        Module m = mlp();
        Ember.manualSeed(5);
        Tensor x = Tensor.randn(1, 1, 3, 4).mul(2.0), base = Tensor.zeros(1, 1, 3, 4);
        long[] shape = {1, 1, 3, 4};
        double diff = f(m, x.toFloatArray(), shape, 0) - f(m, base.toFloatArray(), shape, 0);
        double coarse = Attribution.integratedGradients(m, x, base, 0, 4).sum().item();
        double fine = Attribution.integratedGradients(m, x, base, 0, 256).sum().item();
        assertEquals(diff, fine, 1e-3 * Math.max(1, Math.abs(diff)), "completeness with 256 steps");
        assertTrue(Math.abs(fine - diff) <= Math.abs(coarse - diff) + 1e-6, "more steps should not integrate worse: 4 steps " + coarse
                + ", 256 steps " + fine + ", exact " + diff);
    }

    @Test
    void refusesBadArguments() {
        Module m = mlp();
        Tensor x = Tensor.randn(1, 1, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> Attribution.integratedGradients(m, x, Tensor.zeros(1, 12), 0, 8));
        assertThrows(IllegalArgumentException.class, () -> Attribution.integratedGradients(m, x, Tensor.zerosLike(x), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Attribution.saliency(m, x, 3));
        assertThrows(IllegalArgumentException.class, () -> Attribution.integratedGradients(m, Tensor.randn(2, 1, 3, 4), Tensor.zeros(2, 1, 3, 4), 0, 8));
    }
}
