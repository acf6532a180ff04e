package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/**
 * LLaMA's gated feed-forward layer: {@code w2(silu(w1 x) * w3 x)}, {@code [..., dim] -> [..., dim]} through a
 * hidden width {@code hidden}. Parameters {@code w1.weight [hidden, dim]} (gate), {@code w3.weight [hidden, dim]}
 * (up) and {@code w2.weight [dim, hidden]} (down), as LLaMA's checkpoints name them.
 */
public final class SwiGLU extends Module {
    private final Linear w1, w2, w3;

    /** A {@code SwiGLU} without biases (as LLaMA). */
    public SwiGLU(int dim, int hidden) { this(dim, hidden, false); }

    /** A {@code SwiGLU} with or without biases. */
    public SwiGLU(int dim, int hidden, boolean bias) {
        this.w1 = registerModule("w1", new Linear(dim, hidden, bias));
        this.w2 = registerModule("w2", new Linear(hidden, dim, bias));
        this.w3 = registerModule("w3", new Linear(dim, hidden, bias));
    }

    @Override
    public Tensor forward(Tensor x) { return w2.forward(F.swiglu(w1.forward(x), w3.forward(x))); }
}
