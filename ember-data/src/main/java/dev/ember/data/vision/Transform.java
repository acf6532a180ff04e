package dev.ember.data.vision;

import dev.ember.Ember;
import dev.ember.Generator;
import dev.ember.Tensor;

/**
 * An image transform on a float tensor {@code [C, H, W]} (some also accept a batch
 * {@code [N, C, H, W]}, as each says). Random transforms draw every random number from the
 * {@link Generator} they are given, so a seeded generator makes them reproducible.
 */
@FunctionalInterface
public interface Transform {
    /** The transformed image; {@code random} supplies any randomness. */
    Tensor apply(Tensor image, Generator random);

    /** The transformed image, drawing randomness from the global generator ({@link Ember#generator()}). */
    default Tensor apply(Tensor image) { return apply(image, Ember.generator()); }

    /** This transform followed by {@code next}. */
    default Transform then(Transform next) { return new Compose(this, next); }
}
