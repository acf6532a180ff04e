package dev.ember.train;

import java.util.Map;

/**
 * What one epoch produced: the mean training loss, the validation values
 * ({@code "val_loss"} and {@code "val_<metric>"}, empty without a validation loader), the lr
 * at the epoch's end, the training throughput, the seconds since training began, and how many
 * batches were skipped for a non-finite loss or gradient ({@link NonFiniteLoss#SKIP}; the mean
 * loss is over the others).
 */
public record EpochResult(int epoch, long globalStep, double trainLoss, Map<String, Double> validation, double lr,
                          double samplesPerSecond, double elapsedSeconds, int skippedBatches) {
    /** An epoch with no skipped batches. */
    public EpochResult(int epoch, long globalStep, double trainLoss, Map<String, Double> validation, double lr,
                       double samplesPerSecond, double elapsedSeconds) {
        this(epoch, globalStep, trainLoss, validation, lr, samplesPerSecond, elapsedSeconds, 0);
    }

    /**
     * The value named {@code key}: {@code "train_loss"} or a validation key such as {@code "val_accuracy"};
     * throws if this epoch has no such value.
     */
    public double value(String key) {
        if (key.equals("train_loss") || key.equals("loss")) return trainLoss;
        Double v = validation.get(key);
        if (v == null) throw new IllegalArgumentException("EpochResult: no value '" + key + "'; have train_loss and " + validation.keySet());
        return v;
    }
}
