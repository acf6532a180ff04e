package dev.ember;

import dev.ember.backend.Backend;
import dev.ember.backend.FusedConv;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ConvGeometry;
import dev.ember.backend.Strided;

/**
 * conv2d with {@code groups = 1} as one autograd node that walks the batch in chunks of images.
 *
 * <p>Each chunk is unfolded (im2col) into a column buffer small enough to stay in cache, multiplied by
 * the weight in one GEMM, and written to the NCHW output with the bias added in the same pass. Backward
 * unfolds each chunk again instead of saving the columns: for the demo CNN the whole-batch column matrix
 * is 29 MB, and writing it, reading it back for the weight gradient, and writing and folding its
 * gradient cost more than the GEMMs; chunk by chunk all of that stays in cache, and memory holds only
 * the chunk buffers. GPU backends get one chunk (the whole batch), which keeps their kernels large.
 *
 * <p>Where the backend has fused kernels for the geometry ({@code FusedConv.conv2d}, {@code conv2dInputGrad},
 * {@code conv2dWeightGrad}: on the CPU, stride 1 with same-width padding), the forward pass and the gradients use them
 * instead, and the chunks are not needed.
 */
final class Conv2dChunked {
    private Conv2dChunked() {}

    /** CPU chunk size: a chunk's column buffer is about this many bytes (the L2/L3 boundary). */
    private static final long CPU_CHUNK_BYTES = Long.getLong("ember.conv.chunkBytes", 2L << 20);

    /** Images per chunk for {@code x} on its device. */
    static int chunkImages(Tensor x, int rows, int l) {
        int n = x.size32("conv2d", 0);
        if (!x.device().isCpu()) return Math.max(1, n);
        long perImage = (long) rows * l * x.dtype().byteSize();
        return (int) Math.max(1, Math.min(n, CPU_CHUNK_BYTES / Math.max(1, perImage)));
    }

    /**
     * {@code x [n, cin, h, w] (*) w [cout, cin, kh, kw] + bias}; all operands already share a dtype and
     * device, and {@code w} is contiguous. {@code chunk} images are processed at a time.
     */
    static Tensor forward(Tensor x, Tensor w, Tensor bias, ConvGeometry g, int chunk) {
        Backend be = x.backend();
        DType t = x.dtype();
        int n = x.size32("conv2d", 0), cin = x.size32("conv2d", 1), cout = w.size32("conv2d", 0);
        int rows = cin * g.kernelH() * g.kernelW(), l = g.outH() * g.outW();
        long[] outShape = {n, cout, g.outH(), g.outW()};
        // written in full below, except with no input channels and no bias: zeros then
        Tensor out = rows > 0 || bias != null ? Tensor.uninitialized(be, t, outShape) : Tensor.empty(be, t, outShape);
        var fused = Ember.fused(be, FusedConv.class);
        if (out.numel() > 0 && rows > 0 && fused.isPresent()
                && fused.get().conv2d(x.strided(), w.strided(), bias == null ? null : bias.strided(), g, out.strided())) {
            // The backend's fused kernel (CPU: an implicit GEMM straight into the output) did it all.
        } else if (out.numel() > 0 && rows > 0) {
            // the op's own scratch, back to the allocator when it returns
            try (Tensor cols = Tensor.uninitialized(be, t, new long[]{rows, chunk * l});
                 Tensor prod = Tensor.uninitialized(be, t, new long[]{cout, chunk * l})) {
                Strided weight = new Strided(w.liveStorage(), new long[]{1, cout, rows}, new long[]{0, rows, 1}, w.offset);
                for (int i0 = 0; i0 < n; i0 += chunk) {
                    int nc = Math.min(chunk, n - i0);
                    unfold(x, i0, nc, g, cols, rows, l);
                    be.matmul(weight, matrix(cols, rows, nc * l, chunk * l), matrix(prod, cout, nc * l, nc * l));
                    // prod is [cout, nc, L]; the output chunk is [nc, cout, L].
                    Strided src = new Strided(prod.storage, new long[]{nc, cout, l}, new long[]{l, nc * l, 1}, 0);
                    Strided dst = new Strided(out.storage, new long[]{nc, cout, l}, new long[]{cout * l, l, 1}, (long) i0 * cout * l);
                    if (bias == null) be.copy(src, dst);
                    else be.binary(BinaryOp.ADD, src, new Strided(bias.liveStorage(), new long[]{nc, cout, l},
                            new long[]{0, bias.strides[0], 0}, bias.offset), dst);
                }
            }
        } else if (bias != null && out.numel() > 0) {
            be.copy(new Strided(bias.liveStorage(), out.shape, new long[]{0, bias.strides[0], 0, 0}, bias.offset), out.strided());
        }
        return Tensor.recordSaving("conv2d", out, new Tensor[]{x, w}, (grad, needs) -> backward(x, w, grad, needs, g, chunk),
                x, w, bias);
    }

    private static Tensor[] backward(Tensor x, Tensor w, Tensor grad, boolean[] needs, ConvGeometry g, int chunk) {
        Backend be = x.backend();
        DType t = x.dtype();
        int n = x.size32("conv2d", 0), cin = x.size32("conv2d", 1), cout = w.size32("conv2d", 0);
        int rows = cin * g.kernelH() * g.kernelW(), l = g.outH() * g.outW();
        Tensor gx = needs[0] ? Tensor.empty(be, t, x.shape) : null; // zero-filled: col2im adds into it
        Tensor gw = needs[1] ? Tensor.empty(be, t, new long[]{cout, rows}) : null; // zeros when grad is empty
        boolean needsBias = needs.length > 2 && needs[2];
        // The input and weight gradients from the backend's fused kernels where it has them; the chunks below then skip them.
        var fused = Ember.fused(be, FusedConv.class);
        boolean direct = rows > 0 && grad.numel() > 0 && fused.isPresent();
        Tensor gc = direct ? grad.contiguous() : grad;
        boolean gxDone = direct && gx != null && fused.get().conv2dInputGrad(gc.strided(), w.strided(), g, gx.strided());
        Tensor gb = null;
        boolean gwDone = false;
        if (direct && gw != null && needsBias) {
            // the bias gradient from the weight gradient's pass over the output gradient, where the backend can
            Tensor b = Tensor.uninitialized(be, t, new long[]{cout});
            gwDone = fused.get().conv2dWeightAndBiasGrad(gc.strided(), x.strided(), g, gw.strided(), b.strided());
            if (gwDone) gb = b;
            else b.close();
        }
        if (needsBias && gb == null) gb = grad.sum(new int[]{0, 2, 3}, false);
        if (!gwDone) gwDone = direct && gw != null && fused.get().conv2dWeightGrad(gc.strided(), x.strided(), g, gw.strided());
        if (((gx != null && !gxDone) || (gw != null && !gwDone)) && rows > 0 && grad.numel() > 0) {
            // the op's own scratch, back to the allocator when it returns
            try (Tensor gt = Tensor.uninitialized(be, t, new long[]{cout, chunk * l});
                 Tensor cols = Tensor.uninitialized(be, t, new long[]{rows, chunk * l});
                 Tensor part = gw == null || gwDone ? null : Tensor.uninitialized(be, t, new long[]{cout, rows})) {
                long[] gs = grad.strides;
                Strided wT = new Strided(w.liveStorage(), new long[]{1, rows, cout}, new long[]{0, 1, rows}, w.offset);
                for (int i0 = 0; i0 < n; i0 += chunk) {
                    int nc = Math.min(chunk, n - i0);
                    // The chunk's output gradient as a [cout, nc * L] matrix.
                    be.copy(new Strided(grad.liveStorage(), new long[]{cout, nc, g.outH(), g.outW()}, new long[]{gs[1], gs[0], gs[2], gs[3]},
                                    grad.offset + i0 * gs[0]),
                            new Strided(gt.storage, new long[]{cout, nc, g.outH(), g.outW()}, new long[]{nc * l, l, g.outW(), 1}, 0));
                    Strided gMat = matrix(gt, cout, nc * l, nc * l);
                    if (gw != null && !gwDone) {
                        unfold(x, i0, nc, g, cols, rows, l);
                        // dW += dY [cout, nc L] @ cols^T [nc L, rows]
                        Strided colsT = new Strided(cols.storage, new long[]{1, nc * l, rows}, new long[]{0, 1, chunk * l}, 0);
                        Strided target = i0 == 0 ? matrix(gw, cout, rows, rows) : matrix(part, cout, rows, rows);
                        be.matmul(gMat, colsT, target);
                        if (i0 > 0) be.binary(BinaryOp.ADD, gw.strided(), part.strided(), gw.strided());
                    }
                    if (gx != null && !gxDone) {
                        // dcols [rows, nc L] = W^T @ dY, folded back into the chunk's images.
                        be.matmul(wT, gMat, matrix(cols, rows, nc * l, nc * l));
                        long[] chunkShape = {nc, cin, x.shape[2], x.shape[3]};
                        be.col2im(new Strided(cols.storage, new long[]{nc, rows, l}, new long[]{l, nc * l, 1}, 0), g,
                                new Strided(gx.storage, chunkShape, Shapes.contiguousStrides(chunkShape), i0 * gx.strides[0]));
                    }
                }
            }
        }
        return new Tensor[]{gx, gw == null ? null : gw.reshape((w.shape)), gb};
    }

    /** im2col of images {@code [i0, i0 + nc)} into {@code cols} as a {@code [rows, nc * L]} matrix with row stride {@code chunk * L}. */
    private static void unfold(Tensor x, int i0, int nc, ConvGeometry g, Tensor cols, int rows, int l) {
        int ld = cols.size32("conv2d", 1);
        long[] xs = x.strides;
        Strided xChunk = new Strided(x.liveStorage(), new long[]{nc, x.shape[1], x.shape[2], x.shape[3]}, xs, x.offset + i0 * xs[0]);
        x.backend().im2col(xChunk, g, 0.0, new Strided(cols.storage, new long[]{nc, rows, l}, new long[]{l, ld, 1}, 0));
    }

    /** {@code t}'s storage from offset 0 as a {@code [1, r, c]} matrix with row stride {@code ld}. */
    private static Strided matrix(Tensor t, int r, int c, int ld) {
        return new Strided(t.storage, new long[]{1, r, c}, new long[]{r * ld, ld, 1}, 0);
    }
}
