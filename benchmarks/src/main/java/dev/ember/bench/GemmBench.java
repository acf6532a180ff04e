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
 * Float32 matrix products through {@link Tensor#matmul}: {@code shape} is {@code MxKxN}
 * ({@code [M, K] @ [K, N]}) or {@code bB:MxKxN} for a batch of B products. Work: 2*B*M*K*N FLOP.
 *
 * <p>Each result is closed after use, as NumPy's {@code a @ b} frees its result as soon as the caller drops
 * it (the peer this suite is compared with) and as a {@code TensorScope} or the autograd engine releases
 * a training step's products: the next call reuses the block just given back, still in the caches. Left to
 * the garbage collector instead, every call took a fresh block of the heap, and the JVM's zeroing and the
 * kernel's stores into memory that had left the caches were a third of the time of the batched products
 * (a 4 MB result for {@code b64:128x32x128}: 0.65 against 0.38 ms per call on one Zen 5 core).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
public class GemmBench {
    /**
     * Square sizes 256-2048, the skinny 4096x1024x1024, the small shapes the demo models and attention use, and the MLP's
     * first weight gradient {@code x^T @ dY} ({@code t:}, A a transposed view).
     */
    @Param({"256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048", "4096x1024x1024",
            "b64:128x32x128", "b64:128x128x32", "128x784x256", "128x128x10", "64x288x196", "t:784x128x256"})
    public String shape;

    /** CPU threads ({@code Ember.setNumThreads}). */
    @Param({"1", "2"})
    public int threads;

    private Tensor a, b;

    /** Sets the thread count and draws the operands. */
    @Setup
    public void setup() {
        Ember.setNumThreads(threads);
        Ember.manualSeed(1);
        Shape s = Shape.parse(shape);
        if (s.transposedA) a = s.batch > 1 ? Tensor.randn(s.batch, s.k, s.m).transpose(1, 2) : Tensor.randn(s.k, s.m).transpose(0, 1);
        else a = s.batch > 1 ? Tensor.randn(s.batch, s.m, s.k) : Tensor.randn(s.m, s.k);
        b = s.batch > 1 ? Tensor.randn(s.batch, s.k, s.n) : Tensor.randn(s.k, s.n);
    }

    /** One product, {@code [(B,) M, K] @ [(B,) K, N] -> [(B,) M, N]}, its result released after use. */
    @Benchmark
    public void matmul(Blackhole bh) {
        Tensor c = a.matmul(b);
        bh.consume(c);
        c.close();
    }

    /**
     * A parsed {@code [t:][bB:]MxKxN} shape; {@code t:} makes A a transposed view of a {@code [(B,) K, M]} tensor (the
     * layout of a weight gradient's {@code X^T}).
     */
    public record Shape(int batch, int m, int k, int n, boolean transposedA) {
        /** Parses {@code "MxKxN"}, {@code "bB:MxKxN"}, or either after {@code "t:"}. */
        public static Shape parse(String s) {
            boolean transposed = s.startsWith("t:");
            if (transposed) s = s.substring(2);
            int batch = 1;
            if (s.startsWith("b")) {
                batch = Integer.parseInt(s.substring(1, s.indexOf(':')));
                s = s.substring(s.indexOf(':') + 1);
            }
            String[] d = s.split("x");
            return new Shape(batch, Integer.parseInt(d[0]), Integer.parseInt(d[1]), Integer.parseInt(d[2]), transposed);
        }

        /** Floating-point operations of one product. */
        public double flop() { return 2.0 * batch * m * k * n; }
    }
}
