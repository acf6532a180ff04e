package dev.ember.data.vision;

import dev.ember.Generator;
import dev.ember.Tensor;

/**
 * A random crop after zero-padding every side, as torchvision's {@code RandomCrop(size, padding)}:
 * {@code [C, H, W] -> [C, height, width]}; the top then left offsets are drawn uniformly from
 * {@code [0, H + 2 * padding - height]} and {@code [0, W + 2 * padding - width]}.
 */
public final class RandomCrop implements Transform {
    private final int height, width, padding;
    private final double fill;

    /** A square crop of {@code size} after padding each side by {@code padding} zeros. */
    public RandomCrop(int size, int padding) { this(size, size, padding, 0); }

    /** A {@code height x width} crop after padding each side by {@code padding} pixels of value {@code fill}. */
    public RandomCrop(int height, int width, int padding, double fill) {
        if (height <= 0 || width <= 0 || padding < 0)
            throw new IllegalArgumentException("RandomCrop: size must be positive and padding >= 0, got " + height + "x" + width + ", padding " + padding);
        this.height = height;
        this.width = width;
        this.padding = padding;
        this.fill = fill;
    }

    @Override
    public Tensor apply(Tensor image, Generator random) {
        Chw padded = pad(Chw.of(image, "RandomCrop"), padding, fill);
        if (padded.h() < height || padded.w() < width)
            throw new IllegalArgumentException("RandomCrop: crop " + height + "x" + width + " is larger than the padded image " + padded.h() + "x" + padded.w());
        int top = random.nextInt(padded.h() - height + 1);
        int left = random.nextInt(padded.w() - width + 1);
        return padded.crop(top, left, height, width, "RandomCrop").toTensor(image);
    }

    static Chw pad(Chw in, int p, double fill) {
        if (p == 0) return in;
        Chw out = Chw.zeros(in.c(), in.h() + 2 * p, in.w() + 2 * p);
        java.util.Arrays.fill(out.data(), fill);
        for (int c = 0; c < in.c(); c++)
            for (int y = 0; y < in.h(); y++)
                System.arraycopy(in.data(), (c * in.h() + y) * in.w(), out.data(), (c * out.h() + y + p) * out.w() + p, in.w());
        return out;
    }
}
