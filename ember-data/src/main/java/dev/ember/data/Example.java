package dev.ember.data;

import dev.ember.Tensor;

/** One supervised example: an input tensor and its target (a class index as a 0-d INT64, or a tensor). */
public record Example(Tensor input, Tensor target) {}
