package dev.ember.distributed;

/**
 * A collective that failed or did not complete in time: the message names the collective, this
 * rank, the world size and the cause (a peer that died, a timeout, an error code of the library).
 * A process group that threw one is broken: later collectives fail at once, since the ranks no
 * longer agree on which collective comes next.
 */
public class DistributedException extends RuntimeException {
    /** A failure with a message that names the collective and the rank. */
    public DistributedException(String message) { super(message); }

    /** A failure caused by {@code cause}. */
    public DistributedException(String message, Throwable cause) { super(message, cause); }
}
