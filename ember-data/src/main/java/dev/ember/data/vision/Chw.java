package dev.ember.data.vision;

import dev.ember.DType;
import dev.ember.Tensor;
import java.util.Arrays;

/** A host copy of one image {@code [C, H, W]} as float64, for the per-pixel transforms. */
record Chw(int c, int h, int w, double[] data) {
    static Chw of(Tensor image, String op) {
        if (image.dim() != 3)
            throw new IllegalArgumentException(op + ": expected an image [C, H, W], got shape " + Arrays.toString(image.shape()));
        long[] s = image.shape();
        if (s[0] == 0 || s[1] == 0 || s[2] == 0)
            throw new IllegalArgumentException(op + ": empty image " + Arrays.toString(s));
        return new Chw((int) s[0], (int) s[1], (int) s[2], image.toDoubleArray());
    }

    static Chw zeros(int c, int h, int w) { return new Chw(c, h, w, new double[c * h * w]); }

    double get(int ch, int y, int x) { return data[(ch * h + y) * w + x]; }

    void set(int ch, int y, int x, double v) { data[(ch * h + y) * w + x] = v; }

    /** A tensor of the same dtype as {@code like} (float64 stays float64, else float32). */
    Tensor toTensor(Tensor like) {
        if (like.dtype() == DType.FLOAT64) return Tensor.of(data, c, h, w).to(like.device());
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) data[i];
        return Tensor.of(f, c, h, w).to(like.device());
    }

    /** The crop {@code [top, top + height) x [left, left + width)}; must lie inside the image. */
    Chw crop(int top, int left, int height, int width, String op) {
        if (top < 0 || left < 0 || height <= 0 || width <= 0 || top + height > h || left + width > w)
            throw new IllegalArgumentException(op + ": crop (top " + top + ", left " + left + ", " + height + "x" + width
                    + ") does not fit in an image of " + h + "x" + w);
        Chw out = zeros(c, height, width);
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < height; y++)
                System.arraycopy(data, (ch * h + top + y) * w + left, out.data, (ch * height + y) * width, width);
        return out;
    }
}
