package dev.ember.backend.opencl;

import static dev.ember.backend.opencl.ClTestSupport.openCl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Fused;
import dev.ember.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A tiny MLP (8 -> 16 -> 3, tanh, cross-entropy) trained for 50 Adam steps with raw Tensor ops
 * and {@link Fused#adamStep}, once on the CPU and once on OpenCL from the same initial weights
 * and data: the two loss curves must agree step by step, and training must actually learn.
 */
class OpenClMlpTrainingTest {
    private static final int STEPS = 50, BATCH = 32, IN = 8, HIDDEN = 16, CLASSES = 3;

    @Test
    void fiftyAdamStepsFollowTheCpuLossCurve() {
        openCl();
        double[] cpu = train(Device.cpu()), cl = train(Device.opencl());
        for (int s = 0; s < STEPS; s++)
            assertEquals(cpu[s], cl[s], 1e-4 * Math.max(1, Math.abs(cpu[s])), "loss at step " + s);
        assertTrue(cl[STEPS - 1] < 0.5 * cl[0], "the MLP learns: loss " + cl[0] + " -> " + cl[STEPS - 1]);
    }

    /** The loss before each of the 50 steps. */
    private static double[] train(Device device) {
        Random rnd = new Random(42);
        // Labels from a fixed random linear teacher, so the task is learnable.
        float[] x = gaussian(rnd, BATCH * IN, 1), teacher = gaussian(rnd, IN * CLASSES, 1);
        long[] labels = new long[BATCH];
        for (int i = 0; i < BATCH; i++) {
            int best = 0;
            double bestV = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < CLASSES; c++) {
                double v = 0;
                for (int j = 0; j < IN; j++) v += x[i * IN + j] * teacher[j * CLASSES + c];
                if (v > bestV) { bestV = v; best = c; }
            }
            labels[i] = best;
        }
        Tensor input = Tensor.of(x, BATCH, IN).to(device);
        Tensor target = Tensor.of(labels, BATCH, 1).to(device);
        Tensor[] params = {
                Tensor.of(gaussian(rnd, IN * HIDDEN, 0.35), IN, HIDDEN).to(device).detach().requiresGrad(true),
                Tensor.of(new float[HIDDEN], HIDDEN).to(device).detach().requiresGrad(true),
                Tensor.of(gaussian(rnd, HIDDEN * CLASSES, 0.25), HIDDEN, CLASSES).to(device).detach().requiresGrad(true),
                Tensor.of(new float[CLASSES], CLASSES).to(device).detach().requiresGrad(true)};
        Tensor[] m = new Tensor[params.length], v = new Tensor[params.length];
        for (int p = 0; p < params.length; p++) {
            m[p] = Tensor.zerosLike(params[p]);
            v[p] = Tensor.zerosLike(params[p]);
            assertEquals(device, m[p].device());
        }
        double[] losses = new double[STEPS];
        for (int step = 0; step < STEPS; step++) {
            Tensor hidden = input.matmul(params[0]).add(params[1]).tanh();
            Tensor logits = hidden.matmul(params[2]).add(params[3]);
            Tensor loss = logits.logSoftmax(1).gather(1, target).neg().mean();
            losses[step] = loss.item();
            loss.backward();
            try (var ignored = Ember.noGrad()) {
                for (int p = 0; p < params.length; p++) {
                    Fused.adamStep(params[p], params[p].grad(), m[p], v[p], 0.05, 0.9, 0.999, 1e-8, 0, false, step + 1);
                    params[p].setGrad(null);
                }
            }
        }
        return losses;
    }

    private static float[] gaussian(Random rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }
}
