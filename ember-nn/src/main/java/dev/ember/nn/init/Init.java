package dev.ember.nn.init;

import dev.ember.Ember;
import dev.ember.Tensor;

/**
 * Weight initialisation in place, as {@code torch.nn.init}: each function fills the tensor
 * from the seeded generator under {@code noGrad} and returns it. Fan-in and fan-out follow
 * PyTorch: for a weight {@code [out, in, k...]}, fanIn = in * prod(k), fanOut = out * prod(k).
 */
public final class Init {
    private Init() {}

    /** Which fan Kaiming initialisation preserves. */
    public enum FanMode { FAN_IN, FAN_OUT }

    /** {@code [fanIn, fanOut]} of a weight with at least 2 dims. */
    public static long[] fans(Tensor t) {
        if (t.dim() < 2)
            throw new IllegalArgumentException("init: fan in and fan out need a tensor with at least 2 dims, got shape "
                    + java.util.Arrays.toString(t.shape()));
        long receptive = 1;
        for (int i = 2; i < t.dim(); i++) receptive *= t.size(i);
        return new long[]{t.size(1) * receptive, t.size(0) * receptive};
    }

    /** The recommended gain of a nonlinearity ({@code "linear"}, {@code "relu"}, {@code "leaky_relu"}, {@code "tanh"}, {@code "sigmoid"}). */
    public static double calculateGain(String nonlinearity, double param) {
        return switch (nonlinearity) {
            case "linear", "conv1d", "conv2d", "sigmoid" -> 1.0;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> Math.sqrt(2.0 / (1 + param * param));
            case "selu" -> 3.0 / 4;
            default -> throw new IllegalArgumentException("calculateGain: unknown nonlinearity '" + nonlinearity + "'");
        };
    }

    /** Fills from U(a, b). */
    public static Tensor uniform(Tensor t, double a, double b) {
        try (var ignored = Ember.noGrad()) { return t.uniformInPlace(a, b); }
    }

    /** Fills from N(mean, std²). */
    public static Tensor normal(Tensor t, double mean, double std) {
        try (var ignored = Ember.noGrad()) { return t.normalInPlace(mean, std); }
    }

    /** Fills with zeros. */
    public static Tensor zeros(Tensor t) {
        try (var ignored = Ember.noGrad()) { return t.fillInPlace(0); }
    }

    /** Fills with ones. */
    public static Tensor ones(Tensor t) {
        try (var ignored = Ember.noGrad()) { return t.fillInPlace(1); }
    }

    /** Fills with {@code value}. */
    public static Tensor constant(Tensor t, double value) {
        try (var ignored = Ember.noGrad()) { return t.fillInPlace(value); }
    }

    /** Glorot uniform: U(-b, b) with b = gain * sqrt(6 / (fanIn + fanOut)). */
    public static Tensor xavierUniform(Tensor t, double gain) {
        long[] f = fans(t);
        double bound = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return uniform(t, -bound, bound);
    }

    /** Glorot normal: N(0, std²) with std = gain * sqrt(2 / (fanIn + fanOut)). */
    public static Tensor xavierNormal(Tensor t, double gain) {
        long[] f = fans(t);
        return normal(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])));
    }

    /** He uniform: U(-b, b) with b = gain(nonlinearity, a) * sqrt(3 / fan). */
    public static Tensor kaimingUniform(Tensor t, double a, FanMode mode, String nonlinearity) {
        long fan = fans(t)[mode == FanMode.FAN_IN ? 0 : 1];
        double bound = calculateGain(nonlinearity, a) * Math.sqrt(3.0 / fan);
        return uniform(t, -bound, bound);
    }

    /** He uniform with PyTorch's defaults (a = 0, fan in, leaky_relu). */
    public static Tensor kaimingUniform(Tensor t) { return kaimingUniform(t, 0, FanMode.FAN_IN, "leaky_relu"); }

    /** He normal: N(0, std²) with std = gain(nonlinearity, a) / sqrt(fan). */
    public static Tensor kaimingNormal(Tensor t, double a, FanMode mode, String nonlinearity) {
        long fan = fans(t)[mode == FanMode.FAN_IN ? 0 : 1];
        return normal(t, 0, calculateGain(nonlinearity, a) / Math.sqrt(fan));
    }

    /** He normal with PyTorch's defaults (a = 0, fan in, leaky_relu). */
    public static Tensor kaimingNormal(Tensor t) { return kaimingNormal(t, 0, FanMode.FAN_IN, "leaky_relu"); }

    /**
     * PyTorch's default for Linear and Conv layers: weight from kaiming_uniform(a = sqrt(5))
     * (that is U(-1/sqrt(fanIn), 1/sqrt(fanIn))) and bias from U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
     */
    public static void defaultLayerInit(Tensor weight, Tensor bias) {
        kaimingUniform(weight, Math.sqrt(5), FanMode.FAN_IN, "leaky_relu");
        if (bias != null) {
            long fanIn = fans(weight)[0];
            double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
            uniform(bias, -bound, bound);
        }
    }
}
