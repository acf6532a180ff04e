package dev.ember.data.vision;

import dev.ember.Generator;
import dev.ember.Tensor;

/**
 * Scales 8-bit pixel values to {@code [0, 1]}: {@code x / 255} as float32, for tensors read as
 * raw bytes (e.g. IDX images {@code [C, H, W]} or {@code [N, C, H, W]} of 0..255). For a
 * {@link java.awt.image.BufferedImage} use {@link Images#toTensor}.
 */
public final class ToTensor implements Transform {
    /** The 0..255 -> 0..1 scaling. */
    public ToTensor() {}

    @Override
    public Tensor apply(Tensor image, Generator random) {
        return image.to(dev.ember.DType.FLOAT32).div(255.0);
    }
}
