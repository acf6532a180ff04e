package dev.ember.data;

/**
 * A dataset whose examples depend on the epoch (random augmentation). {@link DataLoader}
 * calls {@link #setEpoch} before each pass, so augmentation differs from epoch to epoch yet is
 * reproducible and independent of the number of workers.
 */
public interface EpochAware {
    /** Sets the epoch about to be read, counted from 0. */
    void setEpoch(int epoch);
}
