package dev.ember.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.backend.MemoryStats;
import dev.ember.testing.AllocatorStats;
import org.junit.jupiter.api.Test;

/**
 * The backward pass gives back what it allocates: each intermediate gradient once the last node that
 * reads it has run, each formula's temporaries when it returns, so backward's memory stays a few
 * tensors deep however long the graph, and only the leaves' gradients remain. Measured with the CPU
 * caching allocator's statistics (settled first, and no garbage made while measuring).
 */
class EngineMemoryTest {
    private static final int N = 10_240, BYTES = 4 * N; // 40,960 bytes per float tensor: exactly one size class

    private static MemoryStats stats() { return Ember.memoryStats(Device.cpu()); }

    @Test
    void aLongChainNeedsAFewTensorsForBackwardAndLeavesOnlyTheGradient() {
        AllocatorStats.settle(Device.cpu());
        Tensor x = Tensor.randn(N).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 40; i++) y = y.mul(1.01).tanh().add(0.1); // each op saves or passes a gradient on
        Tensor loss = y.sum(), seed = Tensor.onesLike(loss);
        long forward = stats().allocated();
        Ember.resetPeakMemoryStats(Device.cpu());
        loss.backward(seed);
        MemoryStats after = stats();
        assertEquals(forward + BYTES, after.allocated(), "only x.grad stays");
        long extra = after.peak() - forward;
        assertTrue(extra <= 8 * BYTES, "backward over 120 nodes held at most 8 tensors at a time, not " + extra / (double) BYTES);
        assertFalse(x.grad().isClosed());
    }

    /**
     * A leaf's first gradient becomes its grad without a copy when the formula made it for that leaf alone (as PyTorch's
     * AccumulateGrad takes a gradient it holds the only reference to), and is copied when anything else reads it: add
     * passes one gradient to both of its inputs, and a leaf used twice must not end up aliasing a released tensor.
     */
    @Test
    void aLeafTakesAGradientNothingElseReadsAndCopiesOneThatIsShared() {
        AllocatorStats.settle(Device.cpu());
        Tensor w = Tensor.randn(N).requiresGrad(true);
        Tensor loss = w.mul(3.0).sum(), seed = Tensor.onesLike(loss);
        long forward = stats().allocated();
        Ember.resetPeakMemoryStats(Device.cpu());
        loss.backward(seed);
        assertEquals(forward + BYTES, stats().allocated(), "only w.grad stays");
        // mul's formula makes 3 * (the expanded seed) for w alone: taken, so backward held one tensor, not two (a copy)
        assertEquals(forward + BYTES, stats().peak(), "w's gradient taken, not copied");
        for (double v : w.grad().toDoubleArray()) assertEquals(3.0, v, 0.0);

        // add passes its gradient on to both inputs: the two leaves get copies, and each stays valid after backward
        Tensor a = Tensor.randn(N).requiresGrad(true), b = Tensor.randn(N).requiresGrad(true);
        a.add(b).mul(2.0).sum().backward(seed);
        assertFalse(a.grad().isClosed());
        assertFalse(b.grad().isClosed());
        a.grad().addInPlace(Tensor.onesLike(a.grad()));
        for (double v : b.grad().toDoubleArray()) assertEquals(2.0, v, 0.0, "b's gradient is not a's");
        for (double v : a.grad().toDoubleArray()) assertEquals(3.0, v, 0.0);

        // one leaf on both sides: its first gradient is taken or copied, the second summed into it, as before
        Tensor x = Tensor.randn(N).requiresGrad(true);
        x.mul(x).sum().backward(seed);
        double[] xv = x.toDoubleArray(), gx = x.grad().toDoubleArray();
        for (int i = 0; i < N; i++) assertEquals((float) (2 * xv[i]), gx[i], 1e-6 * Math.max(1, Math.abs(gx[i])), "d(x*x)/dx at " + i);

        // a second backward accumulates into the taken gradient
        w.mul(3.0).sum().backward(seed);
        for (double v : w.grad().toDoubleArray()) assertEquals(6.0, v, 0.0);
    }

    @Test
    void gradientsSharedByBranchesAreReleasedOnlyAfterTheirLastReader() {
        AllocatorStats.settle(Device.cpu());
        Tensor x = Tensor.randn(N).requiresGrad(true);
        Tensor a = x.mul(2.0);
        Tensor b = a.add(a.exp()).add(a.sin().mul(a)); // a feeds four nodes; add passes its gradient to both inputs
        Tensor loss = b.reshape(80, 128).t().sum();     // views pass the gradient on as views
        double[] expected;
        try (var s = Ember.scope(); var ignored = Ember.noGrad()) {
            Tensor a2 = x.mul(2.0);
            Tensor da = a2.exp().add(1).add(a2.sin()).add(a2.mul(a2.cos())); // d b / d a
            expected = da.mul(2.0).toDoubleArray();
        }
        Tensor seed = Tensor.onesLike(loss);
        long forward = stats().allocated();
        loss.backward(seed);
        assertEquals(forward + BYTES, stats().allocated(), "only x.grad stays");
        double[] g = x.grad().toDoubleArray();
        for (int i = 0; i < N; i++) assertEquals(expected[i], g[i], 1e-4 * Math.max(1, Math.abs(expected[i])), "element " + i);
    }
}
