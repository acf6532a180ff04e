package dev.ember.data.vision;

import dev.ember.Tensor;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/**
 * Conversions between {@link BufferedImage} and float tensors {@code [C, H, W]} in {@code [0, 1]}
 * (torchvision's {@code ToTensor} / {@code ToPILImage}). Files are read by {@link ImageFolder#read},
 * which refuses images above {@link ImageFolder#maxPixels()} before decoding them.
 */
public final class Images {
    private Images() {}

    /**
     * An image as float32 {@code [C, H, W]}, 8-bit values divided by 255: C = 1 for a greyscale
     * image, else C = 3 (RGB; alpha dropped).
     */
    public static Tensor toTensor(BufferedImage image) {
        boolean grey = image.getType() == BufferedImage.TYPE_BYTE_GRAY
                || (image.getColorModel().getNumComponents() == 1 && image.getColorModel().getComponentSize(0) == 8);
        return toTensor(image, grey ? 1 : 3);
    }

    /** An image as float32 {@code [channels, H, W]} in {@code [0, 1]}; 1 channel converts colour to luma (ITU-R 601). */
    public static Tensor toTensor(BufferedImage image, int channels) {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("Images.toTensor: channels must be 1 or 3, got " + channels);
        int h = image.getHeight(), w = image.getWidth();
        long values = (long) channels * h * w;
        if (values > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("Images.toTensor: a " + w + " x " + h + " image has " + values + " values in " + channels
                    + " channels, more than one tensor holds (2^31 - 9)");
        int plane = h * w;
        float[] out = new float[channels * plane];
        boolean greySource = image.getColorModel().getNumComponents() == 1 && image.getColorModel().getComponentSize(0) == 8;
        if (greySource) {
            Raster r = image.getRaster();
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++)
                    for (int c = 0; c < channels; c++) out[c * plane + y * w + x] = row[x] / 255f;
            }
            return Tensor.of(out, channels, h, w);
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            int red = (p >> 16) & 0xFF, green = (p >> 8) & 0xFF, blue = p & 0xFF;
            if (channels == 3) {
                out[i] = red / 255f;
                out[plane + i] = green / 255f;
                out[2 * plane + i] = blue / 255f;
            } else {
                // PIL's convert("L"): L = R * 299/1000 + G * 587/1000 + B * 114/1000
                out[i] = Math.round((red * 299 + green * 587 + blue * 114) / 1000f) / 255f;
            }
        }
        return Tensor.of(out, channels, h, w);
    }

    /** A tensor {@code [1 or 3, H, W]} in {@code [0, 1]} as an 8-bit image (values clamped, rounded). */
    public static BufferedImage toImage(Tensor image) {
        Chw x = Chw.of(image, "Images.toImage");
        if (x.c() != 1 && x.c() != 3) throw new IllegalArgumentException("Images.toImage: expected 1 or 3 channels, got " + x.c());
        BufferedImage out = new BufferedImage(x.w(), x.h(), x.c() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < x.h(); y++)
            for (int xx = 0; xx < x.w(); xx++) {
                if (x.c() == 1) {
                    out.getRaster().setSample(xx, y, 0, byteOf(x.get(0, y, xx)));
                } else {
                    out.setRGB(xx, y, (byteOf(x.get(0, y, xx)) << 16) | (byteOf(x.get(1, y, xx)) << 8) | byteOf(x.get(2, y, xx)));
                }
            }
        return out;
    }

    /** Runs a tensor transform on an 8-bit image: {@code toImage(transform(toTensor(image)))}. */
    public static BufferedImage apply(Transform transform, BufferedImage image, dev.ember.Generator random) {
        return toImage(transform.apply(toTensor(image), random));
    }

    private static int byteOf(double v) { return (int) Math.round(Math.min(1, Math.max(0, v)) * 255); }
}
