import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.DataLoader;
import dev.ember.data.TensorDataset;
import dev.ember.data.datasets.FashionMnist;
import dev.ember.nn.CrossEntropyLoss;
import dev.ember.nn.Module;
import dev.ember.optim.Adam;
import dev.ember.train.FashionMnistRun;
import dev.ember.train.Trainer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * Heap allocation per training step of the demo CNN (batch 128) through the public Trainer, in a warm JVM:
 * one epoch of --warmup steps (the JIT's warm-up), then one epoch of --steps steps, measured with the JVM's
 * exact per-thread allocation counters (the ones JFR's jdk.ThreadAllocationStatistics reports), summed over
 * all threads. Compiled by benchmarks/memory/train_allocation.sh against any Ember jar (the same public API
 * before and after TensorScope), so one source measures both.
 */
public final class TrainAllocation {
    public static void main(String[] args) {
        int warmup = Integer.parseInt(args[1]), steps = Integer.parseInt(args[2]);
        FashionMnist.Splits data = FashionMnist.load(Path.of(args[0]), false);
        Tensor images = FashionMnist.normalize(data.train().inputs().narrow(0, 0, steps * 128));
        Tensor labels = data.train().targets().narrow(0, 0, steps * 128);
        TensorDataset train = new TensorDataset(images, labels);
        Ember.manualSeed(42);
        Module model = FashionMnistRun.cnn();
        Adam opt = new Adam(model.parameters(), 1e-3);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // warm-up: a loader over as many steps as asked, cycling the same images
        TensorDataset warm = new TensorDataset(images.narrow(0, 0, Math.min(warmup, steps) * 128), labels.narrow(0, 0, Math.min(warmup, steps) * 128));
        for (int done = 0; done < warmup; done += Math.min(warmup, steps)) {
            DataLoader w = DataLoader.builder(warm).batchSize(128).shuffle(true).seed(done).build();
            Trainer.builder(model, new CrossEntropyLoss(), opt, w).output(quiet, false).build().fit(1);
        }
        DataLoader loader = DataLoader.builder(train).batchSize(128).shuffle(true).seed(7).build();
        Trainer trainer = Trainer.builder(model, new CrossEntropyLoss(), opt, loader).output(quiet, false).build();
        long a0 = threads.getTotalThreadAllocatedBytes(), t0 = System.nanoTime();
        var h = trainer.fit(1);
        long a1 = threads.getTotalThreadAllocatedBytes(), t1 = System.nanoTime();
        double secs = (t1 - t0) / 1e9;
        System.out.printf("steps %d: %.2f MiB allocated per step, %.0f samples/s, train loss %.4f%n", steps, (a1 - a0) / (double) steps / (1 << 20),
                steps * 128 / secs, h.getLast().trainLoss());
    }
}
