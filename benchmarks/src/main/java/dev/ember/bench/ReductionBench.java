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
 * Reductions over float32: {@code sum} and {@code max} of the whole tensor, and
 * {@code softmax} along the last dim of a {@code [size / 1024, 1024]} matrix.
 * Work: bytes read (plus written, for softmax) once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
public class ReductionBench {
    /** Row length of the softmax benchmark. */
    public static final int ROW = 1024;

    /** The reduction under test. */
    @Param({"sum", "max", "softmax"})
    public String op;

    /** Number of float32 elements. */
    @Param({"1048576", "16777216"})
    public int size;

    /** CPU threads ({@code Ember.setNumThreads}). */
    @Param({"1", "2"})
    public int threads;

    private Tensor x;

    /** Sets the thread count and draws a {@code [size / 1024, 1024]} input. */
    @Setup
    public void setup() {
        Ember.setNumThreads(threads);
        Ember.manualSeed(3);
        x = Tensor.randn(size / ROW, ROW);
    }

    /** One reduction: {@code [r, 1024] -> []} (sum, max) or {@code -> [r, 1024]} (softmax). */
    @Benchmark
    public Tensor run() {
        return switch (op) {
            case "sum" -> x.sum();
            case "max" -> x.max();
            case "softmax" -> x.softmax(1);
            default -> throw new IllegalArgumentException("ReductionBench: unknown op " + op);
        };
    }

    /** Bytes moved once per call. */
    public static double bytes(String op, long size) {
        return (op.equals("softmax") ? 8.0 : 4.0) * size;
    }
}
