package dev.ember.data.vision;

import dev.ember.Generator;
import dev.ember.Tensor;

/**
 * Resizes {@code [C, H, W] -> [C, height, width]}, matching PyTorch's
 * {@code F.interpolate(x, size, mode, align_corners=False)} (nearest: source index
 * {@code floor(dst * in / out)}; bilinear: source coordinate {@code (dst + 0.5) * in / out - 0.5},
 * clamped at 0), without antialiasing.
 */
public final class Resize implements Transform {
    private final int height, width;
    private final Interpolation mode;

    /** Bilinear resize to {@code height x width}. */
    public Resize(int height, int width) { this(height, width, Interpolation.BILINEAR); }

    /** Resize to {@code height x width} with {@code mode}. */
    public Resize(int height, int width, Interpolation mode) {
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("Resize: size must be positive, got " + height + "x" + width);
        this.height = height;
        this.width = width;
        this.mode = mode;
    }

    @Override
    public Tensor apply(Tensor image, Generator random) {
        return resize(Chw.of(image, "Resize"), height, width, mode).toTensor(image);
    }

    static Chw resize(Chw in, int oh, int ow, Interpolation mode) {
        Chw out = Chw.zeros(in.c(), oh, ow);
        if (mode == Interpolation.NEAREST) {
            int[] ys = nearest(in.h(), oh), xs = nearest(in.w(), ow);
            for (int c = 0; c < in.c(); c++)
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < ow; x++) out.set(c, y, x, in.get(c, ys[y], xs[x]));
            return out;
        }
        int[] y0 = new int[oh], y1 = new int[oh], x0 = new int[ow], x1 = new int[ow];
        double[] fy = new double[oh], fx = new double[ow];
        linear(in.h(), oh, y0, y1, fy);
        linear(in.w(), ow, x0, x1, fx);
        for (int c = 0; c < in.c(); c++)
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++) {
                    double top = (1 - fx[x]) * in.get(c, y0[y], x0[x]) + fx[x] * in.get(c, y0[y], x1[x]);
                    double bottom = (1 - fx[x]) * in.get(c, y1[y], x0[x]) + fx[x] * in.get(c, y1[y], x1[x]);
                    out.set(c, y, x, (1 - fy[y]) * top + fy[y] * bottom);
                }
        return out;
    }

    /** PyTorch's nearest_idx: float arithmetic, as its CPU kernel does. */
    private static int[] nearest(int in, int out) {
        int[] idx = new int[out];
        float scale = (float) in / out;
        for (int i = 0; i < out; i++)
            idx[i] = in == out ? i : Math.min((int) Math.floor((float) i * scale), in - 1);
        return idx;
    }

    private static void linear(int in, int out, int[] i0, int[] i1, double[] frac) {
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            double src = Math.max(0, (i + 0.5) * scale - 0.5);
            int lo = Math.min((int) src, in - 1);
            i0[i] = lo;
            i1[i] = lo + (lo < in - 1 ? 1 : 0);
            frac[i] = src - lo;
        }
    }
}
