package dev.ember.train;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Generator;
import dev.ember.Tensor;
import dev.ember.data.DataLoader;
import dev.ember.data.TensorDataset;
import dev.ember.data.datasets.FashionMnist;
import dev.ember.distributed.DistributedDataParallel;
import dev.ember.distributed.DistributedSampler;
import dev.ember.distributed.LocalProcessGroup;
import dev.ember.distributed.ProcessGroup;
import dev.ember.metrics.Accuracy;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Flatten;
import dev.ember.nn.Linear;
import dev.ember.nn.CrossEntropyLoss;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.optim.Adam;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * Trains a Fashion-MNIST classifier end to end, as {@code ./ember demo} and {@code ./ember train}
 * do: finds the data, holds out a validation split of the training set, trains with Adam,
 * progress, a run log, early stopping on validation accuracy (restoring the best weights) and
 * checkpoints, then reports the test accuracy and where the model, log and plot went.
 */
public final class FashionMnistRun {
    /** The two architectures. */
    public enum Model { MLP, CNN }

    /**
     * What a run needs; {@code dataDir} may be null (search the usual places); {@code trainLimit} > 0 trains
     * on only that many images (for quick timing, 0: all); {@code resume} is a checkpoint to continue from
     * (null: start afresh); {@code onNonFinite} says what a NaN or infinite loss does; {@code autocast} (FLOAT16 or
     * BFLOAT16, null: float32) trains and evaluates under {@link Ember#autocast} with float32 master weights (see
     * {@link Trainer.Builder#autocast}). Invalid values are refused here, before any data is loaded.
     */
    public record Options(Model model, int epochs, int batchSize, double lr, Device device, Path dataDir, Path outDir,
                          int validationSize, int patience, boolean download, long seed, int trainLimit, Path resume,
                          NonFiniteLoss onNonFinite, DType autocast) {
        public Options {
            java.util.Objects.requireNonNull(model, "FashionMnistRun: model is null");
            java.util.Objects.requireNonNull(device, "FashionMnistRun: device is null");
            java.util.Objects.requireNonNull(outDir, "FashionMnistRun: outDir is null");
            java.util.Objects.requireNonNull(onNonFinite, "FashionMnistRun: onNonFinite is null");
            if (epochs < 1) throw new IllegalArgumentException("FashionMnistRun: epochs must be at least 1, got " + epochs);
            if (batchSize < 1) throw new IllegalArgumentException("FashionMnistRun: batchSize must be at least 1, got " + batchSize);
            if (!(lr >= 0 && lr < Double.POSITIVE_INFINITY))
                throw new IllegalArgumentException("FashionMnistRun: lr must be a finite number >= 0, got " + lr);
            if (validationSize < 1) throw new IllegalArgumentException("FashionMnistRun: validationSize must be at least 1, got " + validationSize);
            if (patience < 0) throw new IllegalArgumentException("FashionMnistRun: patience must be >= 0, got " + patience);
            if (trainLimit < 0) throw new IllegalArgumentException("FashionMnistRun: trainLimit must be >= 0 (0: all), got " + trainLimit);
            if (autocast != null && autocast != DType.FLOAT16 && autocast != DType.BFLOAT16)
                throw new IllegalArgumentException("FashionMnistRun: autocast must be FLOAT16, BFLOAT16 or null (float32), got " + autocast);
        }

        /** A float32 run (no autocast). */
        public Options(Model model, int epochs, int batchSize, double lr, Device device, Path dataDir, Path outDir,
                       int validationSize, int patience, boolean download, long seed, int trainLimit, Path resume, NonFiniteLoss onNonFinite) {
            this(model, epochs, batchSize, lr, device, dataDir, outDir, validationSize, patience, download, seed, trainLimit, resume, onNonFinite, null);
        }

        /** A fresh run that stops on a non-finite loss. */
        public Options(Model model, int epochs, int batchSize, double lr, Device device, Path dataDir, Path outDir,
                       int validationSize, int patience, boolean download, long seed, int trainLimit) {
            this(model, epochs, batchSize, lr, device, dataDir, outDir, validationSize, patience, download, seed, trainLimit, null, NonFiniteLoss.STOP);
        }
    }

    /** What a run produced. */
    public record Result(double testAccuracy, double testLoss, int epochs, double trainSeconds, double samplesPerSecond, String dataSource,
                         boolean embeddedSubset, Path modelPath, Path logPath, Path plotPath) {}

    private FashionMnistRun() {}

    /** conv(1→32,3x3,pad 1)-ReLU-maxpool2, conv(32→64,3x3,pad 1)-ReLU-maxpool2, flatten, linear(3136→128)-ReLU, linear(128→10): {@code [n,1,28,28] -> [n,10]}. */
    public static Module cnn() {
        return new Sequential(new Conv2d(1, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2), new Conv2d(32, 64, 3, 1, 1), new ReLU(),
                new MaxPool2d(2), new Flatten(), new Linear(3136, 128), new ReLU(), new Linear(128, 10));
    }

    /** 784-256-128-10 with ReLU: {@code [n,1,28,28] -> [n,10]}. */
    public static Module mlp() {
        return new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));
    }

    /** Runs the whole job, printing progress to {@code out}. */
    public static Result run(Options o, PrintStream out) { return run(o, out, new LocalProcessGroup()); }

    /**
     * Runs the job as one rank of {@code group} (data-parallel when it has several ranks): every
     * rank builds the same model, {@link DistributedDataParallel} keeps the replicas equal, each
     * rank trains on its {@link DistributedSampler} shard with {@code batchSize / worldSize} images
     * per step (so the global batch is {@code batchSize}, as in a single process), validation and
     * test metrics cover all shards, and only rank 0 prints and writes files. With
     * {@link Options#resume()} it restores that checkpoint (model, optimizer, generators, early stopping)
     * and trains on to {@link Options#epochs()}; the same options (seed, model, data) as the interrupted
     * run give the same result as a run that was never interrupted. A diverging run throws
     * {@link TrainingDivergedException} and writes no model.
     */
    public static Result run(Options o, PrintStream out, ProcessGroup group) {
        int world = group.worldSize();
        if (o.batchSize() % world != 0)
            throw new IllegalArgumentException("train: --batch-size " + o.batchSize() + " does not divide among " + world + " ranks");
        if (group.rank() != 0) out = new PrintStream(java.io.OutputStream.nullOutputStream());
        Ember.manualSeed(o.seed());
        FashionMnist.Raw data = FashionMnist.loadRaw(o.dataDir(), o.download());
        if (data.isEmbeddedSubset()) {
            out.println("data: the full Fashion-MNIST was not found, so this run uses the embedded " + data.source() + ".");
            out.println("      Expect about 80-85% test accuracy. For the full set, " + FashionMnist.HOW_TO_GET + ".");
        } else {
            out.println("data: Fashion-MNIST from " + data.source() + " (" + data.trainImages().count() + " train / " + data.testImages().count() + " test)");
        }
        Prepared sets = split(data, o);
        TensorDataset train = sets.train(), val = sets.val(), test = sets.test();
        String source = data.source();
        boolean embedded = data.isEmbeddedSubset();
        data = null; // the file's bytes are not needed any more (an interpreted frame would keep them alive)

        Module net = (o.model() == Model.CNN ? cnn() : mlp()).to(o.device());
        Module model = world == 1 ? net : new DistributedDataParallel(net, group);
        if (world > 1) out.printf("distributed: %d ranks over %s, %d images per rank and step%n", world, group.backendName(), o.batchSize() / world);
        out.printf("model: %s, %,d parameters, on %s; Adam lr %g, batch %d, up to %d epochs (%d train / %d validation)%n",
                o.model(), model.parameterCount(), o.device(), o.lr(), o.batchSize(), o.epochs(), train.size(), val.size());
        Adam opt = new Adam(model.parameters(), o.lr());
        DataLoader trainLoader = world == 1
                ? DataLoader.builder(train).batchSize(o.batchSize()).shuffle(true).seed(o.seed()).build()
                : DataLoader.builder(train).batchSize(o.batchSize() / world).sampler(new DistributedSampler(train.size(), group, o.seed())).build();
        DataLoader valLoader = evalLoader(val, group);
        DataLoader testLoader = evalLoader(test, group);
        Path log = o.outDir().resolve("run.jsonl");
        // a fresh run starts a fresh log (rank 0 writes it); a resumed one cuts its log back to the checkpoint
        if (o.resume() == null && group.rank() == 0) {
            try { java.nio.file.Files.deleteIfExists(log); } catch (java.io.IOException ignored) { /* appended to otherwise */ }
        }
        Checkpoint checkpoint = new Checkpoint(o.outDir().resolve("checkpoints"), 1, "val_accuracy", Mode.MAX);
        Trainer.Builder builder = Trainer.builder(model, new CrossEntropyLoss(), opt, trainLoader);
        if (o.autocast() != null) {
            builder.autocast(o.autocast());
            out.println("precision: " + o.autocast() + " autocast (float32 master weights" + (o.autocast() == DType.FLOAT16 ? ", dynamic loss scaling)" : ")"));
        }
        Trainer trainer = builder
                .validation(valLoader)
                .metric(new Accuracy())
                .callback(new EarlyStopping("val_accuracy", Mode.MAX, o.patience(), 0, true))
                .callback(checkpoint)
                .log(log, 20)
                .output(out, ProgressBar.isTerminal())
                .onNonFinite(o.onNonFinite())
                .distributed(world == 1 ? null : group)
                .build();
        if (o.resume() != null) {
            trainer.resume(o.resume());
            out.printf("resumed from %s: %d epoch(s) done, continuing to %d%n", o.resume(), trainer.nextEpoch(), o.epochs());
            if (trainer.nextEpoch() >= o.epochs()) out.println("nothing left to train: raise --epochs above " + trainer.nextEpoch() + " to go on");
        }
        long t0 = System.nanoTime();
        var history = trainer.fit(o.epochs());
        double secs = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> testMetrics = trainer.evaluate(testLoader, "test_");
        Path modelPath = o.outDir().resolve("model.safetensors");
        if (group.rank() == 0) net.save(modelPath); // the plain module's names, as a single-process run writes
        double sps = history.stream().mapToDouble(EpochResult::samplesPerSecond).average().orElse(Double.NaN);
        return new Result(testMetrics.get("test_accuracy"), testMetrics.get("test_loss"), history.size(), secs, sps, source,
                embedded, modelPath, log, trainer.plotPath());
    }

    private static DataLoader evalLoader(TensorDataset set, ProcessGroup group) {
        var b = DataLoader.builder(set).batchSize(512);
        return group.worldSize() == 1 ? b.build() : b.sampler(DistributedSampler.unpadded(set.size(), group)).build();
    }

    private record Prepared(TensorDataset train, TensorDataset val, TensorDataset test) {}

    /**
     * Converts only the rows each split uses, straight from the files' bytes (a subset never costs a float copy of the
     * whole set), normalised as they are converted: the same values as normalising the whole set and then selecting.
     */
    private static Prepared split(FashionMnist.Raw data, Options o) {
        int n = data.trainImages().count();
        int valSize = Math.min(o.validationSize(), n / 5);
        int[] perm = new Generator(o.seed()).permutation(n);
        int trainEnd = o.trainLimit() > 0 ? Math.min(n, valSize + o.trainLimit()) : n;
        TensorDataset train = data.train(java.util.Arrays.copyOfRange(perm, valSize, trainEnd), true);
        TensorDataset val = data.train(java.util.Arrays.copyOfRange(perm, 0, valSize), true);
        TensorDataset test = data.test(null, true);
        return new Prepared(train, val, test);
    }
}
