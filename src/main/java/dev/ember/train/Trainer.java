package dev.ember.train;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.distributed.Collectives;
import dev.ember.distributed.DistributedSampler;
import dev.ember.distributed.ProcessGroup;
import dev.ember.io.SafeTensors;
import dev.ember.metrics.Metric;
import dev.ember.nn.Loss;
import dev.ember.nn.Module;
import dev.ember.optim.LRScheduler;
import dev.ember.optim.Optimizer;
import dev.ember.optim.ReduceLROnPlateau;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop: for each epoch, every batch of the training loader runs forward, loss,
 * backward and an optimizer step; then the validation loader is evaluated (loss and metrics in
 * eval mode without grad), the scheduler steps, the epoch is logged, and callbacks run (early
 * stopping, checkpoints). Progress goes to a {@link ProgressBar}, records to a {@link RunLog},
 * and at the end a curve plot is drawn beside the log. Build with {@link #builder}.
 */
public final class Trainer {
    private final Module model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final LRScheduler scheduler;
    private final boolean schedulerPerStep;
    private final String plateauMonitor;
    private final DataLoader trainLoader, valLoader;
    private final List<Metric> metrics;
    private final List<Callback> callbacks;
    private final Path logPath;
    private final int logEvery;
    private final PrintStream out;
    private final boolean terminal;
    private final java.util.function.UnaryOperator<Tensor> inputTransform;
    private final ProcessGroup group;

    private final List<EpochResult> history = new ArrayList<>();
    private int nextEpoch;
    private long globalStep;
    private double elapsedBefore;
    private String stopReason;

    private Trainer(Builder b) {
        this.model = b.model;
        this.loss = b.loss;
        this.optimizer = b.optimizer;
        this.scheduler = b.scheduler;
        this.schedulerPerStep = b.schedulerPerStep;
        this.plateauMonitor = b.plateauMonitor;
        this.trainLoader = b.trainLoader;
        this.valLoader = b.valLoader;
        this.metrics = List.copyOf(b.metrics);
        List<Callback> cbs = new ArrayList<>(b.callbacks);
        // Checkpoints last, so that the state they save includes this epoch's updates of the others.
        cbs.sort((x, y) -> Boolean.compare(x instanceof Checkpoint, y instanceof Checkpoint));
        this.callbacks = cbs;
        this.logPath = b.logPath;
        this.logEvery = b.logEvery;
        this.group = b.group;
        this.out = isLeadRank() ? b.out : new PrintStream(java.io.OutputStream.nullOutputStream()); // rank 0 speaks for all
        this.terminal = b.terminal;
        this.inputTransform = b.inputTransform;
    }

    /** Whether this process writes logs, plots and checkpoints: always, except on ranks other than 0 of a distributed run. */
    public boolean isLeadRank() { return group == null || group.rank() == 0; }

    /** A builder for a trainer of {@code model} with {@code loss}, {@code optimizer} and a training loader. */
    public static Builder builder(Module model, Loss loss, Optimizer optimizer, DataLoader trainLoader) {
        return new Builder(model, loss, optimizer, trainLoader);
    }

    /** The model being trained. */
    public Module model() { return model; }

    /** The optimizer. */
    public Optimizer optimizer() { return optimizer; }

    /** Every finished epoch's result, in order (including epochs before a resume). */
    public List<EpochResult> history() { return List.copyOf(history); }

    /** The epoch that {@link #fit} will run next (0-based). */
    public int nextEpoch() { return nextEpoch; }

    /** Why training stopped early, or null. */
    public String stopReason() { return stopReason; }

    /** Asks the loop to stop after the current epoch (for callbacks). */
    public void requestStop(String reason) { this.stopReason = reason; }

    private Device device() {
        List<Tensor> ps = model.parameters();
        return ps.isEmpty() ? Device.cpu() : ps.get(0).device();
    }

    /** Trains until epoch {@code epochs} (exclusive; counting epochs run before a resume) or an early stop; returns the history. */
    public List<EpochResult> fit(int epochs) {
        stopReason = null;
        callbacks.forEach(c -> c.onTrainBegin(this));
        RunLog log = logPath == null || !isLeadRank() ? null : new RunLog(logPath);
        long start = System.nanoTime();
        try {
            for (int epoch = nextEpoch; epoch < epochs && stopReason == null; epoch++) {
                EpochResult r = runEpoch(epoch, epochs, log, start);
                history.add(r);
                nextEpoch = epoch + 1;
                if (log != null) log.epoch(r);
                for (Callback c : callbacks) c.onEpochEnd(this, r);
            }
            if (stopReason != null) out.println(stopReason);
        } finally {
            if (log != null) log.close();
        }
        callbacks.forEach(c -> c.onTrainEnd(this));
        if (logPath != null && !history.isEmpty() && isLeadRank()) CurvePlot.write(logPath, plotPath());
        return history();
    }

    /** Where the curve image is written: beside the log, with the extension {@code .svg}. */
    public Path plotPath() {
        String name = logPath.getFileName().toString().replaceFirst("\\.jsonl?$", "");
        return logPath.resolveSibling(name + ".svg");
    }

    private EpochResult runEpoch(int epoch, int epochs, RunLog log, long start) {
        model.train();
        Device dev = device();
        ProgressBar bar = new ProgressBar(out, terminal, String.format("epoch %d/%d", epoch + 1, epochs), trainLoader.size());
        long t0 = System.nanoTime();
        double lossSum = 0;
        long samples = 0;
        int steps = 0;
        for (Batch batch : trainLoader) {
            Batch b = batch.to(dev);
            Tensor x = inputTransform == null ? b.inputs() : inputTransform.apply(b.inputs());
            Tensor l = loss.forward(model.forward(x), b.targets());
            optimizer.zeroGrad();
            l.backward();
            optimizer.step();
            if (scheduler != null && schedulerPerStep) scheduler.step();
            double lv = l.item();
            lossSum += lv * b.size();
            samples += b.size();
            steps++;
            globalStep++;
            double secs = (System.nanoTime() - t0) / 1e9;
            double sps = samples / Math.max(secs, 1e-9);
            bar.update(steps, lossSum / samples, sps, secs);
            if (logPath != null && logEvery > 0 && globalStep % logEvery == 0) {
                double[] global = sumOverRanks(lv, samples); // every rank takes part; rank 0 writes
                if (log != null) log.step(epoch, globalStep, global[0] / worldSize(), optimizer.paramGroups().get(0).lr(),
                        global[1] / Math.max(secs, 1e-9), elapsedBefore + (System.nanoTime() - start) / 1e9);
            }
        }
        double trainSecs = (System.nanoTime() - t0) / 1e9;
        double[] totals = sumOverRanks(lossSum, samples);
        lossSum = totals[0];
        samples = (long) totals[1];
        Map<String, Double> val = valLoader == null ? Map.of() : evaluate(valLoader, "val_");
        if (scheduler instanceof ReduceLROnPlateau plateau) {
            double v = plateauMonitor.equals("train_loss") ? lossSum / samples : val.get(plateauMonitor);
            plateau.step(v);
        } else if (scheduler != null && !schedulerPerStep) {
            scheduler.step();
        }
        double trainLoss = samples == 0 ? Double.NaN : lossSum / samples;
        StringBuilder summary = new StringBuilder(String.format("epoch %d/%d  train_loss %.4f", epoch + 1, epochs, trainLoss));
        val.forEach((k, v) -> summary.append(String.format("  %s %.4f", k, v)));
        summary.append(String.format("  %.0f samples/s  %.1fs", samples / Math.max(trainSecs, 1e-9), trainSecs));
        bar.finish(summary.toString());
        return new EpochResult(epoch, globalStep, trainLoss, val, optimizer.paramGroups().get(0).lr(), samples / Math.max(trainSecs, 1e-9),
                elapsedBefore + (System.nanoTime() - start) / 1e9);
    }

    /** Mean loss and metrics over {@code loader} in eval mode without grad; keys {@code prefix + "loss"} and {@code prefix + name}. */
    public Map<String, Double> evaluate(DataLoader loader, String prefix) {
        boolean wasTraining = model.isTraining();
        model.eval();
        metrics.forEach(Metric::reset);
        double lossSum = 0;
        long n = 0;
        Device dev = device();
        boolean sharded = isSharded(loader);
        List<Tensor> outputs = new ArrayList<>(), targets = new ArrayList<>();
        try (var ignored = Ember.noGrad()) {
            for (Batch batch : loader) {
                Batch b = batch.to(dev);
                Tensor x = inputTransform == null ? b.inputs() : inputTransform.apply(b.inputs());
                Tensor y = model.forward(x);
                lossSum += loss.forward(y, b.targets()).item() * b.size();
                n += b.size();
                if (sharded) {
                    outputs.add(y);
                    targets.add(b.targets());
                } else {
                    for (Metric m : metrics) m.update(y, b.targets());
                }
            }
        } finally {
            model.train(wasTraining);
        }
        if (isSharded(loader)) { // each rank saw its shard: metrics over every rank's outputs
            metrics.forEach(Metric::reset);
            Tensor y = Collectives.gatherRows(group, Tensor.cat(outputs, 0));
            Tensor t = Collectives.gatherRows(group, Tensor.cat(targets, 0));
            for (Metric m : metrics) m.update(y, t);
            double[] totals = sumOverRanks(lossSum, n);
            lossSum = totals[0];
            n = (long) totals[1];
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put(prefix + "loss", n == 0 ? Double.NaN : lossSum / n);
        for (Metric m : metrics) out.put(prefix + m.name(), m.compute());
        return out;
    }

    private boolean isSharded(DataLoader loader) {
        return group != null && group.worldSize() > 1 && loader.sampler() instanceof DistributedSampler;
    }

    private int worldSize() { return group == null ? 1 : group.worldSize(); }

    /** {@code {a, b}} summed over the ranks (themselves when not distributed). */
    private double[] sumOverRanks(double a, double b) {
        if (group == null || group.worldSize() == 1) return new double[]{a, b};
        Tensor t = Tensor.of(new double[]{a, b});
        group.allReduce(t);
        return t.toDoubleArray();
    }

    // ---- checkpoint state ---------------------------------------------------------------

    /**
     * Everything needed to continue exactly: {@code model.*}, {@code optimizer.*},
     * {@code scheduler.*}, {@code callback.<i>.*}, the default generator's and the training
     * loader's shuffle generator's states, and the epoch, step and elapsed time.
     */
    public Map<String, Tensor> checkpointState() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> s.put("model." + k, v));
        optimizer.stateDict().forEach((k, v) -> s.put("optimizer." + k, v));
        if (scheduler != null) scheduler.stateDict().forEach((k, v) -> s.put("scheduler." + k, v));
        for (int i = 0; i < callbacks.size(); i++) {
            int idx = i;
            callbacks.get(i).stateDict().forEach((k, v) -> s.put("callback." + idx + "." + k, v));
        }
        s.put("rng.default", Tensor.of(Ember.generator().state()));
        s.put("rng.train_loader", Tensor.of(trainLoader.generator().state()));
        s.put("trainer.next_epoch", Tensor.scalar(history.isEmpty() ? nextEpoch : history.getLast().epoch() + 1, DType.INT64));
        s.put("trainer.global_step", Tensor.scalar(globalStep, DType.INT64));
        s.put("trainer.elapsed", Tensor.scalar(history.isEmpty() ? elapsedBefore : history.getLast().elapsedSeconds(), DType.FLOAT64));
        return s;
    }

    /** Restores a checkpoint written by {@link Checkpoint}: the next {@link #fit} continues where it stopped. */
    public void resume(Path checkpoint) {
        Map<String, Tensor> s = group == null || group.worldSize() == 1 ? SafeTensors.read(checkpoint)
                : SafeTensors.read(Collectives.fileFromRankZero(group, checkpoint)); // every rank resumes rank 0's file
        model.loadStateDict(section(s, "model."));
        optimizer.loadStateDict(section(s, "optimizer."));
        if (scheduler != null) scheduler.loadStateDict(section(s, "scheduler."));
        for (int i = 0; i < callbacks.size(); i++) {
            Map<String, Tensor> c = section(s, "callback." + i + ".");
            if (!c.isEmpty()) callbacks.get(i).loadStateDict(c);
        }
        Ember.generator().setState(require(s, "rng.default", checkpoint).toLongArray());
        trainLoader.generator().setState(require(s, "rng.train_loader", checkpoint).toLongArray());
        nextEpoch = (int) require(s, "trainer.next_epoch", checkpoint).itemLong();
        trainLoader.setNextEpoch(nextEpoch); // epoch-seeded samplers and datasets continue, too
        globalStep = require(s, "trainer.global_step", checkpoint).itemLong();
        elapsedBefore = require(s, "trainer.elapsed", checkpoint).item();
    }

    private static Tensor require(Map<String, Tensor> s, String key, Path p) {
        Tensor t = s.get(key);
        if (t == null) throw new IllegalArgumentException("Trainer.resume: " + p + " has no '" + key + "'; is it an Ember checkpoint?");
        return t;
    }

    private static Map<String, Tensor> section(Map<String, Tensor> s, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        s.forEach((k, v) -> { if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v); });
        return out;
    }

    /** Options of a {@link Trainer}. */
    public static final class Builder {
        private final Module model;
        private final Loss loss;
        private final Optimizer optimizer;
        private final DataLoader trainLoader;
        private DataLoader valLoader;
        private LRScheduler scheduler;
        private boolean schedulerPerStep;
        private String plateauMonitor = "val_loss";
        private final List<Metric> metrics = new ArrayList<>();
        private final List<Callback> callbacks = new ArrayList<>();
        private Path logPath;
        private int logEvery = 50;
        private PrintStream out = System.out;
        private boolean terminal = ProgressBar.isTerminal();
        private java.util.function.UnaryOperator<Tensor> inputTransform;
        private ProcessGroup group;

        private Builder(Module model, Loss loss, Optimizer optimizer, DataLoader trainLoader) {
            this.model = model;
            this.loss = loss;
            this.optimizer = optimizer;
            this.trainLoader = trainLoader;
        }

        /** The loader evaluated after each epoch (loss and metrics). */
        public Builder validation(DataLoader valLoader) { this.valLoader = valLoader; return this; }

        /** A scheduler stepped once per epoch ({@link ReduceLROnPlateau} gets the {@code val_loss}). */
        public Builder scheduler(LRScheduler scheduler) { this.scheduler = scheduler; this.schedulerPerStep = false; return this; }

        /** A scheduler stepped after every batch (warm-up schedules). */
        public Builder schedulerPerStep(LRScheduler scheduler) { this.scheduler = scheduler; this.schedulerPerStep = true; return this; }

        /** The value ReduceLROnPlateau watches ({@code "val_loss"} by default). */
        public Builder plateauMonitor(String key) { this.plateauMonitor = key; return this; }

        /** Adds a metric computed on the validation loader. */
        public Builder metric(Metric metric) { metrics.add(metric); return this; }

        /** Adds a callback. */
        public Builder callback(Callback callback) { callbacks.add(callback); return this; }

        /** Writes the JSON-lines run log here (and the curve plot beside it); logs a step record every {@code every} steps. */
        public Builder log(Path path, int every) { this.logPath = path; this.logEvery = every; return this; }

        /** Where progress is printed, and whether it is an interactive terminal. */
        public Builder output(PrintStream out, boolean terminal) { this.out = out; this.terminal = terminal; return this; }

        /** A transform applied to every input batch on the device (e.g. normalisation). */
        public Builder inputTransform(java.util.function.UnaryOperator<Tensor> transform) { this.inputTransform = transform; return this; }

        /**
         * Trains as one rank of {@code group} (the model is usually a {@code DistributedDataParallel}
         * and the loader's sampler a {@link DistributedSampler}): losses and sample counts are summed
         * over the ranks, validation metrics cover every rank's shard, and only rank 0 prints, logs,
         * plots and writes checkpoints. {@link Trainer#resume} then reads rank 0's checkpoint on every rank.
         */
        public Builder distributed(ProcessGroup group) { this.group = group; return this; }

        /** The trainer. */
        public Trainer build() { return new Trainer(this); }
    }
}
