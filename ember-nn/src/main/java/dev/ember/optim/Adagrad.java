package dev.ember.optim;

import dev.ember.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adagrad, as {@code torch.optim.Adagrad} (defaults lr 1e-2, lr_decay 0, weight decay 0,
 * initial accumulator 0, eps 1e-10): {@code sum += g^2}, {@code p -= lr / (1 + (t - 1) lr_decay) * g / (sqrt(sum) + eps)}.
 */
public final class Adagrad extends Optimizer {
    /** A {@code Adagrad} with the given {@code params}, {@code lr}. */
    public Adagrad(List<Tensor> params, double lr) { this(builder(lr), params); }

    private Adagrad(Builder b, List<Tensor> params) { super(params, b.defaults()); }

    private Adagrad(Builder b, List<ParamGroup> groups, boolean grouped) { super(groups, b.defaults(), true); }

    /** Options with learning rate {@code lr} and PyTorch's other defaults. */
    public static Builder builder(double lr) { return new Builder(lr); }

    @Override
    protected void update(Tensor p, Tensor grad, ParamGroup group, Map<String, Tensor> state) {
        double wd = group.get("weight_decay"), eps = group.get("eps");
        Tensor sum = state.computeIfAbsent("sum", k -> Tensor.fullLike(p, group.get("initial_accumulator_value")));
        long step = incrementStep(state, p);
        Tensor g = wd == 0 ? grad : grad.add(p, wd);
        double clr = group.lr() / (1 + (step - 1) * group.get("lr_decay"));
        sum.addInPlace(g.square());
        p.addInPlace(g.div(sum.sqrt().add(eps)), -clr);
    }

    @Override
    protected Set<String> stateNames(Map<String, Double> options) { return Set.of("step", "sum"); }

    /** Options of {@link Adagrad}; each value is checked when set. */
    public static final class Builder {
        private final double lr;
        private double lrDecay, weightDecay, initialAccumulatorValue, eps = 1e-10;

        private Builder(double lr) {
            Hyperparameters.check("Adagrad", "lr", lr);
            this.lr = lr;
        }

        /** Sets {@code lrDecay} (PyTorch's {@code lr_decay}; >= 0). */
        public Builder lrDecay(double lrDecay) {
            Hyperparameters.check("Adagrad", "lr_decay", lrDecay);
            this.lrDecay = lrDecay;
            return this;
        }

        /** Sets {@code weightDecay} (PyTorch's {@code weight_decay}; >= 0). */
        public Builder weightDecay(double weightDecay) {
            Hyperparameters.check("Adagrad", "weight_decay", weightDecay);
            this.weightDecay = weightDecay;
            return this;
        }

        /** Sets {@code initialAccumulatorValue} (PyTorch's {@code initial_accumulator_value}; >= 0). */
        public Builder initialAccumulatorValue(double v) {
            Hyperparameters.check("Adagrad", "initial_accumulator_value", v);
            this.initialAccumulatorValue = v;
            return this;
        }

        /** Sets {@code eps} (PyTorch's {@code eps}; >= 0). */
        public Builder eps(double eps) {
            Hyperparameters.check("Adagrad", "eps", eps);
            this.eps = eps;
            return this;
        }

        /** The configured {@code Adagrad}. */
        public Adagrad build(List<Tensor> params) { return new Adagrad(this, params); }

        /** An optimizer over several parameter groups; each group's options override these. */
        public Adagrad buildGroups(List<ParamGroup> groups) { return new Adagrad(this, groups, true); }

        Map<String, Double> defaults() {
            return Map.of("lr", lr, "lr_decay", lrDecay, "weight_decay", weightDecay, "initial_accumulator_value", initialAccumulatorValue, "eps", eps);
        }
    }
}
