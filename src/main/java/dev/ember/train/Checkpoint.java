package dev.ember.train;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.io.SafeTensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves the whole training state (model, optimizer, scheduler, random generators, epoch and
 * callbacks) as safetensors: to {@code last.safetensors} every {@code everyEpochs} epochs and to
 * {@code best.safetensors} whenever {@code monitor} improves. Each write goes to a temporary file
 * that is renamed over the old one. {@link Trainer#resume(Path)} continues from either file.
 * The trainer runs checkpoints after every other callback, so their state is current.
 */
public final class Checkpoint implements Callback {
    private final Path dir;
    private final int everyEpochs;
    private final String monitor;
    private final Mode mode;
    private double best = Double.NaN;

    /** Saves every {@code everyEpochs} epochs and the best by {@code monitor} (null: no best file). */
    public Checkpoint(Path dir, int everyEpochs, String monitor, Mode mode) {
        if (everyEpochs <= 0) throw new IllegalArgumentException("Checkpoint: everyEpochs must be positive, got " + everyEpochs);
        this.dir = dir;
        this.everyEpochs = everyEpochs;
        this.monitor = monitor;
        this.mode = mode;
    }

    /** The file written every {@code everyEpochs} epochs. */
    public Path lastPath() { return dir.resolve("last.safetensors"); }

    /** The file written when the monitored value improves. */
    public Path bestPath() { return dir.resolve("best.safetensors"); }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult r) {
        if (!trainer.isLeadRank()) return; // in a distributed run rank 0 writes; every rank resumes from its file
        boolean improved = monitor != null && mode.improves(r.value(monitor), best, 0);
        if (improved) best = r.value(monitor);
        if (improved) SafeTensors.write(bestPath(), trainer.checkpointState(), Map.of("format", "ember-checkpoint", "epoch", Integer.toString(r.epoch())));
        if ((r.epoch() + 1) % everyEpochs == 0)
            SafeTensors.write(lastPath(), trainer.checkpointState(), Map.of("format", "ember-checkpoint", "epoch", Integer.toString(r.epoch())));
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("best", Tensor.scalar(best, DType.FLOAT64));
        return s;
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) { best = state.get("best").item(); }
}
