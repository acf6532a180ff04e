package dev.ember.autograd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.testing.Checks;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import dev.ember.Ember;
import dev.ember.Tensor;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks (float64) of every differentiable op's gradient formula, on every
 * device present: random values, broadcasting, and non-contiguous views built inside the function.
 */
@ParameterizedClass
@MethodSource("devices")
@Tag("devices")
class GradCheckTest {
    private final Random random = new Random(42);
    private final Device dev;

    GradCheckTest(Device dev) { this.dev = dev; }

    static Stream<Device> devices() { return Checks.devices().stream(); }

    /** A constant (index, mask) on the device under test. */
    private Tensor on(Tensor t) { return t.to(dev); }

    @BeforeEach
    void seed() { Ember.manualSeed(7); }

    /** A float64 leaf of the given shape with values in [lo, hi). */
    private Tensor leaf(double lo, double hi, long... shape) {
        int n = 1;
        for (long s : shape) n *= (int) s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * random.nextDouble();
        return Tensor.of(v, shape).to(dev).requiresGrad(true);
    }

    private Tensor leaf(long... shape) { return leaf(-1, 1, shape); }

    private static void check(Function<Tensor[], Tensor> f, Tensor... in) { GradCheck.assertGradients(f, in); }

    @Test
    void unaryOps() {
        List<Function<Tensor, Tensor>> smooth = List.of(Tensor::neg, Tensor::exp, Tensor::sin, Tensor::cos, Tensor::tanh,
                Tensor::sigmoid, Tensor::gelu, Tensor::erf, Tensor::softplus, Tensor::square, Tensor::expm1,
                t -> t.mul(3.0), t -> t.add(2.0), t -> t.rsub(1.0), t -> t.div(4.0), t -> t.pow(3.0));
        for (var f : smooth) check(in -> f.apply(in[0]), leaf(3, 4));
        List<Function<Tensor, Tensor>> positive = List.of(Tensor::log, Tensor::log1p, Tensor::sqrt, Tensor::rsqrt,
                Tensor::reciprocal, t -> t.pow(2.5), t -> t.pow(-0.5));
        for (var f : positive) check(in -> f.apply(in[0]), leaf(0.5, 2, 3, 4));
        // Piecewise ops away from their kinks (values kept off 0 and off the clamp bounds).
        Tensor kinked = on(Tensor.of(new double[]{-1.5, -0.7, -0.2, 0.3, 0.8, 1.6}, 2, 3)).requiresGrad(true);
        for (var f : List.<Function<Tensor, Tensor>>of(Tensor::abs, Tensor::relu, t -> t.leakyRelu(0.2), t -> t.clamp(-0.5, 0.5),
                t -> t.clampMin(0.0), t -> t.clampMax(0.5)))
            check(in -> f.apply(in[0]), kinked);
        check(in -> in[0].floor().add(in[0]), kinked); // floor's gradient is zero
    }

    @Test
    void binaryOpsWithBroadcasting() {
        long[][][] shapes = {{{3, 4}, {3, 4}}, {{2, 3, 4}, {4}}, {{3, 1}, {1, 4}}, {{}, {2, 3}}, {{2, 1, 3}, {4, 1}}};
        for (long[][] s : shapes) {
            check(in -> in[0].add(in[1]), leaf(s[0]), leaf(s[1]));
            check(in -> in[0].sub(in[1]), leaf(s[0]), leaf(s[1]));
            check(in -> in[0].mul(in[1]), leaf(s[0]), leaf(s[1]));
            check(in -> in[0].div(in[1]), leaf(s[0]), leaf(0.5, 2, s[1]));
            check(in -> in[0].pow(in[1]), leaf(0.5, 2, s[0]), leaf(s[1]));
            check(in -> in[0].maximum(in[1]), leaf(s[0]), leaf(s[1]));
            check(in -> in[0].minimum(in[1]), leaf(s[0]), leaf(s[1]));
            check(in -> in[0].atan2(in[1]), leaf(s[0]), leaf(0.5, 2, s[1]));
            check(in -> in[0].add(in[1], 2.5), leaf(s[0]), leaf(s[1]));
        }
        check(in -> in[0].remainder(in[1]), leaf(0.1, 0.9, 3, 4), leaf(1.1, 2, 3, 4));
    }

    @Test
    void whereAndMaskedFill() {
        Tensor cond = on(Tensor.of(new boolean[]{true, false, true, false, false, true}, 2, 3));
        check(in -> Tensor.where(cond, in[0], in[1]), leaf(2, 3), leaf(3));
        check(in -> in[0].maskedFill(cond, 5.0).mul(in[0]), leaf(2, 3));
    }

    @Test
    void reductions() {
        Tensor x = leaf(3, 4, 5);
        check(in -> in[0].sum(), x);
        check(in -> in[0].sum(1), x);
        check(in -> in[0].sum(new int[]{0, 2}, true), x);
        check(in -> in[0].mean(new int[]{1, 2}, false), x);
        check(in -> in[0].mean(), x);
        check(in -> in[0].var(new int[]{1}, 1, false), x);
        check(in -> in[0].var(), x);
        check(in -> in[0].std(new int[]{0, 2}, 0, true), x);
        check(in -> in[0].max(1), x);
        check(in -> in[0].min(2, true), x);
        check(in -> in[0].max(), x);
        check(in -> in[0].min(), x);
        check(in -> in[0].logsumexp(1, false), x);
        check(in -> in[0].softmax(2), x);
        check(in -> in[0].softmax(0), x);
        check(in -> in[0].logSoftmax(1), x);
        check(in -> in[0].maxWithIndices(0, false).values(), x);
        check(in -> in[0].prod(), leaf(2, 3));
        Tensor oneZero = on(Tensor.of(new double[]{0.5, 0, -1.5, 2})).requiresGrad(true);
        check(in -> in[0].prod(), oneZero);
        Tensor twoZeros = on(Tensor.of(new double[]{0.5, 0, -1.5, 0})).requiresGrad(true);
        check(in -> in[0].prod(), twoZeros);
    }

    @Test
    void maxSplitsGradientAmongTies() {
        Tensor t = on(Tensor.of(new double[]{1, 3, 3, 2})).requiresGrad(true);
        t.max().backward();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[]{0, 0.5, 0.5, 0}, t.grad().toDoubleArray(), 0);
    }

    @Test
    void views() {
        Tensor x = leaf(2, 3, 4);
        check(in -> in[0].transpose(0, 2).mul(in[0].transpose(0, 2)), x);
        check(in -> in[0].permute(2, 0, 1).reshape(4, 6).exp(), x);
        check(in -> in[0].view(6, 4).tanh(), x);
        check(in -> in[0].transpose(1, 2).reshape(2, 12).sin(), x); // reshape copies here
        check(in -> in[0].narrow(1, 1, 2).square(), x);
        check(in -> in[0].select(2, 3).exp(), x);
        check(in -> in[0].unsqueeze(1).squeeze().cos(), x);
        check(in -> in[0].expand(5, 2, 3, 4).mul(in[1]), x, leaf(5, 1, 1, 1));
        check(in -> in[0].flatten(1, 2).sigmoid(), x);
        check(in -> in[0].t().matmul(in[0]), leaf(3, 2));
        check(in -> in[0].contiguous().add(in[0].clone()), x);
    }

    @Test
    void catStackSplit() {
        check(in -> Tensor.cat(1, in[0], in[1]).tanh(), leaf(2, 3), leaf(2, 4));
        check(in -> Tensor.stack(0, in[0], in[1]).exp(), leaf(2, 3), leaf(2, 3));
        check(in -> in[0].split(2, 1).get(1).square(), leaf(2, 5));
        check(in -> in[0].chunk(3, 0).get(2).sin(), leaf(7, 2));
    }

    @Test
    void matmulAllRanks() {
        check(in -> in[0].matmul(in[1]), leaf(4), leaf(4));
        check(in -> in[0].matmul(in[1]), leaf(3, 4), leaf(4));
        check(in -> in[0].matmul(in[1]), leaf(4), leaf(4, 2));
        check(in -> in[0].matmul(in[1]), leaf(3, 4), leaf(4, 2));
        check(in -> in[0].matmul(in[1]), leaf(2, 3, 4), leaf(4, 2));
        check(in -> in[0].matmul(in[1]), leaf(2, 1, 3, 4), leaf(5, 4, 2));
        check(in -> in[0].transpose(0, 1).matmul(in[1].transpose(1, 2)), leaf(4, 2, 3), leaf(2, 5, 3));
    }

    @Test
    void indexing() {
        Tensor idx = on(Tensor.of(new long[]{2, 0, 2, 1}));
        check(in -> in[0].indexSelect(0, idx), leaf(3, 4));
        check(in -> in[0].indexSelect(1, idx), leaf(3, 4));
        Tensor g = on(Tensor.of(new long[]{0, 2, 1, 1, 0, 0}, 3, 2));
        check(in -> in[0].gather(1, g), leaf(3, 4));
        check(in -> in[0].scatterAdd(1, g, in[1]), leaf(3, 4), leaf(3, 2));
        check(in -> in[0].scatterAdd(1, g, in[1]), leaf(3, 4), leaf(3, 3)); // src larger than index
    }

    @Test
    void conv2dAllOptions() {
        check(in -> in[0].conv2d(in[1], in[2], 1, 1), leaf(2, 2, 5, 4), leaf(3, 2, 3, 3), leaf(3));
        check(in -> in[0].conv2d(in[1], null, new int[]{2, 1}, new int[]{1, 0}, new int[]{1, 2}, 1), leaf(1, 2, 6, 6), leaf(2, 2, 2, 2));
        check(in -> in[0].conv2d(in[1], in[2], new int[]{1, 1}, new int[]{1, 1}, new int[]{1, 1}, 2), leaf(1, 4, 4, 4), leaf(4, 2, 3, 3), leaf(4));
    }

    @Test
    void pooling() {
        // Distinct values so the max is unique in each window.
        double[] v = new double[2 * 2 * 5 * 5];
        for (int i = 0; i < v.length; i++) v[i] = ((i * 37) % v.length) / 10.0;
        Tensor x = on(Tensor.of(v, 2, 2, 5, 5)).requiresGrad(true);
        check(in -> in[0].maxPool2d(new int[]{2, 2}, new int[]{2, 2}, new int[]{0, 0}), x);
        check(in -> in[0].maxPool2d(new int[]{3, 3}, new int[]{2, 2}, new int[]{1, 1}), x);
        // overlapping, rectangular windows over a transposed view (the CPU's fused kernel reads any strides)
        check(in -> in[0].transpose(2, 3).maxPool2d(new int[]{2, 3}, new int[]{1, 2}, new int[]{1, 1}), x);
        check(in -> in[0].avgPool2d(new int[]{2, 2}, new int[]{1, 1}, new int[]{1, 1}), x);
        check(in -> in[0].unfold(new int[]{2, 3}, new int[]{1, 1}, new int[]{1, 0}, new int[]{1, 2}), x);
        check(in -> in[0].fold(new int[]{4, 5}, new int[]{2, 2}, new int[]{1, 1}, new int[]{0, 0}, new int[]{1, 1}), leaf(1, 8, 12));
    }

    @Test
    void dtypeAndDeviceTransfers() {
        check(in -> in[0].cpu().exp(), leaf(3));
        // A float32 round trip is too coarse for finite differences: check its gradient directly.
        Tensor x = on(Tensor.of(new float[]{1, 2})).requiresGrad(true);
        x.to(DType.FLOAT64).mul(3.0).sum().backward();
        org.junit.jupiter.api.Assertions.assertEquals(DType.FLOAT32, x.grad().dtype());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[]{3, 3}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void composites() {
        // layer norm written from primitives
        check(in -> {
            Tensor x = in[0];
            Tensor mu = x.mean(new int[]{1}, true);
            Tensor var = x.var(new int[]{1}, 0, true);
            return x.sub(mu).div(var.add(1e-5).sqrt()).mul(in[1]).add(in[2]);
        }, leaf(4, 6), leaf(6), leaf(6));
        // cross-entropy from logSoftmax and gather
        Tensor target = on(Tensor.of(new long[]{1, 0, 3}, 3, 1));
        check(in -> in[0].logSoftmax(1).gather(1, target).mean().neg(), leaf(3, 5));
    }

    @Test
    void gradcheckDetectsAWrongFormula() {
        // A "function" whose graph does not match its values: the check must fail.
        Tensor x = leaf(3);
        GradCheck.Failure f = GradCheck.check(in -> {
            Tensor y = in[0].mul(2.0);
            return Ember.isGradEnabled() ? y : in[0].mul(3.0);
        }, GradCheck.Options.DEFAULT, x);
        assertFalse(f == null, "a mismatched gradient must be reported");
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check(in -> in[0], GradCheck.Options.DEFAULT, on(Tensor.of(new float[]{1f}))));
    }
}
