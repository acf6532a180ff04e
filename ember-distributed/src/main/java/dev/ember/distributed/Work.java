package dev.ember.distributed;

/**
 * A collective started with one of {@link ProcessGroup}'s {@code ...Async} methods, as
 * {@code torch.distributed.Work}: it runs on the group's communication thread while the caller
 * goes on (DistributedDataParallel reduces gradient buckets while backward continues).
 */
public interface Work {
    /**
     * Waits for the collective to finish.
     *
     * @throws DistributedException if it failed, or did not finish within the group's timeout
     */
    void await();

    /** Whether the collective has finished (successfully or not). */
    boolean isDone();
}
