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
 * An op that allocates its result, against NumPy's {@code np.add(x, y)} and {@code np.maximum(x, 0)},
 * which free the result as soon as the caller drops it. {@code released}: the result is closed after
 * use, as a {@code TensorScope} or the autograd engine does, so the next call reuses the block it just
 * gave back (still in the caches), as NumPy's allocator does. {@code dropped}: the result is left to the
 * garbage collector (its block comes back through a Cleaner after a collection). The JVM runs with its
 * default memory flags.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AllocatingBench {
    /** The op. */
    @Param({"add", "relu"})
    public String op;

    /** What happens to the result. */
    @Param({"released", "dropped"})
    public String lifetime;

    /** Float32 elements. */
    @Param({"1048576"})
    public int size;

    /** CPU threads ({@code Ember.setNumThreads}). */
    @Param({"1"})
    public int threads;

    private Tensor x, y;

    /** Sets the thread count and draws the inputs. */
    @Setup
    public void setup() {
        Ember.setNumThreads(threads);
        Ember.manualSeed(2);
        x = Tensor.randn(size);
        y = Tensor.randn(size);
    }

    /** One allocating op, {@code [size] -> [size]}. */
    @Benchmark
    public void run(Blackhole bh) {
        Tensor out = op.equals("add") ? x.add(y) : x.relu();
        bh.consume(out);
        if (lifetime.equals("released")) out.close();
    }
}
