package dev.ember.llm.tune;

import dev.ember.Tensor;
import dev.ember.nn.Loss;
import dev.ember.nn.functional.F;

/**
 * The supervised fine-tuning loss: cross-entropy of logits {@code [batch, T, vocab]} against targets
 * {@code [batch, T]}, averaged over the targets that are not -100 (PyTorch's {@code ignore_index}: prompts, padding
 * and the ends of packed examples), so only assistant tokens are learned.
 */
public final class SftLoss implements Loss {
    @Override
    public Tensor forward(Tensor logits, Tensor targets) {
        long vocab = logits.size(-1);
        return F.crossEntropy(logits.reshape(-1, vocab), targets.reshape(-1));
    }
}
