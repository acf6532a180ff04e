package dev.ember.studio.insight;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/** Small images for the page, as {@code data:image/png;base64,...} URLs: example images and attribution maps. */
public final class Png {
    private Png() {}

    /** A grey image of {@code w x h} values in [0, 1] (clipped), row-major. */
    public static String gray(float[] v, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int g = (int) Math.round(255 * Math.min(1, Math.max(0, v[y * w + x])));
                img.setRGB(x, y, g << 16 | g << 8 | g);
            }
        return encode(img);
    }

    /** A heat map of non-negative values scaled by their maximum: black, red, yellow, white. */
    public static String heat(float[] v, int w, int h) {
        float max = 0;
        for (float f : v) max = Math.max(max, Math.abs(f));
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < w * h; i++) {
            double t = max == 0 ? 0 : Math.abs(v[i]) / max;
            int r = (int) Math.round(255 * Math.min(1, 3 * t));
            int g = (int) Math.round(255 * Math.min(1, Math.max(0, 3 * t - 1)));
            int b = (int) Math.round(255 * Math.min(1, Math.max(0, 3 * t - 2)));
            img.setRGB(i % w, i / w, r << 16 | g << 8 | b);
        }
        return encode(img);
    }

    /** A signed map scaled by the largest magnitude: blue (negative), white (zero), red (positive). */
    public static String diverging(float[] v, int w, int h) {
        float max = 0;
        for (float f : v) max = Math.max(max, Math.abs(f));
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < w * h; i++) {
            double t = max == 0 ? 0 : v[i] / max;
            int fade = (int) Math.round(255 * (1 - Math.abs(t)));
            int rgb = t >= 0 ? 255 << 16 | fade << 8 | fade : fade << 16 | fade << 8 | 255;
            img.setRGB(i % w, i / w, rgb);
        }
        return encode(img);
    }

    private static String encode(BufferedImage img) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(img, "png", out);
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
