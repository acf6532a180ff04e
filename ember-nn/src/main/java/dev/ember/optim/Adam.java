package dev.ember.optim;

import dev.ember.Fused;
import dev.ember.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adam, as {@code torch.optim.Adam} (defaults lr 1e-3, betas (0.9, 0.999), eps 1e-8, L2 weight
 * decay 0), and with {@code decoupled} weight decay AdamW ({@link AdamW}). One fused kernel per
 * parameter; state: step, exp_avg, exp_avg_sq.
 */
public class Adam extends Optimizer {
    private final boolean decoupled;

    /** A {@code Adam} with the given {@code params}. */
    public Adam(List<Tensor> params) { this(params, 1e-3); }

    /** A {@code Adam} with the given {@code params}, {@code lr}. */
    public Adam(List<Tensor> params, double lr) { this(builder(lr), params, false); }

    Adam(Builder b, List<Tensor> params, boolean decoupled) {
        super(params, b.defaults());
        this.decoupled = decoupled;
    }

    Adam(Builder b, List<ParamGroup> groups, boolean decoupled, boolean grouped) {
        super(groups, b.defaults(), true);
        this.decoupled = decoupled;
    }

    /** Options with learning rate {@code lr} and PyTorch's other defaults. */
    public static Builder builder(double lr) { return new Builder(lr, 0, "Adam"); }

    @Override
    protected void update(Tensor p, Tensor g, ParamGroup group, Map<String, Tensor> state) {
        Tensor m = state.computeIfAbsent("exp_avg", k -> zerosLike(p));
        Tensor v = state.computeIfAbsent("exp_avg_sq", k -> zerosLike(p));
        long step = incrementStep(state, p);
        Fused.adamStep(p, g, m, v, group.lr(), group.get("beta1"), group.get("beta2"), group.get("eps"), group.get("weight_decay"), decoupled, step);
    }

    @Override
    protected Set<String> stateNames(Map<String, Double> options) { return Set.of("step", "exp_avg", "exp_avg_sq"); }

    /** Options of {@link Adam} and {@link AdamW}; each value is checked when set. */
    public static final class Builder {
        private final String owner;
        private final double lr;
        private double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay;

        Builder(double lr, double weightDecay, String owner) {
            Hyperparameters.check(owner, "lr", lr);
            this.owner = owner;
            this.lr = lr;
            this.weightDecay = weightDecay;
        }

        /** Sets {@code betas} (PyTorch's {@code betas}; each in [0, 1)). */
        public Builder betas(double beta1, double beta2) {
            Hyperparameters.check(owner, "beta1", beta1);
            Hyperparameters.check(owner, "beta2", beta2);
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /** Sets {@code eps} (PyTorch's {@code eps}; >= 0). */
        public Builder eps(double eps) {
            Hyperparameters.check(owner, "eps", eps);
            this.eps = eps;
            return this;
        }

        /** Sets {@code weightDecay} (PyTorch's {@code weight_decay}; >= 0). */
        public Builder weightDecay(double weightDecay) {
            Hyperparameters.check(owner, "weight_decay", weightDecay);
            this.weightDecay = weightDecay;
            return this;
        }

        Map<String, Double> defaults() { return Map.of("lr", lr, "beta1", beta1, "beta2", beta2, "eps", eps, "weight_decay", weightDecay); }

        /** Adam with L2 weight decay added to the gradient. */
        public Adam build(List<Tensor> params) { return new Adam(this, params, false); }

        /** AdamW: weight decay applied to the weights directly. */
        public AdamW buildW(List<Tensor> params) { return new AdamW(this, params); }

        /** AdamW over several parameter groups. */
        public AdamW buildWGroups(List<ParamGroup> groups) { return new AdamW(this, groups, true); }

        /** The configured {@code Adam}. */
        public Adam buildGroups(List<ParamGroup> groups) { return new Adam(this, groups, false, true); }
    }
}
