package dev.ember.nn;

import dev.ember.Tensor;

/** A loss as an object: {@code (input, target) -> loss} (0-d unless the reduction is NONE). The trainer takes one. */
@FunctionalInterface
public interface Loss {
    Tensor forward(Tensor input, Tensor target);
}
