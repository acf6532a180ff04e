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

/**
 * Elementwise float32 ops on contiguous tensors, as users call them (each allocates its
 * result, as NumPy's {@code a + b} does). {@code chain} is {@code relu(x * y + z)} in three ops;
 * {@code add_} adds in place, the same kernel without the fresh output.
 * Work: the bytes the op must move once (inputs read + output written).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
public class ElementwiseBench {
    /** The op under test. */
    @Param({"add", "add_", "mul", "relu", "exp", "gelu", "chain"})
    public String op;

    /** Number of float32 elements. */
    @Param({"1048576", "16777216"})
    public int size;

    /** CPU threads ({@code Ember.setNumThreads}). */
    @Param({"1", "2"})
    public int threads;

    private Tensor x, y, z;

    /** Sets the thread count and draws three inputs of {@code size} floats. */
    @Setup
    public void setup() {
        Ember.setNumThreads(threads);
        Ember.manualSeed(2);
        x = Tensor.randn(size);
        y = Tensor.randn(size);
        z = Tensor.randn(size);
    }

    /** One op, {@code [size] -> [size]}. */
    @Benchmark
    public Tensor run() {
        return switch (op) {
            case "add" -> x.add(y);
            case "add_" -> x.addInPlace(y); // into existing memory, as NumPy's np.add(x, y, out=x)
            case "mul" -> x.mul(y);
            case "relu" -> x.relu();
            case "exp" -> x.exp();
            case "gelu" -> x.gelu();
            case "chain" -> x.mul(y).add(z).relu();
            default -> throw new IllegalArgumentException("ElementwiseBench: unknown op " + op);
        };
    }

    /** Bytes an op moves at least once per call: 4 per input element read and per output written. */
    public static double bytes(String op, long size) {
        int arrays = switch (op) {
            case "add", "add_", "mul" -> 3;
            case "chain" -> 4;
            default -> 2;
        };
        return 4.0 * arrays * size;
    }
}
