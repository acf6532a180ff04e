package dev.ember.data.split;

/**
 * One split of a k-fold scheme: the indices to train on and the indices to test on.
 *
 * @param train training indices, ascending
 * @param test  test indices, ascending
 */
public record Fold(int[] train, int[] test) {}
