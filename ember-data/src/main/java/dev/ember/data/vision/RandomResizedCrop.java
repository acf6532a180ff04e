package dev.ember.data.vision;

import dev.ember.Generator;
import dev.ember.Tensor;

/**
 * A random area and aspect-ratio crop resized (bilinear) to a fixed size, as torchvision's
 * {@code RandomResizedCrop}: {@code [C, H, W] -> [C, height, width]}. Up to ten tries draw an
 * area fraction from {@code scale} and a log-uniform aspect ratio from {@code ratio}; if none
 * fits, the largest centred crop within the ratio bounds is used.
 */
public final class RandomResizedCrop implements Transform {
    private final int height, width;
    private final double minScale, maxScale, minRatio, maxRatio;

    /** Output {@code size x size}, scale (0.08, 1), ratio (3/4, 4/3). */
    public RandomResizedCrop(int size) { this(size, size, 0.08, 1.0, 3.0 / 4, 4.0 / 3); }

    /** Output {@code height x width}, area fraction in {@code [minScale, maxScale]}, aspect ratio in {@code [minRatio, maxRatio]}. */
    public RandomResizedCrop(int height, int width, double minScale, double maxScale, double minRatio, double maxRatio) {
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("RandomResizedCrop: size must be positive, got " + height + "x" + width);
        if (!(0 < minScale && minScale <= maxScale) || !(0 < minRatio && minRatio <= maxRatio))
            throw new IllegalArgumentException("RandomResizedCrop: need 0 < minScale <= maxScale and 0 < minRatio <= maxRatio");
        this.height = height;
        this.width = width;
        this.minScale = minScale;
        this.maxScale = maxScale;
        this.minRatio = minRatio;
        this.maxRatio = maxRatio;
    }

    /** The crop box {@code {top, left, height, width}} for an {@code h x w} image, drawn from {@code random}. */
    public int[] cropBox(int h, int w, Generator random) {
        double area = (double) h * w;
        double logMin = Math.log(minRatio), logMax = Math.log(maxRatio);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (minScale + (maxScale - minScale) * random.nextDouble());
            double aspect = Math.exp(logMin + (logMax - logMin) * random.nextDouble());
            int cw = (int) Math.rint(Math.sqrt(target * aspect));
            int ch = (int) Math.rint(Math.sqrt(target / aspect));
            if (0 < cw && cw <= w && 0 < ch && ch <= h) {
                int top = random.nextInt(h - ch + 1);
                int left = random.nextInt(w - cw + 1);
                return new int[]{top, left, ch, cw};
            }
        }
        double inRatio = (double) w / h;
        int cw, ch;
        if (inRatio < minRatio) { cw = w; ch = (int) Math.rint(cw / minRatio); }
        else if (inRatio > maxRatio) { ch = h; cw = (int) Math.rint(ch * maxRatio); }
        else { cw = w; ch = h; }
        return new int[]{(h - ch) / 2, (w - cw) / 2, ch, cw};
    }

    @Override
    public Tensor apply(Tensor image, Generator random) {
        Chw in = Chw.of(image, "RandomResizedCrop");
        int[] box = cropBox(in.h(), in.w(), random);
        Chw crop = in.crop(box[0], box[1], box[2], box[3], "RandomResizedCrop");
        return Resize.resize(crop, height, width, Interpolation.BILINEAR).toTensor(image);
    }
}
