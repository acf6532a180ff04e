package dev.ember.optim;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Dynamic loss scaling for FLOAT16 training, as {@code torch.amp.GradScaler}: gradients too small for
 * FLOAT16 (below about 6e-8) would flush to zero in a FLOAT16 backward pass, so the loss is multiplied by a
 * large scale before {@code backward()} and the gradients divided by it before the optimizer step. A step
 * whose gradients hold an infinity or NaN (the scale was too large) is skipped and the scale halved; after
 * {@code growthInterval} steps without one the scale doubles. BFLOAT16 has float32's range and needs none.
 *
 * <pre>{@code
 * GradScaler scaler = new GradScaler();
 * for (...) {
 *     opt.zeroGrad();
 *     Tensor loss;
 *     try (var ac = Ember.autocast(DType.FLOAT16)) { loss = F.crossEntropy(model.forward(x), y); }
 *     scaler.scale(loss).backward();
 *     scaler.step(opt);      // unscales, then steps unless a gradient is not finite
 *     scaler.update();       // adjusts the scale
 * }
 * }</pre>
 *
 * <p>The parameters must be float32 master weights (autocast casts them per op): as in PyTorch, FLOAT16
 * gradients are refused, because unscaling them in FLOAT16 would lose what scaling saved. The scale and
 * growth counter are part of a checkpoint through {@link #stateDict()} (PyTorch's keys).
 */
public final class GradScaler {
    private final double growthFactor, backoffFactor;
    private final int growthInterval;
    private final boolean enabled;
    private double scale;
    private int growthTracker;
    /** Optimizers unscaled since the last {@link #update}, and whether each found a non-finite gradient. */
    private final Map<Optimizer, Boolean> unscaled = new IdentityHashMap<>();

    /** PyTorch's defaults: scale 2^16, growth 2 every 2000 finite steps, backoff 0.5. */
    public GradScaler() { this(65536.0, 2.0, 0.5, 2000, true); }

    /**
     * A scaler starting at {@code initScale}, multiplied by {@code growthFactor} (> 1) after
     * {@code growthInterval} steps with finite gradients and by {@code backoffFactor} (in (0, 1)) after a step
     * with a non-finite one; when not {@code enabled}, every method passes through (scale and step unchanged).
     */
    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval, boolean enabled) {
        if (!(initScale > 0 && initScale < Double.POSITIVE_INFINITY))
            throw new IllegalArgumentException("GradScaler: initScale must be a finite number > 0, got " + initScale);
        if (!(growthFactor > 1 && growthFactor < Double.POSITIVE_INFINITY))
            throw new IllegalArgumentException("GradScaler: growthFactor must be a finite number > 1, got " + growthFactor);
        if (!(backoffFactor > 0 && backoffFactor < 1))
            throw new IllegalArgumentException("GradScaler: backoffFactor must be in (0, 1), got " + backoffFactor);
        if (growthInterval < 1) throw new IllegalArgumentException("GradScaler: growthInterval must be >= 1, got " + growthInterval);
        this.scale = initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
        this.enabled = enabled;
    }

    /** The current scale (1 when disabled). */
    public double getScale() { return enabled ? scale : 1; }

    /** Whether this scaler scales. */
    public boolean isEnabled() { return enabled; }

    /** {@code loss} times the scale, to call {@code backward()} on. */
    public Tensor scale(Tensor loss) { return enabled ? loss.mul(scale) : loss; }

    /**
     * Divides the gradients of {@code optimizer}'s parameters by the scale in place and records whether any
     * is infinite or NaN; call it before clipping gradients. At most once per optimizer between updates.
     */
    public void unscale(Optimizer optimizer) {
        if (!enabled) return;
        if (unscaled.containsKey(optimizer))
            throw new IllegalStateException("GradScaler.unscale: already called on this optimizer since the last update()");
        boolean found = false;
        try (var ignored = Ember.noGrad()) {
            double inverse = 1 / scale;
            for (ParamGroup g : optimizer.paramGroups())
                for (Tensor p : g.params()) {
                    Tensor grad = p.grad();
                    if (grad == null) continue;
                    if (grad.dtype() == DType.FLOAT16)
                        throw new IllegalArgumentException("GradScaler.unscale: a parameter of shape " + java.util.Arrays.toString(p.shape())
                                + " has a FLOAT16 gradient; keep parameters in float32 and run the forward under Ember.autocast(DType.FLOAT16)");
                    // max propagates NaN and infinities: one host read per gradient
                    if (grad.numel() > 0 && !Double.isFinite(grad.abs().max().item())) found = true;
                    grad.mulInPlace(inverse);
                }
        }
        unscaled.put(optimizer, found);
    }

    /**
     * Unscales {@code optimizer}'s gradients (unless {@link #unscale} already did) and runs its step, unless a
     * gradient was infinite or NaN; returns whether the step ran.
     */
    public boolean step(Optimizer optimizer) {
        if (!enabled) {
            optimizer.step();
            return true;
        }
        if (!unscaled.containsKey(optimizer)) unscale(optimizer);
        if (unscaled.get(optimizer)) return false;
        optimizer.step();
        return true;
    }

    /**
     * Adjusts the scale after the iteration's steps: backs off if any optimizer unscaled since the last
     * update found a non-finite gradient, else counts a good step and grows the scale every
     * {@code growthInterval} of them.
     */
    public void update() {
        if (!enabled) return;
        if (unscaled.isEmpty())
            throw new IllegalStateException("GradScaler.update: no optimizer was stepped (or unscaled) since the last update");
        if (unscaled.containsValue(true)) {
            scale *= backoffFactor;
            growthTracker = 0;
        } else if (++growthTracker == growthInterval) {
            scale *= growthFactor;
            growthTracker = 0;
        }
        unscaled.clear();
    }

    /** Sets the scale directly (PyTorch's {@code update(new_scale)}), for a schedule of one's own. */
    public void update(double newScale) {
        if (!(newScale > 0 && newScale < Double.POSITIVE_INFINITY))
            throw new IllegalArgumentException("GradScaler.update: the scale must be a finite number > 0, got " + newScale);
        scale = newScale;
        unscaled.clear();
    }

    /** The state as PyTorch's {@code GradScaler.state_dict()}: scale, factors, interval and growth counter, as 0-d tensors. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("scale", Tensor.scalar(scale, DType.FLOAT64));
        out.put("growth_factor", Tensor.scalar(growthFactor, DType.FLOAT64));
        out.put("backoff_factor", Tensor.scalar(backoffFactor, DType.FLOAT64));
        out.put("growth_interval", Tensor.scalar(growthInterval, DType.INT64));
        out.put("_growth_tracker", Tensor.scalar(growthTracker, DType.INT64));
        return out;
    }

    /**
     * Restores the scale and growth counter of {@link #stateDict()}; the factors and interval must be this
     * scaler's (they are its configuration). All or nothing: on error the scaler is unchanged.
     */
    public void loadStateDict(Map<String, Tensor> state) { stageLoadStateDict(state).run(); }

    /** Checks {@code state} as {@link #loadStateDict} does; returns the action that installs it. */
    public Runnable stageLoadStateDict(Map<String, Tensor> state) {
        String op = "GradScaler.loadStateDict";
        if (!state.keySet().equals(stateDict().keySet()))
            throw new IllegalArgumentException(op + ": expected the keys " + new TreeSet<>(stateDict().keySet()) + ", got " + new TreeSet<>(state.keySet()));
        double s = one(op, state, "scale");
        if (!(s > 0 && s < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException(op + ": 'scale' must be a finite number > 0, got " + s);
        same(op, "growth_factor", one(op, state, "growth_factor"), growthFactor);
        same(op, "backoff_factor", one(op, state, "backoff_factor"), backoffFactor);
        same(op, "growth_interval", one(op, state, "growth_interval"), growthInterval);
        double tracker = one(op, state, "_growth_tracker");
        if (!(tracker >= 0 && tracker < growthInterval && tracker == Math.rint(tracker)))
            throw new IllegalArgumentException(op + ": '_growth_tracker' must be an integer in [0, " + growthInterval + "), got " + tracker);
        return () -> {
            scale = s;
            growthTracker = (int) tracker;
            unscaled.clear();
        };
    }

    private static double one(String op, Map<String, Tensor> state, String key) {
        Tensor t = state.get(key);
        if (t.numel() != 1) throw new IllegalArgumentException(op + ": '" + key + "' must hold one value, got shape " + java.util.Arrays.toString(t.shape()));
        return t.item();
    }

    private static void same(String op, String key, double saved, double mine) {
        if (saved != mine)
            throw new IllegalArgumentException(op + ": '" + key + "' is " + saved + " in the state but " + mine + " in this scaler");
    }
}
