package dev.ember.data.vision;

import dev.ember.Generator;
import dev.ember.Tensor;

/**
 * Rotates {@code [C, H, W]} counter-clockwise about the image centre, keeping the size and
 * filling uncovered pixels with zero. Matches PyTorch's {@code grid_sample(affine_grid(theta),
 * align_corners=False, padding_mode="zeros")} with the rotation in pixel space. Either a fixed
 * angle, or ({@link #random}) an angle drawn uniformly from {@code [-degrees, degrees]}.
 */
public final class Rotate implements Transform {
    private final double minDegrees, maxDegrees;
    private final Interpolation mode;

    private Rotate(double minDegrees, double maxDegrees, Interpolation mode) {
        this.minDegrees = minDegrees;
        this.maxDegrees = maxDegrees;
        this.mode = mode;
    }

    /** Rotation by exactly {@code degrees}, bilinear. */
    public static Rotate by(double degrees) { return new Rotate(degrees, degrees, Interpolation.BILINEAR); }

    /** Rotation by exactly {@code degrees} with {@code mode}. */
    public static Rotate by(double degrees, Interpolation mode) { return new Rotate(degrees, degrees, mode); }

    /** Rotation by a uniform random angle in {@code [-degrees, degrees]} (torchvision's {@code RandomRotation}). */
    public static Rotate random(double degrees, Interpolation mode) {
        if (degrees < 0) throw new IllegalArgumentException("Rotate.random: degrees must be >= 0, got " + degrees);
        return new Rotate(-degrees, degrees, mode);
    }

    @Override
    public Tensor apply(Tensor image, Generator random) {
        double degrees = minDegrees == maxDegrees ? minDegrees : minDegrees + (maxDegrees - minDegrees) * random.nextDouble();
        return rotate(Chw.of(image, "Rotate"), degrees, mode).toTensor(image);
    }

    static Chw rotate(Chw in, double degrees, Interpolation mode) {
        double a = Math.toRadians(degrees), cos = Math.cos(a), sin = Math.sin(a);
        int h = in.h(), w = in.w();
        Chw out = Chw.zeros(in.c(), h, w);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                // centred coordinates of the output pixel centre, rotated back into the input
                double xc = x + 0.5 - w / 2.0, yc = y + 0.5 - h / 2.0;
                double sx = cos * xc - sin * yc + w / 2.0 - 0.5;
                double sy = sin * xc + cos * yc + h / 2.0 - 0.5;
                for (int c = 0; c < in.c(); c++) out.set(c, y, x, sample(in, c, sy, sx, mode));
            }
        return out;
    }

    private static double sample(Chw in, int c, double sy, double sx, Interpolation mode) {
        if (mode == Interpolation.NEAREST) return at(in, c, (int) Math.rint(sy), (int) Math.rint(sx));
        int x0 = (int) Math.floor(sx), y0 = (int) Math.floor(sy);
        double fx = sx - x0, fy = sy - y0;
        return (1 - fy) * ((1 - fx) * at(in, c, y0, x0) + fx * at(in, c, y0, x0 + 1))
                + fy * ((1 - fx) * at(in, c, y0 + 1, x0) + fx * at(in, c, y0 + 1, x0 + 1));
    }

    private static double at(Chw in, int c, int y, int x) {
        return y < 0 || x < 0 || y >= in.h() || x >= in.w() ? 0 : in.get(c, y, x);
    }
}
