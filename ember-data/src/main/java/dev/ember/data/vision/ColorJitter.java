package dev.ember.data.vision;

import dev.ember.Generator;
import dev.ember.Tensor;

/**
 * Random brightness, contrast and saturation changes, as torchvision's {@code ColorJitter} on
 * tensors in {@code [0, 1]}: each factor is drawn uniformly from {@code [max(0, 1 - v), 1 + v]}
 * and the three adjustments run in a random order. Brightness scales pixels; contrast blends
 * with the mean grey level; saturation blends with the greyscale image (weights 0.2989, 0.587,
 * 0.114; a one-channel image is left alone). Results are clamped to {@code [0, 1]}.
 * {@code [C, H, W]} with C = 1 or 3.
 */
public final class ColorJitter implements Transform {
    private final double brightness, contrast, saturation;

    /** Jitter strengths, each {@code >= 0} (0 disables that adjustment). */
    public ColorJitter(double brightness, double contrast, double saturation) {
        if (brightness < 0 || contrast < 0 || saturation < 0)
            throw new IllegalArgumentException("ColorJitter: strengths must be >= 0, got " + brightness + ", " + contrast + ", " + saturation);
        this.brightness = brightness;
        this.contrast = contrast;
        this.saturation = saturation;
    }

    @Override
    public Tensor apply(Tensor image, Generator random) {
        Chw x = Chw.of(image, "ColorJitter");
        if (x.c() != 1 && x.c() != 3) throw new IllegalArgumentException("ColorJitter: expected 1 or 3 channels, got " + x.c());
        int[] order = random.permutation(3);
        for (int op : order) {
            double v = op == 0 ? brightness : op == 1 ? contrast : saturation;
            if (v == 0) continue;
            double factor = Math.max(0, 1 - v) + (1 + v - Math.max(0, 1 - v)) * random.nextDouble();
            x = switch (op) {
                case 0 -> adjustBrightness(x, factor);
                case 1 -> adjustContrast(x, factor);
                default -> adjustSaturation(x, factor);
            };
        }
        return x.toTensor(image);
    }

    /** {@code clamp(factor * x, 0, 1)}. */
    public static Tensor adjustBrightness(Tensor image, double factor) { return adjustBrightness(Chw.of(image, "adjustBrightness"), factor).toTensor(image); }

    /** {@code clamp(factor * x + (1 - factor) * mean(grey(x)), 0, 1)}. */
    public static Tensor adjustContrast(Tensor image, double factor) { return adjustContrast(Chw.of(image, "adjustContrast"), factor).toTensor(image); }

    /** {@code clamp(factor * x + (1 - factor) * grey(x), 0, 1)}. */
    public static Tensor adjustSaturation(Tensor image, double factor) { return adjustSaturation(Chw.of(image, "adjustSaturation"), factor).toTensor(image); }

    private static Chw adjustBrightness(Chw x, double f) {
        double[] out = x.data().clone();
        for (int i = 0; i < out.length; i++) out[i] = clamp(f * out[i]);
        return new Chw(x.c(), x.h(), x.w(), out);
    }

    private static Chw adjustContrast(Chw x, double f) {
        double[] grey = grey(x);
        double mean = 0;
        for (double g : grey) mean += g;
        mean /= grey.length;
        double[] out = x.data().clone();
        for (int i = 0; i < out.length; i++) out[i] = clamp(f * out[i] + (1 - f) * mean);
        return new Chw(x.c(), x.h(), x.w(), out);
    }

    private static Chw adjustSaturation(Chw x, double f) {
        if (x.c() == 1) return x;
        double[] grey = grey(x);
        int plane = x.h() * x.w();
        double[] out = x.data().clone();
        for (int i = 0; i < out.length; i++) out[i] = clamp(f * out[i] + (1 - f) * grey[i % plane]);
        return new Chw(x.c(), x.h(), x.w(), out);
    }

    private static double[] grey(Chw x) {
        int plane = x.h() * x.w();
        double[] d = x.data();
        if (x.c() == 1) return java.util.Arrays.copyOf(d, plane);
        if (x.c() != 3) throw new IllegalArgumentException("ColorJitter: expected 1 or 3 channels, got " + x.c());
        double[] g = new double[plane];
        for (int i = 0; i < plane; i++) g[i] = 0.2989 * d[i] + 0.587 * d[plane + i] + 0.114 * d[2 * plane + i];
        return g;
    }

    private static double clamp(double v) { return Math.min(1, Math.max(0, v)); }
}
