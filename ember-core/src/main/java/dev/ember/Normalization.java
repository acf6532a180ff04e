package dev.ember;

import dev.ember.backend.FusedNorm;
import dev.ember.backend.Strided;
import java.util.Arrays;

/**
 * Layer normalisation and RMS normalisation over the trailing dims {@code normalizedShape}, as PyTorch's
 * {@code F.layer_norm} and {@code F.rms_norm}, each one autograd node where the backend has the
 * {@link FusedNorm} capability (the CPU): the forward pass writes the output and saves only the input and the
 * per-row {@code mean} and {@code rstd} (float32, one each per row); the backward pass recomputes the
 * normalised input from them. Elsewhere (the GPU backends, FLOAT64, or fused kernels switched off with
 * {@link Ember#setFusedKernelsEnabled}) the norm is composed of mean, subtract, square, rsqrt, multiply and
 * add, with the same results up to rounding.
 *
 * <p>Dtypes: a norm is on autocast's float32 list, as PyTorch's {@code layer_norm}: inside an autocast scope
 * the result is FLOAT32 whatever the input's dtype. The fused kernel reads a 16-bit input directly instead
 * of a float32 copy, so what backward keeps is the 16-bit input. Outside autocast a 16-bit input gives a
 * result of its own dtype (a BFLOAT16 model keeps BFLOAT16 activations), computed in float32 and rounded
 * once, as PyTorch's CPU kernel; the weight and bias may be float32 or 16-bit (PyTorch's mixed-type rule).
 */
public final class Normalization {
    private Normalization() {}

    /**
     * {@code (x - mean) / sqrt(var + eps) * weight + bias}, mean and biased variance over the trailing
     * {@code normalizedShape}; weight and bias (of shape {@code normalizedShape}) may be null.
     */
    public static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return norm("layerNorm", false, x, normalizedShape, weight, bias, eps);
    }

    /** {@code x / sqrt(mean(x^2) + eps) * weight} over the trailing {@code normalizedShape}; weight may be null. */
    public static Tensor rmsNorm(Tensor x, long[] normalizedShape, Tensor weight, double eps) {
        return norm("rmsNorm", true, x, normalizedShape, weight, null, eps);
    }

    private static Tensor norm(String op, boolean rms, Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        int[] dims = check(op, x, normalizedShape, weight, bias, eps);
        DType outType = Autocast.isEnabled() && x.dtype().isHalf() ? DType.FLOAT32 : x.dtype();
        weight = Autocast.float32(weight);
        bias = Autocast.float32(bias);
        Tensor fused = fused(op, rms, x, normalizedShape, weight, bias, eps, outType);
        if (fused != null) return fused;
        Tensor y = composed(rms, Autocast.float32(x), dims, weight, bias, eps);
        return y.dtype() == outType || !outType.isHalf() ? y : y.to(outType);
    }

    /** The trailing dims, after checking shapes and eps; errors name the op. */
    private static int[] check(String op, Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        if (normalizedShape == null || normalizedShape.length == 0)
            throw new IllegalArgumentException(op + ": normalizedShape must name at least one dim, got " + Arrays.toString(normalizedShape));
        if (!x.dtype().isFloatingPoint()) throw new IllegalArgumentException(op + ": input must be floating point, got " + x.dtype());
        if (!(eps >= 0)) throw new IllegalArgumentException(op + ": eps must be >= 0, got " + eps);
        int k = normalizedShape.length, r = x.dim();
        boolean ok = r >= k;
        for (int i = 0; ok && i < k; i++) ok = x.size(r - k + i) == normalizedShape[i];
        if (!ok) throw new IllegalArgumentException(op + ": input shape " + Arrays.toString(x.shape()) + " does not end with the normalized shape "
                + Arrays.toString(normalizedShape));
        checkParameter(op, "weight", weight, x, normalizedShape);
        checkParameter(op, "bias", bias, x, normalizedShape);
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = r - k + i;
        return dims;
    }

    private static void checkParameter(String op, String name, Tensor p, Tensor x, long[] normalizedShape) {
        if (p == null) return;
        if (!Arrays.equals(p.shape(), normalizedShape))
            throw new IllegalArgumentException(op + ": " + name + " shape " + Arrays.toString(p.shape()) + " must equal normalizedShape "
                    + Arrays.toString(normalizedShape));
        if (!p.dtype().isFloatingPoint()) throw new IllegalArgumentException(op + ": " + name + " must be floating point, got " + p.dtype());
        if (!p.device().equals(x.device()))
            throw new IllegalArgumentException(op + ": " + name + " is on " + p.device() + ", input on " + x.device());
    }

    /** The norm from primitives (every backend); a 16-bit input is computed in float32 and rounded once. */
    private static Tensor composed(boolean rms, Tensor x, int[] dims, Tensor weight, Tensor bias, double eps) {
        if (x.dtype().isHalf()) return composed(rms, x.to(DType.FLOAT32), dims, weight, bias, eps).to(x.dtype());
        Tensor y;
        if (rms) y = x.mul(x.square().mean(dims, true).add(eps).rsqrt());
        else {
            Tensor centered = x.sub(x.mean(dims, true));
            y = centered.mul(centered.square().mean(dims, true).add(eps).rsqrt());
        }
        if (weight != null) y = y.mul(weight);
        return bias == null ? y : y.add(bias);
    }

    /** The backend's fused kernel as one autograd node; null when the backend has none for these operands. */
    private static Tensor fused(String op, boolean rms, Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps,
                                DType outType) {
        if (!kernelDType(x) || !kernelDType(weight) || !kernelDType(bias) || x.numel() == 0
                || x.numel() > Integer.MAX_VALUE) return null; // the fused kernels index in 32 bits
        var found = Ember.fused(x.backend(), FusedNorm.class);
        if (found.isEmpty()) return null;
        FusedNorm kernel = found.get();
        long size = 1;
        for (long d : normalizedShape) size *= d;
        int n = (int) size, rows = (int) (x.numel() / n);
        Tensor xc = x.contiguous();
        // the kernel reads float32 parameters: a 16-bit weight's copy has n elements, a float32 one is itself
        Tensor w = floats(weight), b = floats(bias);
        Tensor out = Tensor.uninitialized(x.backend(), outType, xc.shape);
        Tensor mean = rms ? null : Tensor.uninitialized(x.backend(), DType.FLOAT32, new long[]{rows});
        Tensor rstd = Tensor.uninitialized(x.backend(), DType.FLOAT32, new long[]{rows});
        if (!kernel.normForward(xc.strided(), n, strided(w), strided(b), eps, rms, out.strided(), strided(mean), rstd.strided()))
            return null;
        Tensor[] saved = weight == null ? new Tensor[]{xc} : new Tensor[]{xc, weight};
        Tensor wParam = weight, bParam = bias;
        return Tensor.recordSaving(op, out, saved, (g, needs) -> {
            Tensor gc = g.dtype() == DType.FLOAT32 || g.dtype().isHalf() ? g.contiguous() : g.to(outType).contiguous();
            Tensor dx = needs[0] ? Tensor.uninitialized(x.backend(), xc.dtype(), xc.shape) : null;
            Tensor dw = wParam != null && needs[1] ? Tensor.uninitialized(x.backend(), DType.FLOAT32, new long[]{n}) : null;
            Tensor db = bParam != null && needs[2] ? Tensor.uninitialized(x.backend(), DType.FLOAT32, new long[]{n}) : null;
            if (!kernel.normBackward(gc.strided(), xc.strided(), n, strided(w), strided(mean), rstd.strided(), rms,
                    strided(dx), strided(dw), strided(db)))
                throw new IllegalStateException(op + ": the backend's fused backward refused the operands its forward took");
            return new Tensor[]{dx, parameterGrad(dw, wParam), parameterGrad(db, bParam)};
        }, xc, weight, bias);
    }

    private static boolean kernelDType(Tensor t) {
        return t == null || t.dtype() == DType.FLOAT32 || t.dtype().isHalf();
    }

    private static Tensor floats(Tensor p) { return p == null ? null : p.detach().to(DType.FLOAT32).contiguous(); }

    private static Strided strided(Tensor t) { return t == null ? null : t.strided(); }

    private static Tensor parameterGrad(Tensor g, Tensor p) { return g == null ? null : g.reshape(p.shape()).to(p.dtype()); }
}
