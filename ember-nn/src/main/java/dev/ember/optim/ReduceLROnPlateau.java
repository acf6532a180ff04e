package dev.ember.optim;

import dev.ember.DType;
import dev.ember.Tensor;
import java.util.Map;

/**
 * Multiplies the lr by {@code factor} when a monitored value has not improved for
 * {@code patience} epochs, as {@code ReduceLROnPlateau} (defaults: mode min, factor 0.1,
 * patience 10, threshold 1e-4 relative, cooldown 0, minLr 0, eps 1e-8). Call {@link #step(double)}.
 */
public final class ReduceLROnPlateau extends LRScheduler {
    /** Whether a smaller or a larger value is better. */
    public enum Mode { MIN, MAX }

    private final Mode mode;
    private final double factor, threshold, minLr, eps;
    private final int patience, cooldown;
    private final boolean relative;
    private double best;
    private int badEpochs, cooldownLeft;

    private ReduceLROnPlateau(Builder b) {
        if (!(b.factor >= 0 && b.factor < 1)) throw new IllegalArgumentException("ReduceLROnPlateau: factor must be in [0, 1), got " + b.factor);
        if (b.patience < 0) throw new IllegalArgumentException("ReduceLROnPlateau: patience must be >= 0, got " + b.patience);
        if (b.cooldown < 0) throw new IllegalArgumentException("ReduceLROnPlateau: cooldown must be >= 0, got " + b.cooldown);
        nonNegative("ReduceLROnPlateau", "threshold", b.threshold);
        nonNegative("ReduceLROnPlateau", "minLr", b.minLr);
        nonNegative("ReduceLROnPlateau", "eps", b.eps);
        this.mode = java.util.Objects.requireNonNull(b.mode, "ReduceLROnPlateau: mode is null");
        this.factor = b.factor;
        this.patience = b.patience;
        this.threshold = b.threshold;
        this.relative = b.relative;
        this.cooldown = b.cooldown;
        this.minLr = b.minLr;
        this.eps = b.eps;
        this.best = b.mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        super(b.optimizer);
    }

    /** Options for {@code optimizer}, with PyTorch's defaults. */
    public static Builder builder(Optimizer optimizer) { return new Builder(optimizer); }

    /** Records this epoch's value of the monitored quantity and reduces the lr if it has plateaued. */
    public void step(double value) {
        lastEpoch++;
        if (isBetter(value)) {
            best = value;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badEpochs = 0;
        }
        if (badEpochs > patience) {
            for (ParamGroup g : optimizer.paramGroups()) {
                double next = Math.max(g.lr() * factor, minLr);
                if (g.lr() - next > eps) g.setLr(next);
            }
            cooldownLeft = cooldown;
            badEpochs = 0;
        }
    }

    private boolean isBetter(double a) {
        if (mode == Mode.MIN) return relative ? a < best * (1 - threshold) : a < best - threshold;
        return relative ? a > best * (1 + threshold) : a > best + threshold;
    }

    /** Not meaningful without a value; use {@link #step(double)}. */
    @Override
    public void step() { throw new UnsupportedOperationException("ReduceLROnPlateau: call step(value) with the monitored value"); }

    @Override
    protected double lrAt(int group, double currentLr) { return currentLr; }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = super.stateDict();
        out.put("best", Tensor.scalar(best, DType.FLOAT64));
        out.put("num_bad_epochs", Tensor.scalar(badEpochs, DType.INT64));
        out.put("cooldown_counter", Tensor.scalar(cooldownLeft, DType.INT64));
        return out;
    }

    @Override
    public Runnable stageLoadStateDict(Map<String, Tensor> state) {
        Runnable base = super.stageLoadStateDict(state);
        String op = "ReduceLROnPlateau.loadStateDict";
        Tensor b = state.get("best");
        if (b.numel() != 1 || !b.dtype().isFloatingPoint() || Double.isNaN(b.item()))
            throw new IllegalArgumentException(op + ": 'best' must be one number (infinite before the first step), got " + b);
        double bestValue = b.item();
        int bad = count(op, state, "num_bad_epochs"), cooldownCounter = count(op, state, "cooldown_counter");
        return () -> {
            base.run();
            best = bestValue;
            badEpochs = bad;
            cooldownLeft = cooldownCounter;
        };
    }

    /** Options of {@link ReduceLROnPlateau}. */
    public static final class Builder {
        private final Optimizer optimizer;
        private Mode mode = Mode.MIN;
        private double factor = 0.1, threshold = 1e-4, minLr = 0, eps = 1e-8;
        private int patience = 10, cooldown = 0;
        private boolean relative = true;

        private Builder(Optimizer optimizer) { this.optimizer = optimizer; }

        /** Sets {@code mode} (PyTorch's {@code mode}). */
        public Builder mode(Mode mode) { this.mode = mode; return this; }

        /** Sets {@code factor} (PyTorch's {@code factor}). */
        public Builder factor(double factor) { this.factor = factor; return this; }

        /** Sets {@code patience} (PyTorch's {@code patience}). */
        public Builder patience(int patience) { this.patience = patience; return this; }

        /** The improvement threshold; {@code relative} true is PyTorch's 'rel' mode, false 'abs'. */
        public Builder threshold(double threshold, boolean relative) { this.threshold = threshold; this.relative = relative; return this; }

        /** Sets {@code cooldown} (PyTorch's {@code cooldown}). */
        public Builder cooldown(int cooldown) { this.cooldown = cooldown; return this; }

        /** Sets {@code minLr} (PyTorch's {@code min_lr}). */
        public Builder minLr(double minLr) { this.minLr = minLr; return this; }

        /** Sets {@code eps} (PyTorch's {@code eps}). */
        public Builder eps(double eps) { this.eps = eps; return this; }

        /** The configured {@code ReduceLROnPlateau}. */
        public ReduceLROnPlateau build() { return new ReduceLROnPlateau(this); }
    }
}
