package dev.ember.optim;

import dev.ember.Fused;
import dev.ember.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay, as
 * {@code torch.optim.SGD}: {@code d = g + wd p; b = momentum b + (1 - dampening) d;
 * p -= lr (nesterov ? d + momentum b : b)}. One fused kernel per parameter.
 */
public final class SGD extends Optimizer {
    /** Plain SGD with learning rate {@code lr}. */
    public SGD(List<Tensor> params, double lr) { this(builder(lr), params); }

    /** SGD with momentum. */
    public SGD(List<Tensor> params, double lr, double momentum) { this(builder(lr).momentum(momentum), params); }

    private SGD(Builder b, List<Tensor> params) { super(params, b.defaults()); }

    private SGD(Builder b, List<ParamGroup> groups, boolean grouped) { super(groups, b.defaults(), true); }

    /** Options with learning rate {@code lr} and PyTorch's other defaults. */
    public static Builder builder(double lr) { return new Builder(lr); }

    @Override
    protected void update(Tensor p, Tensor g, ParamGroup group, Map<String, Tensor> state) {
        double momentum = group.get("momentum");
        Tensor buf = null;
        boolean first = false;
        if (momentum != 0) {
            buf = state.get("momentum_buffer");
            if (buf == null) {
                buf = zerosLike(p);
                state.put("momentum_buffer", buf);
                first = true;
            }
        }
        Fused.sgdStep(p, g, buf, group.lr(), momentum, group.get("dampening"), group.get("weight_decay"), group.get("nesterov") != 0, first);
    }

    @Override
    protected Set<String> stateNames(Map<String, Double> options) {
        return options.get("momentum") != 0 ? Set.of("momentum_buffer") : Set.of();
    }

    /** Options of {@link SGD}; defaults as PyTorch (all zero, no Nesterov). Each value is checked when set. */
    public static final class Builder {
        private final double lr;
        private double momentum, dampening, weightDecay;
        private boolean nesterov;

        private Builder(double lr) {
            Hyperparameters.check("SGD", "lr", lr);
            this.lr = lr;
        }

        /** Sets {@code momentum} (PyTorch's {@code momentum}; >= 0). */
        public Builder momentum(double momentum) {
            Hyperparameters.check("SGD", "momentum", momentum);
            this.momentum = momentum;
            return this;
        }

        /** Sets {@code dampening} (PyTorch's {@code dampening}; >= 0). */
        public Builder dampening(double dampening) {
            Hyperparameters.check("SGD", "dampening", dampening);
            this.dampening = dampening;
            return this;
        }

        /** Sets {@code weightDecay} (PyTorch's {@code weight_decay}; >= 0). */
        public Builder weightDecay(double weightDecay) {
            Hyperparameters.check("SGD", "weight_decay", weightDecay);
            this.weightDecay = weightDecay;
            return this;
        }

        /** Sets {@code nesterov} (PyTorch's {@code nesterov}). */
        public Builder nesterov(boolean nesterov) { this.nesterov = nesterov; return this; }

        Map<String, Double> defaults() {
            if (nesterov && (momentum <= 0 || dampening != 0))
                throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening");
            return Map.of("lr", lr, "momentum", momentum, "dampening", dampening, "weight_decay", weightDecay, "nesterov", nesterov ? 1.0 : 0.0);
        }

        /** The configured {@code SGD}. */
        public SGD build(List<Tensor> params) { return new SGD(this, params); }

        /** An optimizer over several parameter groups. */
        public SGD buildGroups(List<ParamGroup> groups) { return new SGD(this, groups, true); }
    }
}
