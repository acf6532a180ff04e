package dev.ember.train;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.nn.Module;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Stops training when {@code monitor} (e.g. {@code "val_loss"}, {@code "val_accuracy"}) has not
 * improved by more than {@code minDelta} for {@code patience} epochs; with {@code restoreBest}
 * the model gets the weights of its best epoch back when training ends.
 */
public final class EarlyStopping implements Callback {
    private final String monitor;
    private final Mode mode;
    private final int patience;
    private final double minDelta;
    private final boolean restoreBest;
    private double best = Double.NaN;
    private int bestEpoch = -1, wait;
    private Map<String, Tensor> bestWeights;

    /** A {@code EarlyStopping} with the given {@code monitor}, {@code mode}, {@code patience}, {@code minDelta}, {@code restoreBest}. */
    public EarlyStopping(String monitor, Mode mode, int patience, double minDelta, boolean restoreBest) {
        if (patience < 0) throw new IllegalArgumentException("EarlyStopping: patience must be >= 0, got " + patience);
        this.monitor = monitor;
        this.mode = mode;
        this.patience = patience;
        this.minDelta = minDelta;
        this.restoreBest = restoreBest;
    }

    /** The best value seen so far (NaN before the first epoch). */
    public double best() { return best; }

    /** The epoch of {@link #best()}, or -1. */
    public int bestEpoch() { return bestEpoch; }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult r) {
        double v = r.value(monitor);
        if (mode.improves(v, best, minDelta)) {
            best = v;
            bestEpoch = r.epoch();
            wait = 0;
            if (restoreBest) {
                bestWeights = new HashMap<>();
                trainer.model().stateDict().forEach((k, t) -> bestWeights.put(k, t.clone()));
            }
        } else if (++wait >= patience) {
            trainer.requestStop("early stopping: " + monitor + " has not improved for " + wait + " epochs (best " + String.format("%.4f", best)
                    + " at epoch " + (bestEpoch + 1) + ")");
        }
    }

    @Override
    public void onTrainEnd(Trainer trainer) {
        if (restoreBest && bestWeights != null) trainer.model().loadStateDict(bestWeights);
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("best", Tensor.scalar(best, DType.FLOAT64));
        s.put("best_epoch", Tensor.scalar(bestEpoch, DType.INT64));
        s.put("wait", Tensor.scalar(wait, DType.INT64));
        if (bestWeights != null) bestWeights.forEach((k, t) -> s.put("weights." + k, t));
        return s;
    }

    @Override
    public void loadStateDict(Map<String, Tensor> s) { stage(null, s).run(); }

    /** Checks the state, and the best weights against the trainer's model, before anything changes. */
    @Override
    public Runnable stageLoadStateDict(Trainer trainer, Map<String, Tensor> s) { return stage(trainer.model(), s); }

    private Runnable stage(Module model, Map<String, Tensor> s) {
        String op = "EarlyStopping.loadStateDict";
        StateChecks.onlyKeys(op, s, Set.of("best", "best_epoch", "wait"), "weights.");
        double b = StateChecks.number(op, s, "best", true);
        int epoch = (int) StateChecks.integer(op, s, "best_epoch", -1);
        int waited = (int) StateChecks.integer(op, s, "wait", 0);
        Map<String, Tensor> w = new HashMap<>();
        s.forEach((k, t) -> { if (k.startsWith("weights.")) w.put(k.substring("weights.".length()), t.clone()); });
        if (model != null && !w.isEmpty()) {
            try {
                model.stageLoadStateDict(w, true); // only the check: the weights are restored at the end of training
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(op + ": the best weights do not fit the model: " + ex.getMessage(), ex);
            }
        }
        return () -> {
            best = b;
            bestEpoch = epoch;
            wait = waited;
            bestWeights = w.isEmpty() ? null : w;
        };
    }
}
