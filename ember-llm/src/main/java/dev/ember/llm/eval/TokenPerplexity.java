package dev.ember.llm.eval;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.autograd.GradMode;
import dev.ember.metrics.Metric;

/**
 * Perplexity over the counted tokens only: {@code exp} of the mean cross-entropy (nats per token) of the targets that
 * are not -100, summed exactly over every batch (a plain mean of batch losses would weight batches, not tokens).
 * Logits {@code [batch, T, vocab]}, targets {@code [batch, T]}.
 */
public final class TokenPerplexity implements Metric {
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
            Tensor counted = t.ne(-100.0);
            Tensor safe = Tensor.where(counted, t, Tensor.zerosLike(t));
            Tensor picked = logits.logSoftmax(1).gather(1, safe.unsqueeze(1)).squeeze(1).to(DType.FLOAT64);
            nats -= Tensor.where(counted, picked, Tensor.zerosLike(picked)).sum().item();
            tokens += counted.to(DType.INT64).sum().itemLong();
        }
    }

    /** Mean nats per counted token so far. */
    public double meanNats() { return tokens == 0 ? Double.NaN : nats / tokens; }

    /** Counted tokens so far. */
    public long tokens() { return tokens; }

    @Override
    public double compute() { return tokens == 0 ? Double.NaN : Math.exp(nats / tokens); }

    @Override
    public void reset() {
        nats = 0;
        tokens = 0;
    }
}
