package dev.ember.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Whole tensor programs, forward and backward, on CUDA and on the CPU from the same inputs:
 * losses and every parameter gradient must agree. Skipped with the probe's reason without a GPU.
 */
@Tag("cuda")
class CudaTensorProgramsTest {

    /** Per test, so each one is reported as skipped with the reason. */
    @BeforeEach
    void device() {
        CudaTestSupport.cuda();
    }

    /** Runs {@code loss} on copies of {@code params} on each device and compares the loss and gradients. */
    private static void sameOnBothDevices(Tensor[] params, Function<Tensor[], Tensor> loss, double tol) {
        Tensor[] cpu = new Tensor[params.length], gpu = new Tensor[params.length];
        for (int i = 0; i < params.length; i++) {
            cpu[i] = params[i].detach().clone().requiresGrad(true);
            gpu[i] = params[i].to(Device.cuda()).requiresGrad(true);
        }
        Tensor lc = loss.apply(cpu), lg = loss.apply(gpu);
        lc.backward();
        lg.backward();
        assertEquals(Device.cuda(), lg.device());
        assertEquals(lc.item(), lg.item(), tol * Math.max(1, Math.abs(lc.item())), "loss");
        for (int i = 0; i < params.length; i++) {
            float[] want = cpu[i].grad().toFloatArray(), got = gpu[i].grad().toFloatArray();
            assertEquals(want.length, got.length);
            double scale = 0;
            for (float w : want) scale = Math.max(scale, Math.abs(w));
            for (int j = 0; j < want.length; j++)
                assertTrue(Math.abs(want[j] - got[j]) <= tol * Math.max(scale, 1e-3),
                        "grad of parameter " + i + " element " + j + ": cpu " + want[j] + " cuda " + got[j]);
        }
    }

    @Test
    void mlpWithCrossEntropyForwardAndBackward() {
        Ember.manualSeed(1);
        Tensor x = Tensor.randn(32, 20), w1 = Tensor.randn(20, 64).mul(0.2), b1 = Tensor.randn(64).mul(0.1);
        Tensor w2 = Tensor.randn(64, 10).mul(0.2);
        Tensor labels = Tensor.randint(0, 10, 32, 1);
        sameOnBothDevices(new Tensor[]{w1, b1, w2}, p -> {
            Device d = p[0].device();
            Tensor h = x.to(d).matmul(p[0]).add(p[1]).relu();
            Tensor logp = h.matmul(p[2]).logSoftmax(1);
            return logp.gather(1, labels.to(d)).mean().neg();
        }, 1e-4);
    }

    @Test
    void convPoolLinearForwardAndBackward() {
        Ember.manualSeed(2);
        Tensor x = Tensor.randn(4, 1, 12, 12), w = Tensor.randn(8, 1, 3, 3).mul(0.3), b = Tensor.randn(8).mul(0.1);
        Tensor fc = Tensor.randn(8 * 6 * 6, 5).mul(0.05);
        sameOnBothDevices(new Tensor[]{w, b, fc}, p -> {
            Device d = p[0].device();
            Tensor h = x.to(d).conv2d(p[0], p[1], 1, 1).relu().maxPool2d(2);
            Tensor logits = h.reshape(4, -1).matmul(p[2]);
            return logits.softmax(1).square().sum().add(logits.tanh().mean());
        }, 1e-4);
    }

    @Test
    void attentionLikeBatchedMatmulWithTransposes() {
        Ember.manualSeed(3);
        Tensor q = Tensor.randn(2, 5, 8), k = Tensor.randn(2, 7, 8), v = Tensor.randn(2, 7, 8);
        sameOnBothDevices(new Tensor[]{q, k, v}, p -> {
            Tensor scores = p[0].matmul(p[1].transpose(1, 2)).mul(1.0 / Math.sqrt(8));
            return scores.softmax(2).matmul(p[2]).pow(2.0).sum();
        }, 1e-4);
    }
}
