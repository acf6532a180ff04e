package dev.ember.train;

/**
 * What the {@link Trainer} does when a batch's loss is NaN or infinite. Either way such a batch never
 * reaches the optimizer, and parameters that became non-finite stop training at the epoch's end, so a
 * diverged model is never checkpointed.
 */
public enum NonFiniteLoss {
    /** Stop training with a {@link TrainingDivergedException} naming the step (the default). */
    STOP,
    /**
     * Skip the batch: no optimizer step for it, nor for a batch whose gradients are non-finite (as
     * PyTorch's {@code GradScaler} skips steps). Training stops only if every batch of an epoch is skipped.
     */
    SKIP
}
