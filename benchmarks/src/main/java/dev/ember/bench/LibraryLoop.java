package dev.ember.bench;

import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.functional.F;
import dev.ember.optim.Adam;
import dev.ember.optim.Optimizer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Ember used as a library, as the README shows it, with no launcher and no GC flags: an MLP
 * (784-256-128-10) trained with Adam for {@code --steps} steps (default 10,000) of batch 64 over 16
 * fixed random batches, each step in a {@code TensorScope} (or, with {@code --no-scope}, leaving
 * every tensor to the garbage collector). Run it under a small heap to see that it is bounded:
 *
 * <pre>{@code java -Xmx256m --add-modules jdk.incubator.vector -cp target/benchmarks.jar dev.ember.bench.LibraryLoop}</pre>
 *
 * Prints the steps/s, the last loss, the heap's committed and used bytes (sampled every 50 steps) and
 * what the last collection left, the collections, and the CPU caching allocator's statistics.
 */
public final class LibraryLoop {
    private LibraryLoop() {}

    /** Entry point: {@code [--steps N] [--no-scope]}. */
    public static void main(String[] args) {
        int steps = 10_000;
        boolean scoped = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--no-scope" -> scoped = false;
                default -> throw new IllegalArgumentException("LibraryLoop: unknown argument " + args[i]);
            }
        }
        Ember.manualSeed(42);
        Tensor[] xs = new Tensor[16], ys = new Tensor[16];
        for (int b = 0; b < xs.length; b++) {
            xs[b] = Tensor.randn(64, 784);
            ys[b] = Tensor.randint(0, 10, 64);
        }
        Module model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));
        Optimizer opt = new Adam(model.parameters(), 1e-3);
        double last = Double.NaN;
        long t0 = System.nanoTime(), maxCommitted = 0, maxUsed = 0;
        var heap = ManagementFactory.getMemoryMXBean();
        for (int step = 0; step < steps; step++) {
            if (step % 50 == 0) {
                var u = heap.getHeapMemoryUsage();
                maxCommitted = Math.max(maxCommitted, u.getCommitted());
                maxUsed = Math.max(maxUsed, u.getUsed());
            }
            Tensor x = xs[step % xs.length], y = ys[step % ys.length];
            if (scoped) {
                try (var scope = Ember.scope()) { // this step's tensors go back to the allocator here
                    Tensor loss = F.crossEntropy(model.forward(x), y);
                    opt.zeroGrad();
                    loss.backward();
                    opt.step();
                    last = loss.item();
                }
            } else {
                Tensor loss = F.crossEntropy(model.forward(x), y);
                opt.zeroGrad();
                loss.backward();
                opt.step();
                last = loss.item();
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long gcs = 0, gcMillis = 0;
        for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs += Math.max(0, g.getCollectionCount());
            gcMillis += Math.max(0, g.getCollectionTime());
        }
        System.gc(); // measurement only: what the loop keeps alive
        long live = heap.getHeapMemoryUsage().getUsed();
        System.out.printf("library loop (%s): %d steps in %.1f s (%.0f steps/s), last loss %.4f%n", scoped ? "scopes" : "no scopes", steps, secs,
                steps / secs, last);
        System.out.printf("heap: max %d MB; sampled every 50 steps: committed up to %d MB, used up to %d MB; live after a final"
                        + " full collection %d MB; %d collections during the loop, %d ms%n", Runtime.getRuntime().maxMemory() >> 20,
                maxCommitted >> 20, maxUsed >> 20, live >> 20, gcs, gcMillis);
        System.out.println("cpu allocator: " + Ember.memoryStats(Device.cpu()));
    }
}
