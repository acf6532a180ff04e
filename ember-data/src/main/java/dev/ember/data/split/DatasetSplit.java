package dev.ember.data.split;

import dev.ember.data.Dataset;

/**
 * A dataset cut in three: training, validation and test parts.
 *
 * @param <T> the example type
 */
public record DatasetSplit<T>(Dataset<T> train, Dataset<T> validation, Dataset<T> test) {}
