package dev.ember.backend.cpu;

import dev.ember.backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d for 3 x 3 kernels, stride 1, padding 1, with at most {@link #MAX_CIN} input channels (an image's first
 * layer: 1 for grey, 3 for RGB), computed directly: each output vector of a plane is the fused multiply-add chain of
 * its {@code cin * 9} shifted input vectors, the weights held in registers. With a depth of 9 to 36 the implicit GEMM
 * ({@link ConvGemm#implicitGemm}) spent its time packing strips and in its tiles' set-up and epilogue, not in
 * multiply-adds: the demo CNN's conv1 forward ({@code [128, 1, 28, 28] -> 32 channels}) ran at about 10 GFLOP/s.
 *
 * <p>Each output element is one chain of fused multiply-adds from +0 in (ci, ki, kj) order, then the bias added: the
 * order of the GEMM's row kernels, though the GEMM's edge and narrow kernels order some sums otherwise, so the two
 * paths agree to rounding, not always to the bit. Horizontal padding without branches: the plane is flat (row width {@code W}), so a
 * tap with column offset -1 or +1 would read the neighbouring row's last or first element at a row's edge; each channel
 * is copied three times per image, the copy for offset -1 with its last column zeroed, the one for +1 with its first
 * column zeroed, and rows of zeros above and below give the vertical padding.
 */
final class DirectConv {
    private DirectConv() {}

    private static final VectorSpecies<Float> S = GemmKernels.S;
    private static final int L = GemmKernels.L;
    /** Most input channels taken here; beyond, the implicit GEMM's depth is large enough to pay for its packing. */
    static final int MAX_CIN = 4;
    /** {@code -Dember.conv.direct=false} sends these convolutions to the implicit GEMM (for A/B runs). */
    static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("ember.conv.direct"));

    /** Whether {@link #forward} handles this convolution. */
    static boolean supports(ConvGeometry g, int cin) {
        return cin >= 1 && cin <= MAX_CIN && g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1
                && g.dilationH() == 1 && g.dilationW() == 1 && g.padH() == 1 && g.padW() == 1
                && g.outH() == g.inH() && g.outW() == g.inW() && g.inH() > 0 && g.inW() > 0;
    }

    /** {@link ConvGemm#forward}'s contract, for the convolutions that {@link #supports} accepts. */
    static void forward(float[] x, int xo, int[] xs, int n, int cin, float[] w, int wo, int cout, float[] bias, int biasO,
                        int biasStride, ConvGeometry g, float[] out, int oo) {
        int h = g.inH(), width = g.inW(), l = h * width, rows = cin * 9;
        // one padded copy: L zeros, a zero row, the plane, a zero row, L zeros (the taps read base - 1 .. base + (h + 2) * width)
        int copy = L + (h + 2) * width + L;
        if (n >= Parallel.threads() || (long) n * cout * l < 100_000L) {
            // images are independent: each task pads one image and computes all its planes
            Parallel.forRange(n, 1, (i0, i1) -> {
                float[] p = ConvGemm.SCRATCH.get().image(3 * cin * copy); // the implicit GEMM's padded-image buffer
                for (int img = i0; img < i1; img++) {
                    pad(x, xo + img * xs[0], xs, cin, h, width, copy, p);
                    planes(p, copy, cin, width, l, w, wo, rows, 0, cout, bias, biasO, biasStride, out, oo + img * cout * l);
                }
            });
        } else {
            // fewer images than threads (inference on one large image): pad each once into the calling thread's buffer
            // (the tasks only read it), share its output channels
            float[] p = ConvGemm.SCRATCH.get().image(3 * cin * copy);
            for (int img = 0; img < n; img++) {
                pad(x, xo + img * xs[0], xs, cin, h, width, copy, p);
                int o = oo + img * cout * l;
                Parallel.forRange(cout, 1, (c0, c1) -> planes(p, copy, cin, width, l, w, wo, rows, c0, c1, bias, biasO, biasStride, out, o));
            }
        }
    }

    /** Output channels {@code [c0, c1)} of one padded image. */
    private static void planes(float[] p, int copy, int cin, int width, int l, float[] w, int wo, int rows, int c0, int c1,
                               float[] bias, int biasO, int biasStride, float[] out, int o) {
        for (int c = c0; c < c1; c++) {
            float b = bias == null ? 0f : bias[biasO + c * biasStride];
            plane(p, copy, cin, width, l, w, wo + c * rows, bias != null, b, out, o + c * l);
        }
    }

    /** Start of the copy of channel ci for column offset dx (-1, 0, +1) in the scratch, at its (0, 0) element. */
    private static int base(int ci, int dx, int copy, int width) {
        return (3 * ci + dx + 1) * copy + L + width;
    }

    /** The three copies of each channel of one image (see the class comment); the zero borders are rewritten each time. */
    private static void pad(float[] x, int xo, int[] xs, int cin, int h, int width, int copy, float[] p) {
        java.util.Arrays.fill(p, 0, 3 * cin * copy, 0f);
        for (int ci = 0; ci < cin; ci++) {
            int src = xo + ci * xs[1];
            int left = base(ci, -1, copy, width), mid = base(ci, 0, copy, width), right = base(ci, 1, copy, width);
            for (int y = 0; y < h; y++) {
                int s = src + y * xs[2], d = y * width;
                if (xs[3] == 1) System.arraycopy(x, s, p, mid + d, width);
                else for (int j = 0; j < width; j++) p[mid + d + j] = x[s + j * xs[3]];
                System.arraycopy(p, mid + d, p, left + d, width - 1);  // offset -1 reads column width-1 as padding: cleared
                System.arraycopy(p, mid + d + 1, p, right + d + 1, width - 1); // offset +1 reads column 0 as padding: cleared
            }
        }
    }

    /** One output plane: {@code out[j] = sum over r of w[r] * tap_r[j] (+ bias)}, j over the flat plane. */
    private static void plane(float[] p, int copy, int cin, int width, int l, float[] w, int wr, boolean hasBias, float b,
                              float[] out, int o) {
        int bound = l - l % L;
        if (cin == 1) {
            one(p, copy, width, bound, w, wr, hasBias, b, out, o);
        } else {
            // Channel by channel, the running sums parked in the output (float32 either way, so the same bits).
            for (int ci = 0; ci < cin; ci++) channel(p, copy, ci, width, bound, w, wr + 9 * ci, ci > 0, out, o);
            if (hasBias) {
                var vb = FloatVector.broadcast(S, b);
                for (int j = 0; j < bound; j += L) FloatVector.fromArray(S, out, o + j).add(vb).intoArray(out, o + j);
            }
        }
        for (int j = bound; j < l; j++) { // the plane's last few elements, one at a time, in the same order
            float acc = 0f;
            for (int ci = 0; ci < cin; ci++)
                for (int ki = 0; ki < 3; ki++)
                    for (int kj = 0; kj < 3; kj++)
                        acc = Math.fma(w[wr + 9 * ci + 3 * ki + kj], p[base(ci, kj - 1, copy, width) + j + (ki - 1) * width + kj - 1], acc);
            out[o + j] = hasBias ? acc + b : acc;
        }
    }

    /**
     * A one-channel plane: nine weights in registers, nine loads and nine fused multiply-adds per output vector. Written
     * apart from {@link #channel}: one method for both, choosing its start and its bias with loop-invariant conditions
     * in the loop, was about 30% slower on conv1 (Zen 3, best of 600 calls 1.69-2.03 ms against 1.41-1.47).
     */
    private static void one(float[] p, int copy, int width, int bound, float[] w, int wr, boolean hasBias, float b,
                            float[] out, int o) {
        int a = base(0, -1, copy, width) - width - 1, m = base(0, 0, copy, width) - width, c = base(0, 1, copy, width) - width + 1;
        int w2 = 2 * width;
        var w0 = FloatVector.broadcast(S, w[wr]); var w1 = FloatVector.broadcast(S, w[wr + 1]); var w2v = FloatVector.broadcast(S, w[wr + 2]);
        var w3 = FloatVector.broadcast(S, w[wr + 3]); var w4 = FloatVector.broadcast(S, w[wr + 4]); var w5 = FloatVector.broadcast(S, w[wr + 5]);
        var w6 = FloatVector.broadcast(S, w[wr + 6]); var w7 = FloatVector.broadcast(S, w[wr + 7]); var w8 = FloatVector.broadcast(S, w[wr + 8]);
        // +0 where there is no bias: x + 0 is x for every sum but -0, which a sum starting from +0 cannot be
        var vb = FloatVector.broadcast(S, hasBias ? b : 0f);
        for (int j = 0; j < bound; j += L) {
            var acc = w0.fma(FloatVector.fromArray(S, p, a + j), FloatVector.zero(S));
            acc = w1.fma(FloatVector.fromArray(S, p, m + j), acc);
            acc = w2v.fma(FloatVector.fromArray(S, p, c + j), acc);
            acc = w3.fma(FloatVector.fromArray(S, p, a + width + j), acc);
            acc = w4.fma(FloatVector.fromArray(S, p, m + width + j), acc);
            acc = w5.fma(FloatVector.fromArray(S, p, c + width + j), acc);
            acc = w6.fma(FloatVector.fromArray(S, p, a + w2 + j), acc);
            acc = w7.fma(FloatVector.fromArray(S, p, m + w2 + j), acc);
            acc = w8.fma(FloatVector.fromArray(S, p, c + w2 + j), acc);
            acc.add(vb).intoArray(out, o + j);
        }
    }

    /** Channel ci's nine taps added to the plane's running sums ({@code add}), or written as the first ones. */
    private static void channel(float[] p, int copy, int ci, int width, int bound, float[] w, int wr, boolean add,
                                float[] out, int o) {
        int a = base(ci, -1, copy, width) - width - 1, m = base(ci, 0, copy, width) - width, c = base(ci, 1, copy, width) - width + 1;
        int w2 = 2 * width;
        var w0 = FloatVector.broadcast(S, w[wr]); var w1 = FloatVector.broadcast(S, w[wr + 1]); var w2v = FloatVector.broadcast(S, w[wr + 2]);
        var w3 = FloatVector.broadcast(S, w[wr + 3]); var w4 = FloatVector.broadcast(S, w[wr + 4]); var w5 = FloatVector.broadcast(S, w[wr + 5]);
        var w6 = FloatVector.broadcast(S, w[wr + 6]); var w7 = FloatVector.broadcast(S, w[wr + 7]); var w8 = FloatVector.broadcast(S, w[wr + 8]);
        // the first channel starts from +0: reading a zeroed row instead would need the output cleared first
        float[] start = add ? out : ZEROS;
        for (int j = 0; j < bound; j += L) {
            var acc = w0.fma(FloatVector.fromArray(S, p, a + j), FloatVector.fromArray(S, start, add ? o + j : 0));
            acc = w1.fma(FloatVector.fromArray(S, p, m + j), acc);
            acc = w2v.fma(FloatVector.fromArray(S, p, c + j), acc);
            acc = w3.fma(FloatVector.fromArray(S, p, a + width + j), acc);
            acc = w4.fma(FloatVector.fromArray(S, p, m + width + j), acc);
            acc = w5.fma(FloatVector.fromArray(S, p, c + width + j), acc);
            acc = w6.fma(FloatVector.fromArray(S, p, a + w2 + j), acc);
            acc = w7.fma(FloatVector.fromArray(S, p, m + w2 + j), acc);
            acc = w8.fma(FloatVector.fromArray(S, p, c + w2 + j), acc);
            acc.intoArray(out, o + j);
        }
    }

    private static final float[] ZEROS = new float[L];
}
