package dev.ember.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ember.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Tensor#registerPostAccumulateGradHook}: once per backward, after the leaf's gradient is complete. */
class PostAccumulateGradHookTest {

    @Test
    void firesOnceWithTheGradientSummedOverEveryPath() throws Exception {
        // y = sum(w * x + w * w): w reaches the loss through three edges; dy/dw = x + 2w.
        Tensor w = Tensor.of(new float[]{1, -2, 3}).requiresGrad(true);
        Tensor x = Tensor.of(new float[]{0.5f, 4, -1});
        List<float[]> seen = new ArrayList<>();
        w.registerPostAccumulateGradHook(t -> seen.add(t.grad().toFloatArray()));
        w.mul(x).add(w.mul(w)).sum().backward();
        assertEquals(1, seen.size(), "one call per backward, not one per edge");
        assertArrayEquals(new float[]{2.5f, 0, 5}, seen.get(0), 1e-6f);
    }

    @Test
    void laterLayersFireBeforeEarlierLayersHaveGradients() {
        // a two-layer chain: the hook of the layer nearest the loss runs while backward has not yet
        // reached the first layer, which is what lets a gradient reduction overlap the rest of backward.
        Tensor w1 = Tensor.randn(4, 3).requiresGrad(true);
        Tensor w2 = Tensor.randn(3, 2).requiresGrad(true);
        List<String> order = new ArrayList<>();
        boolean[] w1HadGrad = {true};
        w2.registerPostAccumulateGradHook(t -> { order.add("w2"); w1HadGrad[0] = w1.grad() != null; });
        w1.registerPostAccumulateGradHook(t -> order.add("w1"));
        Tensor.randn(5, 4).matmul(w1).relu().matmul(w2).sum().backward();
        assertEquals(List.of("w2", "w1"), order);
        assertEquals(false, w1HadGrad[0], "w2's hook ran before w1's gradient existed");
    }

    @Test
    void seesTheAccumulatedGradientOnASecondBackwardAndCanBeRemoved() throws Exception {
        Tensor w = Tensor.of(new float[]{2}).requiresGrad(true);
        List<Float> seen = new ArrayList<>();
        AutoCloseable handle = w.registerPostAccumulateGradHook(t -> seen.add(t.grad().toFloatArray()[0]));
        w.mul(3.0).sum().backward();
        w.mul(3.0).sum().backward();
        assertEquals(List.of(3f, 6f), seen, "grads accumulate across backward calls, as in PyTorch");
        handle.close();
        w.mul(3.0).sum().backward();
        assertEquals(2, seen.size(), "a removed hook is not called");
    }

    @Test
    void aLeafRootFiresToo() {
        Tensor w = Tensor.of(new float[]{1, 2}).requiresGrad(true);
        int[] calls = {0};
        w.registerPostAccumulateGradHook(t -> calls[0]++);
        w.backward(Tensor.of(new float[]{1, 1}));
        assertEquals(1, calls[0]);
    }

    @Test
    void onlyLeavesThatRequireGradAcceptHooks() {
        Tensor plain = Tensor.of(new float[]{1});
        assertThrows(IllegalStateException.class, () -> plain.registerPostAccumulateGradHook(t -> {}));
        Tensor nonLeaf = Tensor.of(new float[]{1}).requiresGrad(true).mul(2.0);
        var e = assertThrows(IllegalStateException.class, () -> nonLeaf.registerPostAccumulateGradHook(t -> {}));
        assertEquals(true, e.getMessage().contains("registerPostAccumulateGradHook"));
        assertNull(nonLeaf.grad());
    }
}
