package dev.ember.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parameter groups carry their own options, schedulers scale every group, and bad groups are rejected. */
class ParamGroupTest {
    @Test
    void eachGroupUsesItsOwnLearningRate() {
        Tensor a = Tensor.of(new float[]{1, 2}).requiresGrad(true), b = Tensor.of(new float[]{1, 2}).requiresGrad(true);
        SGD opt = SGD.builder(0.1).buildGroups(List.of(new ParamGroup(List.of(a), Map.of()), new ParamGroup(List.of(b), Map.of("lr", 0.5))));
        a.setGrad(Tensor.of(new float[]{1, 1}));
        b.setGrad(Tensor.of(new float[]{1, 1}));
        opt.step();
        assertArrayEquals(new float[]{0.9f, 1.9f}, a.toFloatArray(), 1e-6f);
        assertArrayEquals(new float[]{0.5f, 1.5f}, b.toFloatArray(), 1e-6f);
        StepLR s = new StepLR(opt, 1, 0.1);
        s.step();
        assertEquals(0.01, opt.paramGroups().get(0).lr(), 1e-12);
        assertEquals(0.05, opt.paramGroups().get(1).lr(), 1e-12);
        opt.zeroGrad();
        assertTrue(a.grad() == null && b.grad() == null);
    }

    @Test
    void rejectsParametersThatCannotLearnOrAppearTwice() {
        Tensor a = Tensor.zeros(2).requiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(Tensor.zeros(2)), 0.1));
        assertThrows(IllegalArgumentException.class,
                () -> SGD.builder(0.1).buildGroups(List.of(new ParamGroup(List.of(a), Map.of()), new ParamGroup(List.of(a), Map.of()))));
        assertThrows(IllegalArgumentException.class, () -> SGD.builder(0.1).dampening(0.1).nesterov(true).build(List.of(a)));
    }
}
