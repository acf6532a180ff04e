package dev.ember.nn.lm;

/** Receives each generated token as soon as it is chosen (streaming). */
@FunctionalInterface
public interface TokenListener {
    /** Token {@code token} was appended to sequence {@code sequence} (its index in the batch). */
    void onToken(int sequence, int token);
}
