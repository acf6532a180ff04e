package dev.ember.train;

import dev.ember.Tensor;
import java.util.Map;

/**
 * Hooks into a {@link Trainer}'s loop. A callback that keeps state across epochs (patience
 * counters, best values) exposes it through {@link #stateDict()} so that checkpoints resume it.
 */
public interface Callback {
    /** Before the first epoch of {@link Trainer#fit}. */
    default void onTrainBegin(Trainer trainer) {}

    /** After each epoch's validation; may call {@link Trainer#requestStop(String)}. */
    default void onEpochEnd(Trainer trainer, EpochResult result) {}

    /** After the last epoch (also when stopped early). */
    default void onTrainEnd(Trainer trainer) {}

    /** State to checkpoint (small tensors), empty by default. */
    default Map<String, Tensor> stateDict() { return Map.of(); }

    /** Restores {@link #stateDict()}. */
    default void loadStateDict(Map<String, Tensor> state) {}

    /**
     * Checks {@code state} for {@code trainer} without changing this callback and returns the action that
     * installs it; {@link Trainer#resume} stages every part of a checkpoint before it changes anything.
     * The default checks nothing and installs with {@link #loadStateDict}; a callback with state should
     * override it so that a bad checkpoint is refused before the model is touched.
     */
    default Runnable stageLoadStateDict(Trainer trainer, Map<String, Tensor> state) { return () -> loadStateDict(state); }
}
