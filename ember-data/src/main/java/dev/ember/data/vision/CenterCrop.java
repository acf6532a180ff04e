package dev.ember.data.vision;

import dev.ember.Generator;
import dev.ember.Tensor;

/**
 * Crops the centre {@code [C, H, W] -> [C, height, width]}, as torchvision's {@code CenterCrop}
 * (offsets {@code round((H - height) / 2)}, rounding half to even). The crop must fit.
 */
public final class CenterCrop implements Transform {
    private final int height, width;

    /** A square {@code size x size} crop. */
    public CenterCrop(int size) { this(size, size); }

    /** A {@code height x width} crop. */
    public CenterCrop(int height, int width) {
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("CenterCrop: size must be positive, got " + height + "x" + width);
        this.height = height;
        this.width = width;
    }

    @Override
    public Tensor apply(Tensor image, Generator random) {
        Chw in = Chw.of(image, "CenterCrop");
        int top = (int) Math.rint((in.h() - height) / 2.0), left = (int) Math.rint((in.w() - width) / 2.0);
        return in.crop(top, left, height, width, "CenterCrop").toTensor(image);
    }
}
