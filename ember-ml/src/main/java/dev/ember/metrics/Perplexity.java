package dev.ember.metrics;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.autograd.GradMode;

/**
 * Streaming perplexity of a language model: {@code exp} of the mean cross-entropy (nats per token) over every
 * token seen. {@code output} is logits {@code [batch, T, vocab]} (or {@code [n, vocab]}), {@code target} the next
 * token ids {@code [batch, T]} (or {@code [n]}).
 */
public final class Perplexity implements Metric {
    private double nats;
    private long tokens;

    @Override
    public String name() { return "perplexity"; }

    @Override
    public void update(Tensor output, Tensor target) {
        try (var ignored = GradMode.set(false)) {
            long vocab = output.size(-1);
            Tensor logits = output.reshape(-1, vocab), t = target.reshape(-1).to(DType.INT64);
            if (logits.size(0) != t.size(0))
                throw new IllegalArgumentException("perplexity: " + logits.size(0) + " predictions for " + t.size(0) + " targets");
            long[] ids = t.toLongArray();
            for (int i = 0; i < ids.length; i++)
                if (ids[i] < 0 || ids[i] >= vocab)
                    throw new IllegalArgumentException("perplexity: target " + i + " is token " + ids[i] + ", not in [0, " + vocab + ")");
            nats -= logits.logSoftmax(1).gather(1, t.unsqueeze(1)).to(DType.FLOAT64).sum().item();
            tokens += t.numel();
        }
    }

    @Override
    public double compute() { return tokens == 0 ? Double.NaN : Math.exp(nats / tokens); }

    @Override
    public void reset() {
        nats = 0;
        tokens = 0;
    }
}
