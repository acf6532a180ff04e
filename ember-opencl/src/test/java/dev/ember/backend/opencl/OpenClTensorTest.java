package dev.ember.backend.opencl;

import static dev.ember.testing.StridedOperands.assertClose;
import static dev.ember.backend.opencl.ClTestSupport.openCl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Composite programs through the public Tensor API on {@code Device.opencl()} against the CPU:
 * the forward value and the gradient of every input. Tolerance: 1e-4 relative, 1e-5 absolute
 * (float32 chains of GEMMs, reductions and transcendental ops).
 */
class OpenClTensorTest {
    private static Device gpu;

    @BeforeEach
    void device() {
        openCl();
        gpu = Device.opencl();
    }

    /** Runs {@code program} over leaves built from {@code inputs} on both devices; compares output and gradients. */
    private static void compare(String what, Function<List<Tensor>, Tensor> program, Tensor... inputs) {
        double[][] outs = new double[2][];
        double[][][] grads = new double[2][inputs.length][];
        Device[] devices = {Device.cpu(), gpu};
        for (int d = 0; d < 2; d++) {
            Tensor[] leaves = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                leaves[i] = inputs[i].to(devices[d]).detach(); // a fresh leaf per device
                if (inputs[i].dtype().isFloatingPoint()) leaves[i].requiresGrad(true);
            }
            Tensor out = program.apply(List.of(leaves));
            assertEquals(devices[d], out.device(), what + ": output device");
            outs[d] = out.toDoubleArray();
            out.sum().backward();
            for (int i = 0; i < inputs.length; i++)
                if (leaves[i].requiresGrad()) {
                    assertNotNull(leaves[i].grad(), what + ": input " + i + " has no gradient on " + devices[d]);
                    grads[d][i] = leaves[i].grad().toDoubleArray();
                }
        }
        assertClose(what + " forward", outs[0], outs[1], 1e-4, 1e-5);
        for (int i = 0; i < inputs.length; i++)
            if (grads[0][i] != null) assertClose(what + " grad of input " + i, grads[0][i], grads[1][i], 1e-4, 1e-5);
    }

    private static Tensor randn(Random rnd, long... shape) {
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return Tensor.of(v, shape);
    }

    @Test
    void attentionLikeProgram() {
        Random rnd = new Random(11);
        compare("attention", in -> {
            Tensor q = in.get(0), k = in.get(1), v = in.get(2);
            return q.matmul(k.transpose(1, 2)).mul(0.35).softmax(2).matmul(v).tanh();
        }, randn(rnd, 2, 5, 8), randn(rnd, 2, 7, 8), randn(rnd, 2, 7, 3));
    }

    @Test
    void convolutionPoolingAndCrossEntropy() {
        Random rnd = new Random(12);
        Tensor targets = Tensor.of(new long[]{3, 0}, 2, 1);
        compare("conv net", in -> {
            Tensor x = in.get(0), w = in.get(1), b = in.get(2), t = in.get(3);
            Tensor logits = x.conv2d(w, b, 1, 1).relu().maxPool2d(2).flatten(1, 3);
            return logits.logSoftmax(1).gather(1, t).neg().mean();
        }, randn(rnd, 2, 3, 6, 6), randn(rnd, 4, 3, 3, 3), randn(rnd, 4), targets);
    }

    @Test
    void embeddingLookupWithBroadcastingAndReductions() {
        Random rnd = new Random(13);
        Tensor idx = Tensor.of(new long[]{1, 4, 4, 0, 9, 2, 4, 7, 1, 3, 3, 8, 5}, 13);
        compare("embedding", in -> {
            Tensor table = in.get(0), scale = in.get(1), ids = in.get(2);
            Tensor e = table.indexSelect(0, ids).gelu().mul(scale);                  // [13, 6] * [6]
            Tensor centered = e.sub(e.mean(1, true)).div(e.std(1).unsqueeze(1).add(1));
            return centered.max(1).add(centered.pow(2).sum(1)).sigmoid();
        }, randn(rnd, 10, 6), randn(rnd, 6), idx);
    }

    @Test
    void elementwiseChainOverNonContiguousViews() {
        Random rnd = new Random(14);
        compare("elementwise", in -> {
            Tensor a = in.get(0), b = in.get(1);
            Tensor at = a.permute(2, 0, 1);                                         // [5, 4, 1] view
            Tensor y = at.mul(b.t().unsqueeze(1)).add(at.exp()).sub(b.t().unsqueeze(1).sigmoid());
            Tensor z = Tensor.where(y.gt(0), y.sqrt(), y.mul(y).neg()).clamp(-3, 3);
            return z.div(at.abs().add(1)).softplus().logsumexp(0, false);
        }, randn(rnd, 4, 1, 5), randn(rnd, 3, 5));
    }

    @Test
    void seededRandomTensorsEqualTheCpus() {
        double[][] drawn = new double[2][];
        Device[] devices = {Device.cpu(), gpu};
        for (int d = 0; d < 2; d++) {
            Ember.manualSeed(2024);
            Tensor shape = Tensor.zeros(3, 7).to(devices[d]);
            Tensor n = Tensor.randnLike(shape), u = Tensor.randLike(shape);
            assertEquals(devices[d], n.device());
            drawn[d] = Tensor.cat(0, n, u).toDoubleArray();
        }
        assertClose("randn and rand after manualSeed", drawn[0], drawn[1], 1e-6, 1e-7);
    }
}
