package dev.ember.optim;

import dev.ember.DType;
import dev.ember.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A learning-rate schedule over an optimizer's groups, as {@code torch.optim.lr_scheduler}:
 * created at epoch 0 with each group's initial lr as its base, and advanced by {@link #step()}
 * (once per epoch, or per batch for warm-up schedules) after the optimizer's step.
 */
public abstract class LRScheduler {
    protected final Optimizer optimizer;
    protected final double[] baseLrs;
    protected int lastEpoch;

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
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

    /** Restores a state from {@link #stateDict()}. */
    public void loadStateDict(Map<String, Tensor> state) {
        Tensor e = state.get("last_epoch");
        if (e == null) throw new IllegalArgumentException(getClass().getSimpleName() + ".loadStateDict: missing 'last_epoch'");
        lastEpoch = (int) e.itemLong();
    }
}
