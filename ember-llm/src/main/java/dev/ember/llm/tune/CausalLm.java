package dev.ember.llm.tune;

import dev.ember.Tensor;
import dev.ember.nn.Module;
import dev.ember.nn.lm.GPT;

/**
 * A {@link GPT} on the rows of {@code dev.ember.llm.data.SftDataset}, as the Trainer runs it: input INT64
 * {@code [batch, 3, T]} (token ids, positions, segment ids) to logits {@code [batch, T, vocab]}. A row that holds
 * several examples (segments 1, 2, ...) is computed with a block-diagonal causal mask, so no token attends to
 * another example, and with each example's own positions; a row of one example (and padding) runs plain causal
 * attention. An adapter (LoRA) registered here is part of the state dict, so the Trainer's checkpoints hold it.
 */
public final class CausalLm extends Module {
    private final GPT model;

    /** {@code model}, with {@code adapter} (null: none) in the state dict beside it. */
    public CausalLm(GPT model, Module adapter) {
        this.model = registerModule("model", model);
        if (adapter != null) registerModule("adapter", adapter);
    }

    /** The language model. */
    public GPT model() { return model; }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 3 || x.size(1) != 3 || x.dtype().isFloatingPoint())
            throw new IllegalArgumentException("CausalLm: expected integer rows [batch, 3, T] (ids, positions, segments), got " + x.dtype() + " "
                    + java.util.Arrays.toString(x.shape()));
        Tensor ids = x.select(1, 0), positions = x.select(1, 1), segments = x.select(1, 2);
        if (segments.max().itemLong() <= 1) return model.forward(ids.contiguous()); // one example per row: positions 0.. and causal
        Tensor mask = segments.unsqueeze(2).eq(segments.unsqueeze(1)); // [b, T, T]: same example
        return model.forward(ids.contiguous(), null, mask, positions.contiguous());
    }
}
