package dev.ember.data.vision;

import dev.ember.Generator;
import dev.ember.Tensor;
import java.util.List;

/** Transforms applied in order, as torchvision's {@code Compose}; all share the one generator. */
public final class Compose implements Transform {
    private final List<Transform> transforms;

    /** The transforms, first applied first. */
    public Compose(Transform... transforms) { this.transforms = List.of(transforms); }

    /** The transforms, first applied first. */
    public Compose(List<Transform> transforms) { this.transforms = List.copyOf(transforms); }

    @Override
    public Tensor apply(Tensor image, Generator random) {
        Tensor x = image;
        for (Transform t : transforms) x = t.apply(x, random);
        return x;
    }
}
