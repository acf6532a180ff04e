package dev.ember.optim;

import dev.ember.Tensor;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RMSprop, as {@code torch.optim.RMSprop} (defaults lr 1e-2, alpha 0.99, eps 1e-8, no weight
 * decay, momentum or centering): {@code s = alpha s + (1 - alpha) g^2}, {@code p -= lr g / (sqrt(s) + eps)},
 * with the centred and momentum variants. State: square_avg, grad_avg, momentum_buffer.
 */
public final class RMSprop extends Optimizer {
    /** A {@code RMSprop} with the given {@code params}, {@code lr}. */
    public RMSprop(List<Tensor> params, double lr) { this(builder(lr), params); }

    private RMSprop(Builder b, List<Tensor> params) { super(params, b.defaults()); }

    private RMSprop(Builder b, List<ParamGroup> groups, boolean grouped) { super(groups, b.defaults(), true); }

    /** Options with learning rate {@code lr} and PyTorch's other defaults. */
    public static Builder builder(double lr) { return new Builder(lr); }

    @Override
    protected void update(Tensor p, Tensor grad, ParamGroup group, Map<String, Tensor> state) {
        double alpha = group.get("alpha"), eps = group.get("eps"), wd = group.get("weight_decay"), momentum = group.get("momentum");
        incrementStep(state, p);
        Tensor g = wd == 0 ? grad : grad.add(p, wd);
        Tensor sq = state.computeIfAbsent("square_avg", k -> zerosLike(p));
        sq.mulInPlace(alpha).addInPlace(g.square(), 1 - alpha);
        Tensor avg;
        if (group.get("centered") != 0) {
            Tensor ga = state.computeIfAbsent("grad_avg", k -> zerosLike(p));
            ga.mulInPlace(alpha).addInPlace(g, 1 - alpha);
            avg = sq.sub(ga.square()).sqrt().add(eps);
        } else {
            avg = sq.sqrt().add(eps);
        }
        if (momentum > 0) {
            Tensor buf = state.computeIfAbsent("momentum_buffer", k -> zerosLike(p));
            buf.mulInPlace(momentum).addInPlace(g.div(avg));
            p.addInPlace(buf, -group.lr());
        } else {
            p.addInPlace(g.div(avg), -group.lr());
        }
    }

    @Override
    protected Set<String> stateNames(Map<String, Double> options) {
        Set<String> names = new HashSet<>(Set.of("step", "square_avg"));
        if (options.get("centered") != 0) names.add("grad_avg");
        if (options.get("momentum") > 0) names.add("momentum_buffer");
        return names;
    }

    /** Options of {@link RMSprop}; each value is checked when set. */
    public static final class Builder {
        private final double lr;
        private double alpha = 0.99, eps = 1e-8, weightDecay, momentum;
        private boolean centered;

        private Builder(double lr) {
            Hyperparameters.check("RMSprop", "lr", lr);
            this.lr = lr;
        }

        /** Sets {@code alpha} (PyTorch's {@code alpha}; in [0, 1]). */
        public Builder alpha(double alpha) {
            Hyperparameters.check("RMSprop", "alpha", alpha);
            this.alpha = alpha;
            return this;
        }

        /** Sets {@code eps} (PyTorch's {@code eps}; >= 0). */
        public Builder eps(double eps) {
            Hyperparameters.check("RMSprop", "eps", eps);
            this.eps = eps;
            return this;
        }

        /** Sets {@code weightDecay} (PyTorch's {@code weight_decay}; >= 0). */
        public Builder weightDecay(double weightDecay) {
            Hyperparameters.check("RMSprop", "weight_decay", weightDecay);
            this.weightDecay = weightDecay;
            return this;
        }

        /** Sets {@code momentum} (PyTorch's {@code momentum}; >= 0). */
        public Builder momentum(double momentum) {
            Hyperparameters.check("RMSprop", "momentum", momentum);
            this.momentum = momentum;
            return this;
        }

        /** Sets {@code centered} (PyTorch's {@code centered}). */
        public Builder centered(boolean centered) { this.centered = centered; return this; }

        /** The configured {@code RMSprop}. */
        public RMSprop build(List<Tensor> params) { return new RMSprop(this, params); }

        /** An optimizer over several parameter groups; each group's options override these. */
        public RMSprop buildGroups(List<ParamGroup> groups) { return new RMSprop(this, groups, true); }

        Map<String, Double> defaults() {
            return Map.of("lr", lr, "alpha", alpha, "eps", eps, "weight_decay", weightDecay, "momentum", momentum, "centered", centered ? 1.0 : 0.0);
        }
    }
}
