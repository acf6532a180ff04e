package dev.ember;

import dev.ember.backend.ConvGeometry;
import dev.ember.backend.FusedMaxPool;

/**
 * Convolution and pooling, built from one primitive pair: {@code unfold} (im2col)
 * and its adjoint {@code fold} (col2im), each the other's gradient. A convolution
 * is unfold then a matmul (for {@code groups = 1} walked over chunks of the batch by
 * {@link Conv2dChunked}); a pooling layer is unfold then max or mean, unless the
 * backend has a fused max-pool kernel. Their gradients follow from the parts.
 */
final class Convolution {
    private Convolution() {}

    private static int[] pair(String op, String what, int[] v) {
        if (v == null || v.length == 0 || v.length > 2)
            throw new IllegalArgumentException(op + ": " + what + " must have 1 or 2 values, got " + java.util.Arrays.toString(v));
        return v.length == 1 ? new int[]{v[0], v[0]} : v;
    }

    private static void require4d(String op, Tensor x) {
        if (x.dim() != 4)
            throw new IllegalArgumentException(op + ": expected a 4-D input [n, c, h, w], got shape " + Shapes.str(x.shape));
    }

    private static ConvGeometry geometry(String op, int h, int w, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        int[] k = pair(op, "kernel size", kernel), d = pair(op, "dilation", dilation);
        int[] p = pair(op, "padding", padding), s = pair(op, "stride", stride);
        return ConvGeometry.of(op, h, w, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1]);
    }

    /** PyTorch's rule for unfold and pooling: only the batch may be empty. */
    private static void requireNonEmptyImages(String op, Tensor x) {
        if (x.size32("conv2d", 1) == 0 || x.size32("conv2d", 2) == 0 || x.size32("conv2d", 3) == 0)
            throw new IllegalArgumentException(op + ": expected a 4-D input [n, c, h, w] with non-zero c, h and w (only the batch may "
                    + "be empty), got shape " + Shapes.str(x.shape));
    }

    static Tensor unfold(Tensor x, int[] kernel, int[] dilation, int[] padding, int[] stride, double padValue) {
        require4d("unfold", x);
        requireNonEmptyImages("unfold", x);
        int n = x.size32("conv2d", 0), c = x.size32("conv2d", 1);
        ConvGeometry g = geometry("unfold", x.size32("conv2d", 2), x.size32("conv2d", 3), kernel, dilation, padding, stride);
        int rows = columnRows("unfold", c, g), l = blocks("unfold", g);
        Tensor cols = Tensor.uninitialized(x.backend(), x.dtype(), Shapes.checked("unfold", n, rows, l));
        if (cols.numel() > 0) x.backend().im2col(x.strided(), g, padValue, cols.strided());
        int[] size = {g.inH(), g.inW()};
        return Tensor.record("unfold", cols, (grad, needs) ->
                new Tensor[]{fold(grad, size, kernel, dilation, padding, stride)}, x);
    }

    /**
     * im2col laid out for a batched GEMM: {@code x [n, c, h, w] -> [c * kh * kw, n * L]}, written
     * through a permuted view so no copy is needed; the gradient folds back through the same view.
     */
    static Tensor unfoldForGemm(Tensor x, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        require4d("conv2d", x);
        int n = x.size32("conv2d", 0), c = x.size32("conv2d", 1);
        ConvGeometry g = geometry("conv2d", x.size32("conv2d", 2), x.size32("conv2d", 3), kernel, dilation, padding, stride);
        int rows = columnRows("conv2d", c, g), l = blocks("conv2d", g);
        Tensor buf = Tensor.uninitialized(x.backend(), x.dtype(), Shapes.checked("conv2d", rows, n, l));
        var nkl = new dev.ember.backend.Strided(buf.storage, new long[]{n, rows, l}, new long[]{l, n * l, 1}, 0);
        if (buf.numel() > 0) x.backend().im2col(x.strided(), g, 0.0, nkl);
        Tensor cols = buf.reshape((long) rows, (long) n * l);
        int[] size = {g.inH(), g.inW()};
        return Tensor.record("unfold", cols, (grad, needs) -> new Tensor[]{
                fold(grad.reshape(rows, n, l).permute(1, 0, 2), size, kernel, dilation, padding, stride)}, x);
    }

    static Tensor fold(Tensor cols, int[] outputSize, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        if (cols.dim() != 3)
            throw new IllegalArgumentException("fold: expected a 3-D input [n, c * kh * kw, L], got shape " + Shapes.str(cols.shape));
        if (cols.size32("conv2d", 1) == 0 || cols.size32("conv2d", 2) == 0)
            throw new IllegalArgumentException("fold: expected a 3-D input [n, c * kh * kw, L] with non-zero c * kh * kw and L (only "
                    + "the batch may be empty), got shape " + Shapes.str(cols.shape));
        int[] size = pair("fold", "output size", outputSize);
        ConvGeometry g = geometry("fold", size[0], size[1], kernel, dilation, padding, stride);
        long kk = (long) g.kernelH() * g.kernelW(), blocks = (long) g.outH() * g.outW();
        if (cols.size32("conv2d", 1) % kk != 0)
            throw new IllegalArgumentException("fold: expected the input's dimension 1 (" + cols.size32("conv2d", 1) + ", shape " + Shapes.str(cols.shape)
                    + ") to be divisible by the product of the kernel size " + g.kernelH() + "x" + g.kernelW());
        if (cols.size32("conv2d", 2) != blocks)
            throw new IllegalArgumentException("fold: output size " + size[0] + "x" + size[1] + " with kernel " + g.kernelH() + "x" + g.kernelW()
                    + ", dilation " + g.dilationH() + "x" + g.dilationW() + ", padding " + g.padH() + "x" + g.padW() + " and stride "
                    + g.strideH() + "x" + g.strideW() + " has " + g.outH() + " * " + g.outW() + " = " + blocks
                    + " sliding blocks, but the input's dimension 2 is " + cols.size32("conv2d", 2) + " (shape " + Shapes.str(cols.shape) + ")");
        int n = cols.size32("conv2d", 0), c = (int) (cols.size32("conv2d", 1) / kk);
        Tensor x = Tensor.empty(cols.backend(), cols.dtype(), Shapes.checked("fold", n, c, size[0], size[1]));
        if (cols.numel() > 0) cols.backend().col2im(cols.strided(), g, x.strided());
        return Tensor.record("fold", x, (grad, needs) ->
                new Tensor[]{unfold(grad, kernel, dilation, padding, stride, 0.0)}, cols);
    }

    static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return conv2dChecked(Autocast.lowerPrecision(x), Autocast.lowerPrecision(w), Autocast.lowerPrecision(bias), stride, padding, dilation, groups);
    }

    private static Tensor conv2dChecked(Tensor x, Tensor w, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        require4d("conv2d", x);
        if (w.dim() != 4)
            throw new IllegalArgumentException("conv2d: weight must be 4-D [out, in / groups, kh, kw], got shape " + Shapes.str(w.shape));
        int n = x.size32("conv2d", 0), cin = x.size32("conv2d", 1), cout = w.size32("conv2d", 0), kh = w.size32("conv2d", 2), kw = w.size32("conv2d", 3);
        if (groups <= 0) throw new IllegalArgumentException("conv2d: groups must be positive, got " + groups);
        if (cout == 0 || cout % groups != 0)
            throw new IllegalArgumentException("conv2d: groups=" + groups + " expects the weight's dimension 0 to be a positive multiple of "
                    + groups + ", but got weight of shape " + Shapes.str(w.shape));
        if ((long) w.size32("conv2d", 1) * groups != cin)
            throw new IllegalArgumentException("conv2d: input " + Shapes.str(x.shape) + " with weight " + Shapes.str(w.shape)
                    + " and groups=" + groups + ": expected input channels " + (long) w.size32("conv2d", 1) * groups + " but got " + cin);
        if (n > 0 && cin > 0 && (x.size32("conv2d", 2) == 0 || x.size32("conv2d", 3) == 0))
            throw new IllegalArgumentException("conv2d: only the batch or the channels of the input may be empty, got shape "
                    + Shapes.str(x.shape));
        if (bias != null && (bias.dim() != 1 || bias.size32("conv2d", 0) != cout))
            throw new IllegalArgumentException("conv2d: bias must have shape [" + cout + "], got " + Shapes.str(bias.shape));
        if (!w.device().equals(x.device()))
            throw new IllegalArgumentException("conv2d: input is on " + x.device() + " but weight is on " + w.device());
        DType t = DType.promote(x.dtype(), w.dtype());
        if (bias != null && t.isHalf()) // product plus bias rounded once, as PyTorch
            return conv2dChecked(x.to(DType.FLOAT32), w.to(DType.FLOAT32), bias.to(DType.FLOAT32), stride, padding, dilation, groups).to(t);
        int[] kernel = {kh, kw};
        ConvGeometry g = geometry("conv2d", x.size32("conv2d", 2), x.size32("conv2d", 3), kernel, dilation, padding, stride);
        if (bias != null && !bias.device().equals(x.device()))
            throw new IllegalArgumentException("conv2d: input is on " + x.device() + " but bias is on " + bias.device());
        int rows = columnRows("conv2d", cin, g);
        Shapes.checked("conv2d", n, cout, g.outH(), g.outW());
        if (groups == 1) {
            Tensor xt = x.to(t), wt = w.to(t).contiguous();
            int chunk = Conv2dChunked.chunkImages(xt, rows, blocks("conv2d", g));
            return Conv2dChunked.forward(xt, wt, bias == null ? null : bias.to(t), g, chunk);
        }
        // Grouped: one GEMM for the whole batch: [cout, cin*kh*kw] @ [cin*kh*kw, n*L] (per group), then a
        // permuted view back to [n, cout, outH, outW]; the next elementwise op reads it in place.
        Tensor cols = unfoldForGemm(x.to(t), kernel, dilation, padding, stride);
        long nl = cols.size(1);
        Tensor out;
        if (groups == 1) {
            out = w.to(t).reshape(cout, (long) cin * kh * kw).matmul(cols);
        } else {
            long k = (long) (cin / groups) * kh * kw;
            out = w.to(t).reshape(groups, cout / groups, k).matmul(cols.reshape(groups, k, nl));
        }
        out = Tensor.ownView(out, out.reshape(cout, n, g.outH(), g.outW()).permute(1, 0, 2, 3));
        if (bias != null) out = out.add(bias.to(t).reshape(1, cout, 1, 1));
        return out;
    }

    static Tensor pool(Tensor x, int[] kernel, int[] stride, int[] padding, boolean max) {
        String op = max ? "maxPool2d" : "avgPool2d";
        require4d(op, x);
        int[] k = pair(op, "kernel size", kernel), p = pair(op, "padding", padding);
        // A kernel below 1 is left to the geometry's message; padding beyond half the kernel is PyTorch's pooling rule.
        if (k[0] > 0 && k[1] > 0 && (p[0] > k[0] / 2 || p[1] > k[1] / 2))
            throw new IllegalArgumentException(op + ": padding " + p[0] + "x" + p[1] + " should be at most half of kernel size " + k[0] + "x" + k[1]);
        if (!x.dtype().isFloatingPoint()) throw new IllegalArgumentException(op + ": input must be floating point, got " + x.dtype());
        requireNonEmptyImages(op, x);
        int n = x.size32("conv2d", 0), c = x.size32("conv2d", 1);
        ConvGeometry g = geometry(op, x.size32("conv2d", 2), x.size32("conv2d", 3), k, new int[]{1, 1}, p, stride);
        if (max && useFusedMaxPool) {
            Tensor fused = fusedMaxPool(x, g);
            if (fused != null) return fused;
        }
        Tensor cols = unfold(x.reshape((long) n * c, 1, x.size32("conv2d", 2), x.size32("conv2d", 3)), k, new int[]{1, 1}, p, stride,
                max ? Double.NEGATIVE_INFINITY : 0.0);
        Tensor r = max ? cols.max(1) : cols.mean(1);
        return Tensor.ownView(r, r.reshape(n, c, g.outH(), g.outW()));
    }

    /** Rows of the column matrix, {@code c * kh * kw}, checked to fit an int. */
    private static int columnRows(String op, int c, ConvGeometry g) {
        return Shapes.int32(op, "c * kh * kw", (long) c * g.kernelH() * g.kernelW());
    }

    /** Sliding blocks per image, {@code outH * outW}, checked to fit an int. */
    private static int blocks(String op, ConvGeometry g) {
        return Shapes.int32(op, "outH * outW", (long) g.outH() * g.outW());
    }

    /** Whether max pooling tries the backend's fused kernels (tests turn it off to compare with the composed path). */
    static volatile boolean useFusedMaxPool = true;

    /**
     * Max pooling by the backend's fused kernel, or null when it has none. The kernel records each
     * window's pick as a flat position in its input plane; the gradient adds into those positions.
     */
    private static Tensor fusedMaxPool(Tensor x, ConvGeometry g) {
        long[] shape = {x.size32("conv2d", 0), x.size32("conv2d", 1), g.outH(), g.outW()};
        if (Shapes.numel(shape) == 0) return null;
        Tensor out = Tensor.uninitialized(x.backend(), x.dtype(), shape);
        Tensor idx = Tensor.uninitialized(x.backend(), DType.INT32, shape);
        var kernel = Ember.fused(x.backend(), FusedMaxPool.class);
        if (kernel.isEmpty() || !kernel.get().maxPool2d(x.strided(), g, out.strided(), idx.strided())) return null;
        long[] inShape = x.shape.clone();
        return Tensor.record("maxPool2d", out, (grad, needs) -> new Tensor[]{maxPoolBackward(grad, idx, g, inShape)}, x);
    }

    /**
     * The gradient of max pooling: {@code grad [n, c, outH, outW]} added into zeros of {@code inShape}
     * at the positions {@code idx} recorded. It is linear in grad, and its own gradient gathers at the
     * same positions, so a second derivative through it is right.
     */
    /** {@code src.gather(2, idx)} as {@code [n, c, outH, outW]}, owning its memory. */
    private static Tensor gathered(Tensor src, Tensor idx, int n, int c, ConvGeometry g) {
        Tensor r = src.gather(2, idx);
        return Tensor.ownView(r, r.reshape(n, c, g.outH(), g.outW()));
    }

    static Tensor maxPoolBackward(Tensor grad, Tensor idx, ConvGeometry g, long[] inShape) {
        int n = (int) inShape[0], c = (int) inShape[1], hw = g.inH() * g.inW(), l = g.outH() * g.outW();
        var kernel = Ember.fused(grad.backend(), FusedMaxPool.class);
        Tensor dx = kernel.isPresent() ? Tensor.uninitialized(grad.backend(), grad.dtype(), inShape) : null; // overwritten
        if (dx == null || !kernel.get().maxPool2dBackward(grad.strided(), idx.strided(), g, dx.strided())) {
            if (dx != null) dx.close();
            try (var ignored = Ember.noGrad(); Tensor zeros = Tensor.empty(grad.backend(), grad.dtype(), new long[]{n, c, hw})) {
                Tensor summed = zeros.scatterAdd(2, idx.reshape(n, c, l), grad.reshape(n, c, l));
                dx = Tensor.ownView(summed, summed.reshape((inShape)));
            }
        }
        return Tensor.record("maxPool2dBackward", dx, (gg, needs) ->
                new Tensor[]{gathered(gg.reshape(n, c, hw), idx.reshape(n, c, l), n, c, g)}, grad);
    }
}
