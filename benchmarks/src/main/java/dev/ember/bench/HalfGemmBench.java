package dev.ember.bench;

import dev.ember.DType;
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
 * Matrix products of 16-bit tensors against float32 ({@code ./ember bench HalfGemmBench}): the CPU converts
 * 16-bit operands to float32, runs the float32 GEMM and rounds the product once, so the 16-bit cost is the
 * float32 one plus the conversions. {@code shape} as in {@link GemmBench}; {@code 1x768x3072} is one token
 * through a GPT-2 MLP weight (a matrix-vector product, where the conversions weigh most).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
public class HalfGemmBench {
    @Param({"512x512x512", "1024x1024x1024", "2048x2048x2048", "128x784x256", "1x768x3072"})
    public String shape;

    @Param({"FLOAT32", "BFLOAT16", "FLOAT16"})
    public String dtype;

    /** CPU threads ({@code Ember.setNumThreads}). */
    @Param({"1", "2"})
    public int threads;

    private Tensor a, b;

    /** Sets the thread count and draws the operands in {@code dtype}. */
    @Setup
    public void setup() {
        Ember.setNumThreads(threads);
        Ember.manualSeed(1);
        GemmBench.Shape s = GemmBench.Shape.parse(shape);
        DType d = DType.valueOf(dtype);
        // a batched shape (bB:MxKxN) is B products, as GemmBench's work model counts it
        a = (s.batch() > 1 ? Tensor.randn(s.batch(), s.m(), s.k()) : Tensor.randn(s.m(), s.k())).to(d);
        b = (s.batch() > 1 ? Tensor.randn(s.batch(), s.k(), s.n()) : Tensor.randn(s.k(), s.n())).to(d);
    }

    /** One product {@code [M, K] @ [K, N] -> [M, N]} (or a batch of them) in {@code dtype}. */
    @Benchmark
    public Tensor matmul() {
        return a.matmul(b);
    }
}
