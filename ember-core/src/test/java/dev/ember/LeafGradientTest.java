package dev.ember;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import org.junit.jupiter.api.Test;

/**
 * A leaf takes a gradient that backward made for it alone instead of copying it (see
 * {@link Tensor#accumulateGrad(Tensor, boolean)}); a gradient that a formula hands to two inputs is copied for each,
 * so the leaves never share memory. The built-in formulas pass only their incoming gradient to several inputs (add);
 * this one makes a new tensor and returns it twice, as a custom formula may.
 */
class LeafGradientTest {
    @Test
    void aNewGradientAFormulaGivesToTwoLeavesIsCopiedForEach() {
        Tensor a = Tensor.randn(8).requiresGrad(true), b = Tensor.randn(8).requiresGrad(true);
        Tensor out = Tensor.record("twice", a.detach().add(b.detach()), (g, needs) -> {
            Tensor t = g.mul(2.0);
            return new Tensor[]{t, t};
        }, a, b);
        out.sum().backward(Tensor.scalar(1.0));
        assertNotSame(a.grad(), b.grad());
        a.grad().addInPlace(Tensor.onesLike(a.grad()));
        for (double v : b.grad().toDoubleArray()) assertEquals(2.0, v, 0.0, "b's gradient is not a's");
        for (double v : a.grad().toDoubleArray()) assertEquals(3.0, v, 0.0);
    }
}
