package dev.ember.autograd;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;

/**
 * Checks a function's analytic gradients against central finite differences in float64,
 * as {@code torch.autograd.gradcheck}. A non-scalar output {@code y} is reduced to
 * {@code sum(y * v)} with a fixed random {@code v}, so every output element is tested.
 *
 * <pre>{@code
 * GradCheck.assertGradients(in -> in[0].matmul(in[1]).tanh(), a, b);
 * }</pre>
 */
public final class GradCheck {
    private GradCheck() {}

    /** Tolerances and step: an element passes when {@code |analytic - numeric| <= atol + rtol * |numeric|}. */
    public record Options(double eps, double atol, double rtol) {
        public static final Options DEFAULT = new Options(1e-6, 1e-5, 1e-3);
    }

    /** The worst mismatch found, or null when all gradients agree. */
    public record Failure(int input, int element, double analytic, double numeric, String message) {}

    /** Throws {@link AssertionError} describing the first mismatch, if any. */
    public static void assertGradients(Function<Tensor[], Tensor> f, Tensor... inputs) {
        Failure fail = check(f, Options.DEFAULT, inputs);
        if (fail != null) throw new AssertionError(fail.message());
    }

    /** True when analytic and numeric gradients agree for every input element. */
    public static boolean gradcheck(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return check(f, Options.DEFAULT, inputs) == null;
    }

    /**
     * Compares gradients for each input that requires grad. Inputs must be float64 leaf tensors
     * (contiguous); {@code f} may build views of them internally.
     */
    public static Failure check(Function<Tensor[], Tensor> f, Options options, Tensor... inputs) {
        for (Tensor t : inputs)
            if (t.dtype() != DType.FLOAT64)
                throw new IllegalArgumentException("GradCheck: inputs must be FLOAT64 for accurate finite differences, got " + t.dtype());
        Tensor out0;
        try (var ignored = Ember.noGrad()) {
            out0 = f.apply(inputs);
        }
        double[] v = new double[(int) out0.numel()];
        Random r = new Random(1234);
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble() * 2 - 1;
        // reshape, not Tensor.of(v, shape): an empty shape vararg reads as 1-D, and a 0-d input or output must stay 0-d
        Tensor weight = Tensor.of(v).reshape(out0.shape()).to(out0.device());

        for (Tensor t : inputs) if (t.requiresGrad()) t.setGrad(null);
        Tensor out;
        try (var ignored = Ember.enableGrad()) {
            out = f.apply(inputs);
        }
        if (!out.requiresGrad()) throw new IllegalArgumentException("GradCheck: the output does not depend on any input that requires grad");
        out.mul(weight).sum().backward();

        for (int i = 0; i < inputs.length; i++) {
            Tensor x = inputs[i];
            if (!x.requiresGrad()) continue;
            double[] analytic = x.grad() == null ? new double[(int) x.numel()] : x.grad().toDoubleArray();
            double[] data = x.toDoubleArray();
            for (int j = 0; j < data.length; j++) {
                double orig = data[j];
                data[j] = orig + options.eps();
                double plus = objective(f, inputs, i, data, weight);
                data[j] = orig - options.eps();
                double minus = objective(f, inputs, i, data, weight);
                data[j] = orig;
                double numeric = (plus - minus) / (2 * options.eps());
                double diff = Math.abs(analytic[j] - numeric);
                if (!(diff <= options.atol() + options.rtol() * Math.abs(numeric))) {
                    return new Failure(i, j, analytic[j], numeric, "GradCheck: input " + i + " " + Arrays.toString(x.shape())
                            + ", element " + j + ": analytic gradient " + analytic[j] + " vs numeric " + numeric
                            + " (difference " + diff + ")");
                }
            }
        }
        return null;
    }

    private static double objective(Function<Tensor[], Tensor> f, Tensor[] inputs, int which, double[] data, Tensor weight) {
        try (var ignored = Ember.noGrad()) {
            Tensor[] args = inputs.clone();
            args[which] = Tensor.of(data).reshape(inputs[which].shape()).to(inputs[which].device());
            return f.apply(args).mul(weight).sum().item();
        }
    }
}
