package dev.ember.bench;

import dev.ember.Ember;
import dev.ember.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * conv2d (3x3, stride 1, padding 1, with bias) at the demo CNN's two layers, batch 128:
 * {@code conv1} is {@code [128, 1, 28, 28] -> [128, 32, 28, 28]} (input needs no gradient),
 * {@code conv2} is {@code [128, 32, 14, 14] -> [128, 64, 14, 14]}. {@code forwardBackward}
 * runs autograd for the weight, bias and (conv2) input gradients.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
public class ConvBench {
    /** Batch size of the demo CNN. */
    public static final int BATCH = 128;

    /** Which layer of the demo CNN. */
    @Param({"conv1", "conv2"})
    public String layer;

    /** CPU threads ({@code Ember.setNumThreads}). */
    @Param({"1", "2"})
    public int threads;

    private Tensor x, w, b, gradOut;

    /** Sets the thread count and draws input, weight, bias and the output gradient. */
    @Setup
    public void setup() {
        Ember.setNumThreads(threads);
        Ember.manualSeed(4);
        Layer l = Layer.of(layer);
        x = Tensor.randn(BATCH, l.cin, l.hw, l.hw).requiresGrad(l.inputGrad);
        w = Tensor.randn(l.cout, l.cin, 3, 3).mul(0.1).requiresGrad(true);
        b = Tensor.zeros(l.cout).requiresGrad(true);
        gradOut = Tensor.randn(BATCH, l.cout, l.hw, l.hw);
    }

    /** Forward only, without recording: {@code [128, cin, hw, hw] -> [128, cout, hw, hw]}, the output released after use. */
    @Benchmark
    public void forward(Blackhole bh) {
        try (var scope = Ember.noGrad()) {
            Tensor y = x.conv2d(w, b, 1, 1);
            bh.consume(y);
            y.close();
        }
    }

    /** Forward, then backward from a fixed output gradient, in a scope as {@code Trainer} runs a step. */
    @Benchmark
    public void forwardBackward(Blackhole bh) {
        try (var scope = Ember.scope()) {
            x.setGrad(null);
            w.setGrad(null);
            b.setGrad(null);
            Tensor y = x.conv2d(w, b, 1, 1);
            y.backward(gradOut);
            bh.consume(w.grad());
        }
    }

    /** One layer's geometry. */
    public record Layer(int cin, int cout, int hw, boolean inputGrad) {
        /** The demo CNN's layer by name. */
        public static Layer of(String name) {
            return switch (name) {
                case "conv1" -> new Layer(1, 32, 28, false);
                case "conv2" -> new Layer(32, 64, 14, true);
                default -> throw new IllegalArgumentException("ConvBench: unknown layer " + name);
            };
        }

        /** Multiply-add FLOP of the forward pass (2 per multiply-add). */
        public double forwardFlop() { return 2.0 * BATCH * cout * hw * hw * cin * 9; }

        /** FLOP of forward + backward: weight gradient always, input gradient when needed. */
        public double forwardBackwardFlop() { return forwardFlop() * (inputGrad ? 3 : 2); }
    }
}
