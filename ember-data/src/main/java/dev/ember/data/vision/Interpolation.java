package dev.ember.data.vision;

/** How a resampling transform reads between pixels. */
public enum Interpolation {
    /** The nearest source pixel (PyTorch's {@code mode="nearest"}). */
    NEAREST,
    /** Bilinear, with PyTorch's {@code align_corners=False} pixel-centre convention. */
    BILINEAR
}
