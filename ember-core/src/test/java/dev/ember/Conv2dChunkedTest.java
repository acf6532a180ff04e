package dev.ember;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ember.backend.ConvGeometry;
import dev.ember.testing.Checks;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chunked conv2d node against the composed path (unfold, one GEMM for the batch, permute, bias
 * add), whose parts are each checked against float64 references elsewhere: forward values and all
 * three gradients, for chunk sizes that split the batch evenly, raggedly, per image and not at all,
 * with strided inputs, padding, stride and dilation.
 */
@Tag("devices")
class Conv2dChunkedTest {

    static Stream<Device> devices() { return Checks.devices().stream(); }

    private static Tensor composed(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation) {
        int n = (int) x.size(0), cout = (int) w.size(0);
        int[] kernel = {(int) w.size(2), (int) w.size(3)};
        Tensor cols = Convolution.unfoldForGemm(x, kernel, dilation, padding, stride);
        Tensor out = w.reshape(cout, cols.size(0)).matmul(cols);
        int oh = ((int) x.size(2) + 2 * padding[0] - dilation[0] * (kernel[0] - 1) - 1) / stride[0] + 1;
        int ow = ((int) x.size(3) + 2 * padding[1] - dilation[1] * (kernel[1] - 1) - 1) / stride[1] + 1;
        out = out.reshape(cout, n, oh, ow).permute(1, 0, 2, 3);
        return b == null ? out : out.add(b.reshape(1, cout, 1, 1));
    }

    @ParameterizedTest
    @MethodSource("devices")
    void chunksMatchTheComposedPath(Device dev) {
        int[][] cases = { // n, cin, h, w, cout, kh, kw, stride, pad, dilation
                {5, 3, 9, 8, 4, 3, 3, 1, 1, 1}, {7, 2, 11, 10, 3, 3, 2, 2, 1, 1}, {4, 3, 10, 10, 5, 3, 3, 1, 2, 2}, {3, 1, 6, 6, 2, 1, 1, 1, 0, 1}};
        for (int[] c : cases) {
            for (boolean withBias : new boolean[]{true, false}) {
                for (DType dt : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
                    Ember.manualSeed(11);
                    // x is a transposed (strided) view to exercise im2col's strides.
                    Tensor x0 = Tensor.randn(c[0], c[1], c[3], c[2]).to(dt).to(dev).transpose(2, 3);
                    Tensor w0 = Tensor.randn(c[4], c[1], c[5], c[6]).to(dt).to(dev);
                    Tensor b0 = withBias ? Tensor.randn(c[4]).to(dt).to(dev) : null;
                    int[] stride = {c[7], c[7]}, pad = {c[8], c[8]}, dil = {c[9], c[9]};
                    ConvGeometry g = new ConvGeometry(c[2], c[3], c[5], c[6], c[7], c[7], c[8], c[8], c[9], c[9]);
                    Tensor[] want = run(x0, w0, b0, v -> composed(v[0], v[1], v[2], stride, pad, dil));
                    for (int chunk : new int[]{1, 2, 3, c[0]}) {
                        Tensor[] got = run(x0, w0, b0, v -> Conv2dChunked.forward(v[0], v[1], v[2], g, chunk));
                        String what = dev + " " + dt + " case " + java.util.Arrays.toString(c) + " bias=" + withBias + " chunk=" + chunk;
                        double tol = dt == DType.FLOAT32 ? 1e-4 : 1e-10;
                        for (int i = 0; i < want.length; i++) {
                            if (want[i] == null) { assertNull(got[i], what); continue; }
                            assertArrayEquals(want[i].shapeInternal(), got[i].shapeInternal(), what + " shape " + i);
                            double[] a = want[i].toDoubleArray(), bb = got[i].toDoubleArray();
                            for (int k = 0; k < a.length; k++)
                                assertEquals(a[k], bb[k], tol * Math.max(1, Math.abs(a[k])), what + " output/grad " + i + " element " + k);
                        }
                    }
                }
            }
        }
    }

    private static Tensor leaf(Tensor t) { return t == null ? null : t.detach().requiresGrad(true); }

    /** Output and gradients of x, w, b for {@code sum(conv(x, w, b) * r)} with a fixed random {@code r}. */
    private static Tensor[] run(Tensor x0, Tensor w0, Tensor b0, Function<Tensor[], Tensor> conv) {
        Tensor x = leaf(x0), w = leaf(w0), b = leaf(b0);
        Tensor out = conv.apply(new Tensor[]{x, w, b});
        Ember.manualSeed(3);
        Tensor r = Tensor.randn(out.shape()).to(out.dtype()).to(out.device());
        out.mul(r).sum().backward();
        return new Tensor[]{out.detach(), x.grad(), w.grad(), b == null ? null : b.grad()};
    }
}
