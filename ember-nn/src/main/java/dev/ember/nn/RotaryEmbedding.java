package dev.ember.nn;

import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;

/**
 * Rotary position embedding (RoPE, Su et al. 2021) in the "rotate half" layout of GPT-NeoX and LLaMA's Hugging
 * Face checkpoints: the pair {@code (x[i], x[i + d/2])} of a head of width {@code d} at position {@code p} is
 * rotated by the angle {@code p * base^(-2i/d)}: {@code x * cos + rotateHalf(x) * sin} with
 * {@code rotateHalf(x) = cat(-x[d/2:], x[:d/2])}. Applied to queries and keys {@code [..., T, d]}, so their dot
 * products depend only on relative positions. No parameters; the cos/sin tables are constants kept per device.
 */
public final class RotaryEmbedding extends Module {
    private final int headDim, maxLength;
    private final double base;
    private final Tensor cosHost, sinHost;
    private Tensor cos, sin;

    /** RoPE for heads of even width {@code headDim} up to {@code maxLength} positions, with base 10000. */
    public RotaryEmbedding(int headDim, int maxLength) { this(headDim, maxLength, 10000); }

    /** RoPE with the given frequency {@code base}. */
    public RotaryEmbedding(int headDim, int maxLength, double base) {
        if (headDim <= 0 || headDim % 2 != 0) throw new IllegalArgumentException("RotaryEmbedding: headDim must be even and positive, got " + headDim);
        if (maxLength <= 0) throw new IllegalArgumentException("RotaryEmbedding: maxLength must be positive, got " + maxLength);
        this.headDim = headDim;
        this.maxLength = maxLength;
        this.base = base;
        int half = headDim / 2;
        double[] c = new double[maxLength * headDim], s = new double[maxLength * headDim];
        for (int p = 0; p < maxLength; p++)
            for (int i = 0; i < half; i++) {
                double angle = p * Math.pow(base, -2.0 * i / headDim);
                c[p * headDim + i] = c[p * headDim + half + i] = Math.cos(angle);
                s[p * headDim + i] = s[p * headDim + half + i] = Math.sin(angle);
            }
        this.cosHost = Tensor.of(c, maxLength, headDim).to(Ember.defaultDType());
        this.sinHost = Tensor.of(s, maxLength, headDim).to(Ember.defaultDType());
    }

    @Override
    public Tensor forward(Tensor x) { return apply(x, 0); }

    /** {@code x [..., T, headDim]} rotated for positions {@code start..start+T-1}. */
    public Tensor apply(Tensor x, int start) {
        check(x);
        long t = x.size(-2);
        if (start < 0 || start + t > maxLength)
            throw new IllegalArgumentException("RotaryEmbedding: positions " + start + ".." + (start + t - 1) + " exceed maxLength " + maxLength);
        tables(x.device());
        return rotate(x, cos.narrow(0, start, t).to(x.dtype()), sin.narrow(0, start, t).to(x.dtype()));
    }

    /**
     * {@code x [batch, heads, T, headDim]} rotated for per-sequence positions {@code positions [batch, T]} (integer),
     * as left-padded batches need.
     */
    public Tensor apply(Tensor x, Tensor positions) {
        check(x);
        if (x.dim() != 4 || positions.dim() != 2 || positions.size(0) != x.size(0) || positions.size(1) != x.size(2))
            throw new IllegalArgumentException("RotaryEmbedding: expected x [batch, heads, T, " + headDim + "] and positions [batch, T], got "
                    + java.util.Arrays.toString(x.shape()) + " and " + java.util.Arrays.toString(positions.shape()));
        tables(x.device());
        Tensor idx = positions.reshape(-1);
        long b = x.size(0), t = x.size(2);
        return rotate(x, cos.indexSelect(0, idx).reshape(b, 1, t, headDim).to(x.dtype()),
                sin.indexSelect(0, idx).reshape(b, 1, t, headDim).to(x.dtype()));
    }

    private void check(Tensor x) {
        if (x.dim() < 2 || x.size(-1) != headDim)
            throw new IllegalArgumentException("RotaryEmbedding: expected input [..., T, " + headDim + "], got " + java.util.Arrays.toString(x.shape()));
    }

    private void tables(Device device) {
        if (cos == null || !cos.device().equals(device)) {
            cos = cosHost.to(device);
            sin = sinHost.to(device);
        }
    }

    private Tensor rotate(Tensor x, Tensor c, Tensor s) {
        int half = headDim / 2, last = x.dim() - 1;
        Tensor rotated = Tensor.cat(last, x.narrow(last, half, half).neg(), x.narrow(last, 0, half));
        return x.mul(c).add(rotated.mul(s));
    }

    @Override
    public String toString() { return "RotaryEmbedding(headDim=" + headDim + ", maxLength=" + maxLength + ", base=" + base + ")"; }
}
