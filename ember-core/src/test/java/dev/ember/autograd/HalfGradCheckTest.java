package dev.ember.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Tensor;
import dev.ember.testing.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradients computed in FLOAT16 and BFLOAT16 against the float64 analytic gradients of the same program on
 * the same (16-bit-representable) inputs; {@link GradCheckTest} checks those float64 gradients against
 * finite differences. Each program's loss is {@code sum(w * f(x))} with random weights {@code w}. The
 * gradients must keep the input's 16-bit dtype and agree norm-wise: every element within
 * {@code tol * max|float64 gradient|}, where tol is a few units of the type's last place (see {@link #F16_TOLERANCE}).
 */
@Tag("devices")
class HalfGradCheckTest {
    /**
     * Norm-wise tolerance: 4 units in the last place of FLOAT16 (2^-10) and of BFLOAT16 (2^-7). The largest errors
     * measured are 1.9 units (FLOAT16, the gradient of a broadcast 0-d factor: six rounded products summed) and
     * 1.6 units (BFLOAT16, rsqrt).
     */
    private static final double F16_TOLERANCE = 4 * 0x1p-10, BF16_TOLERANCE = 4 * 0x1p-7;

    static Stream<Device> devices() {
        return Checks.devices().stream().filter(d -> {
            try {
                Tensor.zeros(DType.FLOAT16, 1).to(d);
                return true;
            } catch (UnsupportedOperationException e) {
                return false; // a backend that refuses 16-bit tensors (the GPU backends, for now)
            }
        });
    }

    private record Program(String name, Function<Tensor[], Tensor> f, double[][] inputs, long[][] shapes) {}

    private static final Random RANDOM = new Random(17);

    private static double[] values(double lo, double hi, long... shape) {
        int n = 1;
        for (long s : shape) n *= (int) s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * RANDOM.nextDouble();
        return v;
    }

    private static Program p(String name, Function<Tensor[], Tensor> f, Object... valuesThenShapes) {
        int k = valuesThenShapes.length / 2;
        double[][] in = new double[k][];
        long[][] shapes = new long[k][];
        for (int i = 0; i < k; i++) {
            in[i] = (double[]) valuesThenShapes[2 * i];
            shapes[i] = (long[]) valuesThenShapes[2 * i + 1];
        }
        return new Program(name, f, in, shapes);
    }

    private static Object[] leaf(double lo, double hi, long... shape) { return new Object[]{values(lo, hi, shape), shape}; }

    private static Object[] args(Object[]... leaves) {
        List<Object> out = new ArrayList<>();
        for (Object[] l : leaves) out.addAll(List.of(l));
        return out.toArray();
    }

    static List<Program> programs(Device dev) {
        List<Program> ps = new ArrayList<>();
        List<Function<Tensor, Tensor>> smooth = List.of(Tensor::neg, Tensor::exp, Tensor::sin, Tensor::cos, Tensor::tanh, Tensor::sigmoid,
                Tensor::gelu, Tensor::erf, Tensor::softplus, Tensor::square, Tensor::expm1, t -> t.mul(3.0), t -> t.rsub(1.0), t -> t.pow(3.0));
        for (int i = 0; i < smooth.size(); i++) {
            var f = smooth.get(i);
            ps.add(p("smooth unary " + i, in -> f.apply(in[0]), args(leaf(-1, 1, 3, 4))));
        }
        List<Function<Tensor, Tensor>> positive = List.of(Tensor::log, Tensor::log1p, Tensor::sqrt, Tensor::rsqrt, Tensor::reciprocal,
                t -> t.pow(2.5), t -> t.pow(-0.5));
        for (int i = 0; i < positive.size(); i++) {
            var f = positive.get(i);
            ps.add(p("positive unary " + i, in -> f.apply(in[0]), args(leaf(0.5, 2, 3, 4))));
        }
        double[] kinked = {-1.5, -0.7, -0.2, 0.3, 0.8, 1.6};
        ps.add(p("relu, leakyRelu, clamp, abs", in -> in[0].relu().add(in[0].leakyRelu(0.2)).add(in[0].clamp(-0.5, 0.5)).add(in[0].abs()),
                kinked, new long[]{2, 3}));
        long[][][] shapes = {{{3, 4}, {3, 4}}, {{2, 3, 4}, {4}}, {{3, 1}, {1, 4}}, {{}, {2, 3}}};
        for (long[][] s : shapes) {
            String sh = java.util.Arrays.toString(s[0]) + " with " + java.util.Arrays.toString(s[1]);
            ps.add(p("add " + sh, in -> in[0].add(in[1]), args(leaf(-1, 1, s[0]), leaf(-1, 1, s[1]))));
            ps.add(p("mul " + sh, in -> in[0].mul(in[1]), args(leaf(-1, 1, s[0]), leaf(-1, 1, s[1]))));
            ps.add(p("div " + sh, in -> in[0].div(in[1]), args(leaf(-1, 1, s[0]), leaf(0.5, 2, s[1]))));
            ps.add(p("pow " + sh, in -> in[0].pow(in[1]), args(leaf(0.5, 2, s[0]), leaf(-1, 1, s[1]))));
            ps.add(p("maximum " + sh, in -> in[0].maximum(in[1]), args(leaf(-1, 1, s[0]), leaf(-1, 1, s[1]))));
            ps.add(p("atan2 " + sh, in -> in[0].atan2(in[1]), args(leaf(-1, 1, s[0]), leaf(0.5, 2, s[1]))));
        }
        ps.add(p("sum, mean, var", in -> in[0].sum(1).add(in[0].mean(new int[]{1}, false)).add(in[0].var(new int[]{1}, 1, false)),
                args(leaf(-1, 1, 4, 5))));
        ps.add(p("max, logsumexp", in -> in[0].max(1).add(in[0].logsumexp(1, false)), args(leaf(-1, 1, 4, 5))));
        ps.add(p("softmax", in -> in[0].softmax(1), args(leaf(-2, 2, 4, 5))));
        ps.add(p("logSoftmax dim 0", in -> in[0].logSoftmax(0), args(leaf(-2, 2, 4, 5))));
        ps.add(p("matmul", in -> in[0].matmul(in[1]), args(leaf(-1, 1, 2, 3, 40), leaf(-1, 1, 40, 6))));
        ps.add(p("matmul transposed", in -> in[0].transpose(0, 1).matmul(in[1].transpose(1, 2)), args(leaf(-1, 1, 4, 2, 3), leaf(-1, 1, 2, 5, 3))));
        ps.add(p("conv2d", in -> in[0].conv2d(in[1], in[2], 1, 1), args(leaf(-1, 1, 2, 2, 5, 4), leaf(-1, 1, 3, 2, 3, 3), leaf(-1, 1, 3))));
        ps.add(p("conv2d grouped, dilated", in -> in[0].conv2d(in[1], in[2], new int[]{1, 1}, new int[]{1, 1}, new int[]{2, 2}, 2),
                args(leaf(-1, 1, 1, 4, 6, 6), leaf(-1, 1, 4, 2, 3, 3), leaf(-1, 1, 4))));
        double[] distinct = new double[2 * 2 * 5 * 5];
        for (int i = 0; i < distinct.length; i++) distinct[i] = ((i * 37) % distinct.length) / 10.0; // unique window maxima, exact in 16 bits
        ps.add(p("maxPool2d", in -> in[0].maxPool2d(new int[]{3, 3}, new int[]{2, 2}, new int[]{1, 1}), distinct, new long[]{2, 2, 5, 5}));
        ps.add(p("avgPool2d", in -> in[0].avgPool2d(new int[]{2, 2}, new int[]{1, 1}, new int[]{1, 1}), args(leaf(-1, 1, 2, 2, 5, 5))));
        Tensor idx = Tensor.of(new long[]{2, 0, 2, 1}).to(dev), g = Tensor.of(new long[]{0, 2, 1, 1, 0, 0}, 3, 2).to(dev);
        ps.add(p("indexSelect", in -> in[0].indexSelect(0, idx), args(leaf(-1, 1, 3, 4))));
        ps.add(p("gather, scatterAdd", in -> in[0].gather(1, g).add(in[0].scatterAdd(1, g, in[1]).narrow(1, 0, 2)), args(leaf(-1, 1, 3, 4), leaf(-1, 1, 3, 2))));
        ps.add(p("layer norm", in -> {
            Tensor x = in[0];
            Tensor mu = x.mean(new int[]{1}, true), var = x.var(new int[]{1}, 0, true);
            return x.sub(mu).div(var.add(1e-5).sqrt()).mul(in[1]).add(in[2]);
        }, args(leaf(-1, 1, 4, 6), leaf(-1, 1, 6), leaf(-1, 1, 6))));
        Tensor target = Tensor.of(new long[]{1, 0, 3}, 3, 1).to(dev);
        ps.add(p("cross-entropy", in -> in[0].logSoftmax(1).gather(1, target).mean().neg(), args(leaf(-2, 2, 3, 5))));
        return ps;
    }

    @ParameterizedTest
    @MethodSource("devices")
    void gradientsIn16BitsAgreeWithFloat64(Device dev) {
        for (DType dt : new DType[]{DType.FLOAT16, DType.BFLOAT16}) {
            double tol = dt == DType.FLOAT16 ? F16_TOLERANCE : BF16_TOLERANCE;
            for (Program p : programs(dev)) check(p, dt, tol, dev);
        }
    }

    /** Largest norm-wise error of the program's input gradients in {@code dt}; fails past {@code tol}. */
    private static double check(Program p, DType dt, double tol, Device dev) {
        int k = p.inputs().length;
        Tensor[] x64 = new Tensor[k], x16 = new Tensor[k];
        for (int i = 0; i < k; i++) {
            // inputs the 16-bit type holds exactly, so both programs start from the same values
            Tensor exact = Tensor.of(p.inputs()[i], p.shapes()[i]).to(dt).to(DType.FLOAT64).to(dev);
            x64[i] = exact.clone().requiresGrad(true);
            x16[i] = exact.to(dt).requiresGrad(true);
        }
        Tensor y64 = p.f().apply(x64);
        Tensor w = Tensor.of(values(-1, 1, y64.shape()), y64.shape()).to(dt).to(DType.FLOAT64).to(dev);
        y64.mul(w).sum().backward();
        Tensor y16 = p.f().apply(x16);
        assertEquals(dt, y16.dtype(), p.name() + " in " + dt + ": output dtype");
        y16.mul(w.to(dt)).sum().backward();
        double worst = 0;
        for (int i = 0; i < k; i++) {
            Tensor g16 = x16[i].grad();
            assertEquals(dt, g16.dtype(), p.name() + " in " + dt + ": gradient dtype of input " + i);
            double[] e = x64[i].grad().toDoubleArray(), a = g16.toDoubleArray();
            double scale = 0;
            for (double v : e) scale = Math.max(scale, Math.abs(v));
            scale = Math.max(scale, 1e-3);
            for (int j = 0; j < e.length; j++) {
                double err = Math.abs(a[j] - e[j]) / scale;
                worst = Math.max(worst, err);
                if (!(err <= tol))
                    fail(p.name() + " in " + dt + " on " + dev + ": gradient of input " + i + " element " + j + " is " + a[j] + ", float64 gives "
                            + e[j] + " (error " + err + " of the largest gradient " + scale + ", tolerance " + tol + ")");
            }
        }
        return worst;
    }
}
