package dev.ember.train;

/**
 * Training produced a non-finite loss or non-finite parameters: the message names the step and epoch
 * (as the run log counts them: steps from 1, epochs from 1 in the text, {@link #epoch()} from 0) and
 * what to try. The step that produced it was not applied.
 */
public final class TrainingDivergedException extends RuntimeException {
    private final long step;
    private final int epoch;

    /** A divergence at global step {@code step} (1-based) of epoch {@code epoch} (0-based). */
    public TrainingDivergedException(String message, long step, int epoch) {
        super(message);
        this.step = step;
        this.epoch = epoch;
    }

    /** The global step (1-based, as in the run log) at which it was detected. */
    public long step() { return step; }

    /** The epoch (0-based, as in the run log) in which it was detected. */
    public int epoch() { return epoch; }
}
