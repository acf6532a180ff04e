package dev.ember.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.Fused;
import dev.ember.Tensor;
import org.junit.jupiter.api.Test;

/** PyTorch's autograd semantics: recording, leaves, accumulation, scopes, errors. */
class AutogradTest {

    @Test
    void leafAndNonLeaf() {
        Tensor x = Tensor.of(new float[]{1, 2, 3}).requiresGrad(true);
        Tensor y = x.mul(2.0);
        assertTrue(x.isLeaf());
        assertFalse(y.isLeaf());
        assertTrue(y.requiresGrad());
        assertEquals("MulBackward0", y.gradFn().toString());
        Tensor c = Tensor.of(new float[]{1, 2, 3});
        assertFalse(c.mul(2.0).requiresGrad(), "no input requires grad: nothing is recorded");
    }

    @Test
    void gradientsAccumulateUntilCleared() {
        Tensor x = Tensor.of(new double[]{1, 2}).requiresGrad(true);
        x.mul(x).sum().backward();
        assertArrayEquals(new double[]{2, 4}, x.grad().toDoubleArray(), 0);
        x.mul(3.0).sum().backward();
        assertArrayEquals(new double[]{5, 7}, x.grad().toDoubleArray(), 0);
        x.setGrad(null);
        x.sum().backward();
        assertArrayEquals(new double[]{1, 1}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void sharedSubexpressionsSumTheirGradients() {
        Tensor x = Tensor.of(new double[]{3}).requiresGrad(true);
        Tensor y = x.mul(x);          // x^2
        Tensor z = y.add(y.mul(x));   // x^2 + x^3
        z.sum().backward();
        assertEquals(2 * 3 + 3 * 9, x.grad().item(), 1e-12);
    }

    @Test
    void retainGradKeepsNonLeafGradient() {
        Tensor x = Tensor.of(new double[]{1, 2}).requiresGrad(true);
        Tensor y = x.mul(3.0).retainGrad();
        Tensor z = y.square().sum();
        z.backward();
        assertArrayEquals(new double[]{6, 12}, y.grad().toDoubleArray(), 1e-12);
        Tensor w = x.mul(2.0);
        w.sum().backward();
        assertNull(w.grad(), "non-leaf gradients are not kept unless retained");
    }

    @Test
    void nonScalarBackwardNeedsAGradient() {
        Tensor x = Tensor.of(new double[]{1, 2}).requiresGrad(true);
        Tensor y = x.mul(2.0);
        var e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("[2]"), e.getMessage());
        y.backward(Tensor.of(new double[]{1, 10}));
        assertArrayEquals(new double[]{2, 20}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void secondBackwardNeedsRetainGraph() {
        Tensor x = Tensor.of(new double[]{2}).requiresGrad(true);
        Tensor y = x.exp().sum();
        y.backward(Tensor.onesLike(y), true);
        y.backward(Tensor.onesLike(y), false);
        assertEquals(2 * Math.exp(2), x.grad().item(), 1e-12);
        var e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("second time"), e.getMessage());
    }

    @Test
    void noGradScopesNestAndRestore() {
        Tensor x = Tensor.of(new double[]{1}).requiresGrad(true);
        try (var outer = Ember.noGrad()) {
            assertFalse(x.mul(2.0).requiresGrad());
            try (var inner = Ember.enableGrad()) {
                assertTrue(x.mul(2.0).requiresGrad());
            }
            assertFalse(Ember.isGradEnabled());
        }
        assertTrue(Ember.isGradEnabled());
        assertTrue(x.mul(2.0).requiresGrad());
    }

    @Test
    void noGradIsPerThread() throws Exception {
        try (var ignored = Ember.noGrad()) {
            boolean[] other = new boolean[1];
            Thread t = new Thread(() -> other[0] = Ember.isGradEnabled());
            t.start();
            t.join();
            assertTrue(other[0]);
        }
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = Tensor.of(new double[]{1, 2}).requiresGrad(true);
        Tensor d = x.mul(2.0).detach();
        assertFalse(d.requiresGrad());
        assertNull(d.gradFn());
        Tensor y = x.mul(d).sum();
        y.backward();
        assertArrayEquals(new double[]{2, 4}, x.grad().toDoubleArray(), 0, "d is treated as a constant");
    }

    @Test
    void deepChainDoesNotOverflowTheStack() {
        Tensor x = Tensor.of(new double[]{1.0}).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 100_000; i++) y = y.add(1e-6);
        y.sum().backward();
        assertEquals(1.0, x.grad().item(), 0);
    }

    @Test
    void inPlaceUpdateOfASavedTensorIsDetected() {
        Tensor w = Tensor.of(new double[]{1, 2}).requiresGrad(true);
        Tensor x = Tensor.of(new double[]{3, 4}).requiresGrad(true);
        Tensor loss = w.mul(x).sum();
        try (var ignored = Ember.noGrad()) {
            w.mulInPlace(0.5); // as an optimizer step before backward would
        }
        var e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("in-place"), e.getMessage());
        assertTrue(e.getMessage().contains("mul"), e.getMessage());
    }

    @Test
    void inPlaceOnATensorThatRequiresGradIsRefusedOutsideNoGrad() {
        Tensor w = Tensor.of(new double[]{1, 2}).requiresGrad(true);
        var e = assertThrows(IllegalStateException.class, () -> w.addInPlace(Tensor.of(new double[]{1, 1})));
        assertTrue(e.getMessage().contains("noGrad"), e.getMessage());
    }

    @Test
    void unaffectedInputModifiedLaterIsFine() {
        // add saves nothing, so modifying its input afterwards does not invalidate the graph
        Tensor w = Tensor.of(new double[]{1, 2}).requiresGrad(true);
        Tensor loss = w.add(1.0).sum();
        try (var ignored = Ember.noGrad()) {
            w.mulInPlace(2.0);
        }
        loss.backward();
        assertArrayEquals(new double[]{1, 1}, w.grad().toDoubleArray(), 0);
    }

    @Test
    void integerTensorsCannotRequireGrad() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(3).requiresGrad(true));
    }

    @Test
    void backwardWithoutGradThrows() {
        Tensor x = Tensor.of(new double[]{1});
        var e = assertThrows(IllegalStateException.class, () -> x.mul(2.0).sum().backward());
        assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
    }

    @Test
    void fusedAdamMatchesTheFormula() {
        Tensor p = Tensor.of(new double[]{1, -2}), g = Tensor.of(new double[]{0.5, 0.25});
        Tensor m = Tensor.zerosLike(p), v = Tensor.zerosLike(p);
        try (var ignored = Ember.noGrad()) {
            Fused.adamStep(p, g, m, v, 0.1, 0.9, 0.999, 1e-8, 0.0, false, 1);
        }
        // Step 1 of Adam moves each parameter by lr * sign(g) (bias correction makes m/sqrt(v) = g/|g|).
        assertArrayEquals(new double[]{0.9, -2.1}, p.toDoubleArray(), 1e-6);
        assertNotNull(m);
    }

    @Test
    void fusedSoftmaxAgreesWithTheComposedOneForwardAndBackward() {
        // float32 along the contiguous last dim takes the backend's fused kernel; along dim 0 of the
        // transpose the same numbers go through the composed primitives.
        Ember.manualSeed(3);
        Tensor base = Tensor.randn(5, 37);
        Tensor upstream = Tensor.randn(5, 37);
        for (boolean log : new boolean[]{false, true}) {
            Tensor a = base.clone().requiresGrad(true), b = base.clone().requiresGrad(true);
            Tensor fused = log ? a.logSoftmax(1) : a.softmax(1);
            Tensor composed = (log ? b.t().logSoftmax(0) : b.t().softmax(0)).t();
            fused.mul(upstream).sum().backward();
            composed.mul(upstream).sum().backward();
            assertTrue(fused.allclose(composed, 1e-5, 1e-6), "forward, log=" + log);
            assertTrue(a.grad().allclose(b.grad(), 1e-4, 1e-6), "backward, log=" + log);
        }
    }
}
