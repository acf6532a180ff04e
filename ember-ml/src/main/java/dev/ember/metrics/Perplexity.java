package dev.ember.metrics;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.autograd.GradMode;

/**
 * Streaming perplexity of a language model: {@code exp} of the mean cross-entropy (nats per token) over every
 * token seen. {@code output} is logits {@code [batch, T, vocab]} (or {@code [n, vocab]}), {@code target} the next
 * token ids {@code [batch, T]} (or {@code [n]}). {@link #ignoring} leaves out the targets equal to an ignore index
 * (PyTorch's {@code ignore_index}, -100 for prompt and padding tokens), summed exactly over every batch (a plain
 * mean of batch losses would weight batches, not tokens).
 */
public final class Perplexity implements Metric {
    /** No ignore index: every target counts and must be a token id. */
    private static final long NONE = Long.MIN_VALUE;

    private final long ignoreIndex;
    private double nats;
    private long tokens;

    /** Perplexity over every target. */
    public Perplexity() { this(NONE); }

    private Perplexity(long ignoreIndex) { this.ignoreIndex = ignoreIndex; }

    /** Perplexity over the targets that are not {@code ignoreIndex}, as {@code CrossEntropyLoss(ignore_index=...)}. */
    public static Perplexity ignoring(long ignoreIndex) { return new Perplexity(ignoreIndex); }

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
            long counted = 0;
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] == ignoreIndex) { ids[i] = 0; continue; } // any valid id; its term is masked out below
                if (ids[i] < 0 || ids[i] >= vocab)
                    throw new IllegalArgumentException("perplexity: target " + i + " is token " + ids[i] + ", not in [0, " + vocab + ")");
                counted++;
            }
            Tensor picked = logits.logSoftmax(1).gather(1, Tensor.of(ids, ids.length, 1).to(logits.device())).squeeze(1).to(DType.FLOAT64);
            if (counted < ids.length) picked = Tensor.where(t.ne((double) ignoreIndex), picked, Tensor.zerosLike(picked));
            nats -= picked.sum().item();
            tokens += counted;
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
