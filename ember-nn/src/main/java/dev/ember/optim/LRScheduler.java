package dev.ember.optim;

import dev.ember.DType;
import dev.ember.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A learning-rate schedule over an optimizer's groups, as {@code torch.optim.lr_scheduler}:
 * created at epoch 0 with each group's initial lr as its base, and advanced by {@link #step()}
 * (once per epoch, or per batch for warm-up schedules) after the optimizer's step. Subclasses check
 * their arguments before this constructor runs, so a rejected schedule leaves the optimizer untouched.
 */
public abstract class LRScheduler {
    protected final Optimizer optimizer;
    protected final double[] baseLrs;
    protected int lastEpoch;

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = Objects.requireNonNull(optimizer, "LRScheduler: optimizer is null");
        List<ParamGroup> groups = optimizer.paramGroups();
        baseLrs = new double[groups.size()];
        for (int i = 0; i < baseLrs.length; i++) {
            ParamGroup g = groups.get(i);
            if (!g.options().containsKey("initial_lr")) g.set("initial_lr", g.lr());
            baseLrs[i] = g.get("initial_lr");
        }
        lastEpoch = 0;
    }

    /** The lr of group {@code group} at {@link #lastEpoch()} given its current lr. */
    protected abstract double lrAt(int group, double currentLr);

    /** Advances one epoch (or step) and sets each group's lr. */
    public void step() {
        lastEpoch++;
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) groups.get(i).setLr(lrAt(i, groups.get(i).lr()));
    }

    /** The optimizer whose groups' lr this schedule sets. */
    public Optimizer optimizer() { return optimizer; }

    /** The number of steps taken. */
    public int lastEpoch() { return lastEpoch; }

    /** The current lr of each group. */
    public double[] lastLr() { return optimizer.paramGroups().stream().mapToDouble(ParamGroup::lr).toArray(); }

    /** The schedule's position ({@code last_epoch}, 0-d INT64) and any extra state of a subclass. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("last_epoch", Tensor.scalar(lastEpoch, DType.INT64));
        return out;
    }

    /** Restores a state from {@link #stateDict()}; all or nothing (see {@link #stageLoadStateDict}). */
    public final void loadStateDict(Map<String, Tensor> state) { stageLoadStateDict(state).run(); }

    /**
     * Checks {@code state} (exactly the keys of {@link #stateDict()}, each one valid) without changing this
     * schedule and returns the action that installs it, which cannot fail. Subclasses with more state
     * override this, check their part, and combine their action with this one's.
     */
    public Runnable stageLoadStateDict(Map<String, Tensor> state) {
        String op = getClass().getSimpleName() + ".loadStateDict";
        if (!state.keySet().equals(stateDict().keySet()))
            throw new IllegalArgumentException(op + ": expected the keys " + new TreeSet<>(stateDict().keySet()) + ", got "
                    + new TreeSet<>(state.keySet()));
        int epoch = count(op, state, "last_epoch");
        return () -> lastEpoch = epoch;
    }

    /** A 0-d integer entry {@code >= 0} of a state dict. */
    protected static int count(String op, Map<String, Tensor> state, String key) {
        Tensor t = state.get(key);
        if (t == null) throw new IllegalArgumentException(op + ": missing '" + key + "'");
        if (t.numel() != 1 || !t.dtype().isIntegral())
            throw new IllegalArgumentException(op + ": '" + key + "' must be one integer, got " + t.dtype() + " " + java.util.Arrays.toString(t.shape()));
        long v = t.itemLong();
        if (v < 0 || v > Integer.MAX_VALUE) throw new IllegalArgumentException(op + ": '" + key + "' is " + v + "; expected a count >= 0");
        return (int) v;
    }

    /** Throws unless {@code value} is finite and {@code > 0} (a multiplicative factor such as gamma). */
    protected static double positive(String owner, String name, double value) {
        if (!(value > 0 && value < Double.POSITIVE_INFINITY))
            throw new IllegalArgumentException(owner + ": " + name + " must be a finite number > 0, got " + value);
        return value;
    }

    /** Throws unless {@code value} is finite and {@code >= 0} (a learning rate such as etaMin). */
    protected static double nonNegative(String owner, String name, double value) {
        if (!(value >= 0 && value < Double.POSITIVE_INFINITY))
            throw new IllegalArgumentException(owner + ": " + name + " must be a finite number >= 0, got " + value);
        return value;
    }
}
