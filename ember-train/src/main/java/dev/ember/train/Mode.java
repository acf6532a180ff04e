package dev.ember.train;

/** Whether a monitored value improves by going down (a loss) or up (an accuracy). */
public enum Mode {
    MIN, MAX;

    /** True if {@code value} beats {@code best} by more than {@code minDelta}. */
    public boolean improves(double value, double best, double minDelta) {
        if (Double.isNaN(best)) return !Double.isNaN(value);
        return this == MIN ? value < best - minDelta : value > best + minDelta;
    }
}
