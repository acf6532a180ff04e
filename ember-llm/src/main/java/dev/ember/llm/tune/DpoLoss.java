package dev.ember.llm.tune;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.nn.Loss;

/**
 * The DPO loss (Rafailov et al. 2023, as TRL's {@code sigmoid} loss): with {@code pc}, {@code pr} the policy's and
 * {@code rc}, {@code rr} the frozen reference's log-probabilities of the chosen and rejected answers (summed over the
 * answer's tokens), {@code loss = mean(-logsigmoid(beta * ((pc - rc) - (pr - rr))))}. The implicit rewards are
 * {@code beta * (pc - rc)} and {@code beta * (pr - rr)}; their difference is the reward margin, and the reward
 * accuracy is the share of pairs whose margin is positive.
 *
 * <p>As a Trainer loss it takes the {@link DpoModel}'s logits {@code [batch, 4, T, vocab]} (policy chosen, policy
 * rejected, reference chosen, reference rejected) and the targets {@code [batch, 2, T]} (-100 outside the answers).
 */
public final class DpoLoss implements Loss {
    private final double beta;

    /** The loss with temperature {@code beta} (TRL's default is 0.1). */
    public DpoLoss(double beta) {
        if (!(beta > 0) || Double.isInfinite(beta)) throw new IllegalArgumentException("DPO: beta must be positive, got " + beta);
        this.beta = beta;
    }

    /** Beta. */
    public double beta() { return beta; }

    @Override
    public Tensor forward(Tensor logits, Tensor targets) {
        Tensor[] lp = logProbs(logits, targets);
        return loss(lp[0], lp[1], lp[2], lp[3], beta);
    }

    /** {@code mean(-logsigmoid(beta * ((pc - rc) - (pr - rr))))} of per-pair log-probabilities {@code [batch]}. */
    public static Tensor loss(Tensor pc, Tensor pr, Tensor rc, Tensor rr, double beta) {
        Tensor z = pc.sub(rc).sub(pr.sub(rr)).mul(beta);
        return z.neg().softplus().mean(); // -logsigmoid(z) = softplus(-z), stable for large |z|
    }

    /** The reward margins {@code beta * ((pc - rc) - (pr - rr))} {@code [batch]} (no gradient). */
    public static Tensor margins(Tensor logits, Tensor targets, double beta) {
        try (var ignored = dev.ember.Ember.noGrad()) {
            Tensor[] lp = logProbs(logits, targets);
            return lp[0].sub(lp[2]).sub(lp[1].sub(lp[3])).mul(beta);
        }
    }

    /**
     * The summed log-probabilities of the target tokens, {@code {pc, pr, rc, rr}} each {@code [batch]}, from logits
     * {@code [batch, 4, T, vocab]} and targets {@code [batch, 2, T]}.
     */
    static Tensor[] logProbs(Tensor logits, Tensor targets) {
        if (logits.dim() != 4 || logits.size(1) != 4 || targets.dim() != 3 || targets.size(1) != 2 || logits.size(0) != targets.size(0)
                || logits.size(2) != targets.size(2))
            throw new IllegalArgumentException("DPO: expected logits [batch, 4, T, vocab] and targets [batch, 2, T], got "
                    + java.util.Arrays.toString(logits.shape()) + " and " + java.util.Arrays.toString(targets.shape()));
        Tensor t = targets.to(DType.INT64);
        Tensor both = Tensor.cat(java.util.List.of(t, t), 1); // [b, 4, T]: the reference scores the same answers
        Tensor counted = both.ne(-100.0);
        Tensor safe = Tensor.where(counted, both, Tensor.zerosLike(both));
        Tensor picked = logits.logSoftmax(3).gather(3, safe.unsqueeze(3)).squeeze(3); // [b, 4, T]
        Tensor sums = Tensor.where(counted, picked, Tensor.zerosLike(picked)).sum(2); // [b, 4]
        return new Tensor[]{sums.select(1, 0), sums.select(1, 1), sums.select(1, 2), sums.select(1, 3)};
    }
}
