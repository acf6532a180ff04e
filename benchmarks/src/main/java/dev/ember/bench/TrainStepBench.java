package dev.ember.bench;

import dev.ember.Ember;
import dev.ember.Fused;
import dev.ember.Tensor;
import java.util.ArrayList;
import java.util.List;
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

/**
 * One training step (forward, cross-entropy, backward, Adam 1e-3) of the demo models at
 * batch 128, written with raw Tensor ops and {@link Fused#adamStep} (no nn package):
 * {@code mlp} is 784-256-128-10 with ReLU; {@code cnn} is conv(1-32)-ReLU-maxpool2,
 * conv(32-64)-ReLU-maxpool2, linear(3136-128)-ReLU, linear(128-10).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// Ten seconds: at 8 lanes on two threads the MLP step was still falling at the third second (1.47-1.65 ms) and settled
// near the eighth (1.11 ms; Zen 5 under -XX:UseAVX=2, 2026-12-06): C2 compiles the step's kernels on the same two cores.
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
public class TrainStepBench {
    /** Batch size of the demos. */
    public static final int BATCH = 128;

    /** Which demo model. */
    @Param({"mlp", "cnn"})
    public String model;

    /** CPU threads ({@code Ember.setNumThreads}). */
    @Param({"1", "2"})
    public int threads;

    private final List<Tensor> params = new ArrayList<>();
    private final List<Tensor[]> moments = new ArrayList<>();
    private Tensor x, labels;
    private long step;

    /** Sets the thread count and builds inputs, labels, parameters and Adam moments. */
    @Setup
    public void setup() {
        Ember.setNumThreads(threads);
        Ember.manualSeed(5);
        if (model.equals("mlp")) {
            x = Tensor.randn(BATCH, 784);
            param(784, 256); param(256);
            param(256, 128); param(128);
            param(128, 10); param(10);
        } else {
            x = Tensor.randn(BATCH, 1, 28, 28);
            param(32, 1, 3, 3); param(32);
            param(64, 32, 3, 3); param(64);
            param(3136, 128); param(128);
            param(128, 10); param(10);
        }
        long[] y = new long[BATCH];
        for (int i = 0; i < BATCH; i++) y[i] = i % 10;
        labels = Tensor.of(y, BATCH, 1);
    }

    private void param(long... shape) {
        long fanIn = shape.length == 1 ? 64 : shape.length == 2 ? shape[0] : shape[1] * shape[2] * shape[3];
        Tensor p = Tensor.randn(shape).mul(1.0 / Math.sqrt(fanIn)).requiresGrad(true);
        params.add(p);
        moments.add(new Tensor[]{Tensor.zerosLike(p), Tensor.zerosLike(p)});
    }

    private Tensor logits() {
        Tensor h = x;
        int i = 0;
        if (model.equals("cnn")) {
            h = h.conv2d(params.get(0), params.get(1), 1, 1).relu().maxPool2d(2);
            h = h.conv2d(params.get(2), params.get(3), 1, 1).relu().maxPool2d(2);
            h = h.reshape(BATCH, 3136);
            i = 4;
        }
        h = h.matmul(params.get(i)).add(params.get(i + 1)).relu();
        h = h.matmul(params.get(i + 2)).add(params.get(i + 3));
        if (model.equals("mlp")) h = h.relu().matmul(params.get(i + 4)).add(params.get(i + 5));
        return h;
    }

    /**
     * One training step in a scope, as {@code Trainer} runs it (the step's tensors go back to the allocator at its end,
     * as PyTorch frees them when their last reference goes); returns the loss.
     */
    @Benchmark
    public double step() {
        try (var stepScope = Ember.scope()) {
            Tensor loss = logits().logSoftmax(1).gather(1, labels).mean().neg();
            loss.backward();
            step++;
            try (var scope = Ember.noGrad()) {
                for (int p = 0; p < params.size(); p++) {
                    Tensor w = params.get(p);
                    Fused.adamStep(w, w.grad(), moments.get(p)[0], moments.get(p)[1], 1e-3, 0.9, 0.999, 1e-8, 0, false, step);
                    w.setGrad(null);
                }
            }
            return loss.item();
        }
    }

    /** Multiply-add FLOP of one step (forward 2, backward 4 per MAC; no input gradient for the first layer). */
    public static double flop(String model) {
        double b = BATCH;
        if (model.equals("mlp")) return b * (4.0 * 784 * 256 + 6.0 * (256 * 128 + 128 * 10));
        double conv1 = 2.0 * b * 32 * 28 * 28 * 9, conv2 = 2.0 * b * 64 * 14 * 14 * 32 * 9;
        return conv1 * 2 + conv2 * 3 + 6.0 * b * (3136 * 128 + 128 * 10);
    }
}
