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
import dev.ember.optim.GradScaler;
import dev.ember.optim.LRScheduler;
import dev.ember.optim.Optimizer;
import dev.ember.optim.ReduceLROnPlateau;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The training loop: for each epoch, every batch of the training loader runs forward, loss,
 * backward and an optimizer step; then the validation loader is evaluated (loss and metrics in
 * eval mode without grad), the scheduler steps, the epoch is logged, and callbacks run (early
 * stopping, checkpoints). Progress goes to a {@link ProgressBar}, records to a {@link RunLog},
 * and at the end a curve plot is drawn beside the log. Build with {@link #builder}.
 *
 * <p>Each training step and each evaluation batch runs in its own {@link dev.ember.TensorScope}: its
 * batch, activations, graph and temporaries are released when it ends (parameters, gradients and
 * optimizer state escape), so memory is reused step after step without tuning the garbage collector.
 * A callback or input transform that keeps a tensor from a step must {@linkplain
 * dev.ember.TensorScope#escape escape} it.
 *
 * <p>A batch whose loss is NaN or infinite never reaches the optimizer: by default training stops
 * with a {@link TrainingDivergedException} naming the step ({@link NonFiniteLoss}). At each epoch's
 * end the parameters are checked before validation and callbacks, so non-finite weights are never
 * checkpointed.
 *
 * <p>With {@link Builder#autocast(DType)} each training step's forward pass and loss, and each evaluation batch, run
 * under {@link Ember#autocast(DType)} (products in 16 bits, reductions, norms and the loss in float32) while the
 * parameters stay float32 master weights with float32 gradients, as PyTorch's
 * {@code with torch.autocast(...): loss = ...; loss.backward()}. With FLOAT16 a {@link GradScaler} scales the loss
 * before {@code backward()} and skips steps whose gradients overflowed; its scale is part of the checkpoint.
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
    private final NonFiniteLoss onNonFinite;
    private final ProcessGroup group;
    private final DType autocast;
    private final GradScaler scaler;

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
        this.onNonFinite = b.onNonFinite;
        this.autocast = b.autocast;
        this.scaler = b.autocast == DType.FLOAT16 && !b.scalerSet ? new GradScaler() : b.scaler; // each trainer its own
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

    /** The 16-bit dtype of the autocast scope that steps and evaluations run in, or null (float32 throughout). */
    public DType autocast() { return autocast; }

    /** The loss scaler of FLOAT16 autocast, or null. */
    public GradScaler gradScaler() { return scaler; }

    /** An autocast scope in this trainer's dtype, or one that changes nothing when it has none. */
    private dev.ember.Autocast autocastScope() { return autocast == null ? null : Ember.autocast(autocast); }

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

    /**
     * Trains until epoch {@code epochs} (exclusive; counting epochs run before a resume) or an early stop;
     * returns the history. Throws {@link TrainingDivergedException} when the loss or the parameters
     * become non-finite (see {@link NonFiniteLoss}).
     */
    public List<EpochResult> fit(int epochs) {
        if (epochs < 0) throw new IllegalArgumentException("Trainer.fit: epochs must be >= 0, got " + epochs);
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
        long samples = 0, lossSamples = 0;
        int steps = 0, skipped = 0, overflowed = 0;
        // One scope per step: the batch, activations, graph and temporaries of a step go back to the
        // allocator when it ends (parameters, gradients and optimizer state escape it), so a warm loop
        // reuses the same memory every step instead of leaving it to the garbage collector.
        Iterator<Batch> batches = trainLoader.iterator();
        while (true) {
            try (var stepScope = Ember.scope()) {
                if (!batches.hasNext()) break;
                Batch b = batches.next().to(dev);
                Tensor x = inputTransform == null ? b.inputs() : inputTransform.apply(b.inputs());
                Tensor l;
                try (var ac = autocastScope()) { // forward and loss only: backward runs in the forward's dtypes
                    l = loss.forward(model.forward(x), b.targets());
                }
                double lv = l.item(); // read before backward: a non-finite loss never reaches the optimizer
                if (worldSize() > 1) lv = sumOverRanks(lv, 0)[0] / worldSize(); // all ranks take the same decision below
                long step = globalStep + 1;
                boolean skip = false;
                if (!Double.isFinite(lv)) {
                    String what = "the loss is " + lv + " at step " + step + " (epoch " + (epoch + 1) + ", batch " + (steps + 1) + " of "
                            + trainLoader.size() + ")";
                    if (onNonFinite == NonFiniteLoss.STOP) throw diverged(bar, log, epoch, step, lv, start, what + "; that step was not applied");
                    skip = true;
                } else {
                    optimizer.zeroGrad();
                    if (scaler != null) {
                        // the scaler checks the gradients itself: an overflow skips the step and lowers the scale, as
                        // PyTorch's GradScaler; the loss was finite, so the batch still counts
                        scaler.scale(l).backward();
                        if (!scaler.step(optimizer)) overflowed++;
                        scaler.update();
                    } else {
                        l.backward();
                        if (onNonFinite == NonFiniteLoss.SKIP && !gradientsFinite()) skip = true;
                        else optimizer.step();
                    }
                }
                if (scheduler != null && schedulerPerStep) scheduler.step();
                samples += b.size();
                if (skip) {
                    skipped++;
                } else {
                    lossSum += lv * b.size();
                    lossSamples += b.size();
                }
                steps++;
                globalStep = step;
                double secs = (System.nanoTime() - t0) / 1e9;
                double sps = samples / Math.max(secs, 1e-9);
                bar.update(steps, lossSamples == 0 ? Double.NaN : lossSum / lossSamples, sps, secs);
                if (logPath != null && logEvery > 0 && globalStep % logEvery == 0) {
                    // every rank takes part in the sum; rank 0 writes
                    double rate = worldSize() == 1 ? sps : sumOverRanks(0, samples)[1] / Math.max(secs, 1e-9);
                    if (log != null)
                        log.step(epoch, globalStep, lv, optimizer.paramGroups().get(0).lr(), rate, elapsedBefore + (System.nanoTime() - start) / 1e9, skip);
                }
            }
        }
        if (steps > 0 && skipped == steps)
            throw diverged(bar, log, epoch, globalStep, Double.NaN, start, "every batch of epoch " + (epoch + 1)
                    + " had a non-finite loss or gradient and was skipped");
        String badParameter = firstNonFiniteParameter();
        if (badParameter != null)
            throw diverged(bar, log, epoch, globalStep, Double.NaN, start, "parameter '" + badParameter + "' became non-finite in epoch " + (epoch + 1)
                    + " (by step " + globalStep + "); nothing of this epoch was validated or checkpointed");
        double trainSecs = (System.nanoTime() - t0) / 1e9;
        // each step's loss is already the mean over the ranks (above), so lossSum / lossSamples is the global
        // training loss; only the sample count adds up (throughput)
        samples = (long) sumOverRanks(0, samples)[1];
        Map<String, Double> val = valLoader == null ? Map.of() : evaluate(valLoader, "val_");
        if (scheduler instanceof ReduceLROnPlateau plateau) {
            double v = plateauMonitor.equals("train_loss") ? lossSum / lossSamples : val.get(plateauMonitor);
            plateau.step(v);
        } else if (scheduler != null && !schedulerPerStep) {
            scheduler.step();
        }
        double trainLoss = lossSamples == 0 ? Double.NaN : lossSum / lossSamples;
        StringBuilder summary = new StringBuilder(String.format("epoch %d/%d  train_loss %.4f", epoch + 1, epochs, trainLoss));
        val.forEach((k, v) -> summary.append(String.format("  %s %.4f", k, v)));
        summary.append(String.format("  %.0f samples/s  %.1fs", samples / Math.max(trainSecs, 1e-9), trainSecs));
        if (skipped > 0) summary.append(String.format("  (%d of %d batches skipped: non-finite loss or gradient)", skipped, steps));
        if (overflowed > 0) summary.append(String.format("  (%d of %d steps skipped by the loss scaler, scale now %g)", overflowed, steps,
                scaler.getScale()));
        bar.finish(summary.toString());
        return new EpochResult(epoch, globalStep, trainLoss, val, optimizer.paramGroups().get(0).lr(), samples / Math.max(trainSecs, 1e-9),
                elapsedBefore + (System.nanoTime() - start) / 1e9, skipped);
    }

    /** Ends the epoch's progress line, logs a stop record and returns the exception to throw. */
    private TrainingDivergedException diverged(ProgressBar bar, RunLog log, int epoch, long step, double lossValue, long start, String what) {
        String message = "training diverged: " + what;
        bar.finish("epoch " + (epoch + 1) + " stopped: " + message);
        if (log != null) log.stop(epoch, step, lossValue, message, elapsedBefore + (System.nanoTime() - start) / 1e9);
        return new TrainingDivergedException("Trainer: " + message, step, epoch);
    }

    /** Whether every gradient is finite (checked only when skipping batches: it costs a reduction per parameter). */
    private boolean gradientsFinite() {
        try (var ignored = Ember.noGrad()) {
            for (Tensor p : optimizer.paramGroups().stream().flatMap(g -> g.params().stream()).toList())
                if (p.grad() != null && !allFinite(p.grad())) return false;
        }
        return true;
    }

    private String firstNonFiniteParameter() {
        try (var ignored = Ember.noGrad()) {
            for (var e : model.namedParameters().entrySet()) if (!allFinite(e.getValue())) return e.getKey();
        }
        return null;
    }

    /** A finite sum means every element is finite; a non-finite one may be an overflow, so look again element by element. */
    private static boolean allFinite(Tensor t) {
        if (!t.dtype().isFloatingPoint() || Double.isFinite(t.sum().item())) return true;
        return !t.isnan().any() && !t.abs().eq(Double.POSITIVE_INFINITY).any();
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
        try (var ignored = Ember.noGrad(); var evalScope = Ember.scope()) { // holds the outputs a sharded evaluation gathers
            Iterator<Batch> batches = loader.iterator();
            while (true) {
                try (var batchScope = Ember.scope()) { // one per batch, as in training
                    if (!batches.hasNext()) break;
                    Batch b = batches.next().to(dev);
                    Tensor x = inputTransform == null ? b.inputs() : inputTransform.apply(b.inputs());
                    Tensor y;
                    double lv;
                    try (var ac = autocastScope()) {
                        y = model.forward(x);
                        lv = loss.forward(y, b.targets()).item();
                    }
                    lossSum += lv * b.size();
                    n += b.size();
                    if (sharded) {
                        outputs.add(batchScope.keep(y));
                        targets.add(batchScope.keep(b.targets()));
                    } else {
                        for (Metric m : metrics) m.update(y, b.targets());
                    }
                }
            }
            if (sharded) { // each rank saw its shard: metrics over every rank's outputs
                metrics.forEach(Metric::reset);
                Tensor y = Collectives.gatherRows(group, Tensor.cat(outputs, 0));
                Tensor t = Collectives.gatherRows(group, Tensor.cat(targets, 0));
                for (Metric m : metrics) m.update(y, t);
                double[] totals = sumOverRanks(lossSum, n);
                lossSum = totals[0];
                n = (long) totals[1];
            }
        } finally {
            model.train(wasTraining);
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
     * {@code scheduler.*}, {@code callback.<i>.*}, {@code grad_scaler.*} (FLOAT16 autocast: PyTorch's
     * {@code GradScaler} keys), the default generator's and the training loader's shuffle generator's states, and
     * the epoch, step and elapsed time.
     */
    public Map<String, Tensor> checkpointState() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> s.put("model." + k, v));
        optimizer.stateDict().forEach((k, v) -> s.put("optimizer." + k, v));
        if (scheduler != null) scheduler.stateDict().forEach((k, v) -> s.put("scheduler." + k, v));
        if (scaler != null) scaler.stateDict().forEach((k, v) -> s.put("grad_scaler." + k, v));
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

    /**
     * Restores a checkpoint written by {@link Checkpoint}: the next {@link #fit} continues where it stopped.
     * All or nothing: every section is checked first (the model's keys, shapes and dtypes; the optimizer's
     * and, if this trainer has one, the scheduler's state; the state of each callback that has state; both
     * generators; the epoch and step counters; the loss scaler's state when this trainer has one), and on any
     * error this trainer, its model, optimizer, scheduler, loss scaler, callbacks and generators are unchanged. State of callbacks or a scheduler that this
     * trainer does not have is ignored (a run can be resumed without its {@link Checkpoint} callback, and a FLOAT16
     * run without its scaler).
     * The run log is cut back to the checkpoint's step, so the resumed run logs each step once; temporary
     * files of interrupted checkpoint writes beside the file are deleted.
     */
    public void resume(Path checkpoint) {
        Path dir = checkpoint.toAbsolutePath().getParent();
        if (dir != null) Checkpoint.removeStaleTempFiles(dir, checkpoint.getFileName().toString(), "last.safetensors", "best.safetensors");
        Map<String, Tensor> s = worldSize() == 1 ? SafeTensors.read(checkpoint)
                : SafeTensors.read(Collectives.fileFromRankZero(group, checkpoint)); // every rank resumes rank 0's file
        String where = "Trainer.resume: " + checkpoint;
        Set<String> unknown = new TreeSet<>();
        for (String k : s.keySet())
            if (!(k.startsWith("model.") || k.startsWith("optimizer.") || k.startsWith("scheduler.") || k.startsWith("callback.")
                    || k.startsWith("grad_scaler.") || k.equals("rng.default") || k.equals("rng.train_loader") || k.startsWith("trainer."))) unknown.add(k);
        if (!unknown.isEmpty()) throw new IllegalArgumentException(where + ": unexpected entries " + unknown + "; is it an Ember checkpoint?");
        StateChecks.onlyKeys(where, section(s, "trainer."), Set.of("next_epoch", "global_step", "elapsed"), null);

        List<Runnable> commits = new ArrayList<>();
        // callbacks first: a callback without staging support installs its state with loadStateDict, which may still fail
        for (int i = 0; i < callbacks.size(); i++) {
            Callback c = callbacks.get(i);
            Map<String, Tensor> state = section(s, "callback." + i + ".");
            if (state.isEmpty()) {
                if (!c.stateDict().isEmpty())
                    throw new IllegalArgumentException(where + " has no state for callback " + i + " (" + c.getClass().getSimpleName() + ")");
                continue;
            }
            commits.add(staged(where + ": callback " + i + " (" + c.getClass().getSimpleName() + ")", () -> c.stageLoadStateDict(this, state)));
        }
        Map<String, Tensor> modelState = section(s, "model.");
        if (modelState.isEmpty()) throw new IllegalArgumentException(where + " has no model state; is it an Ember checkpoint?");
        commits.add(staged(where + ": model", () -> model.stageLoadStateDict(modelState, true)));
        Map<String, Tensor> optimizerState = section(s, "optimizer.");
        if (optimizerState.isEmpty())
            throw new IllegalArgumentException(where + " has no optimizer state (a model file saved by Module.save is not a checkpoint; "
                    + "load it with Module.load)");
        commits.add(staged(where + ": optimizer", () -> optimizer.stageLoadStateDict(optimizerState)));
        if (scheduler != null) {
            Map<String, Tensor> schedulerState = section(s, "scheduler.");
            if (schedulerState.isEmpty()) throw new IllegalArgumentException(where + " has no scheduler state but this trainer has a "
                    + scheduler.getClass().getSimpleName());
            commits.add(staged(where + ": scheduler", () -> scheduler.stageLoadStateDict(schedulerState)));
        }
        if (scaler != null) {
            Map<String, Tensor> scalerState = section(s, "grad_scaler.");
            if (scalerState.isEmpty())
                throw new IllegalArgumentException(where + " has no loss-scaler state (grad_scaler.*) but this trainer runs FLOAT16 autocast "
                        + "with a GradScaler; was the checkpoint written by a run without --autocast f16?");
            commits.add(staged(where + ": grad_scaler", () -> scaler.stageLoadStateDict(scalerState)));
        }
        long[] defaultRng = generatorState(where, s, "rng.default", Ember.generator().state().length);
        long[] loaderRng = generatorState(where, s, "rng.train_loader", trainLoader.generator().state().length);
        int epoch = (int) Math.min(Integer.MAX_VALUE, StateChecks.integer(where, s, "trainer.next_epoch", 0));
        long step = StateChecks.integer(where, s, "trainer.global_step", 0);
        double elapsed = StateChecks.number(where, s, "trainer.elapsed", false);

        if (logPath != null) RunLog.truncate(logPath, step, epoch);
        commits.forEach(Runnable::run);
        Ember.generator().setState(defaultRng);
        trainLoader.generator().setState(loaderRng);
        nextEpoch = epoch;
        trainLoader.setNextEpoch(nextEpoch); // epoch-seeded samplers and datasets continue, too
        globalStep = step;
        elapsedBefore = elapsed;
    }

    /** Runs a staging step, naming the section in its error. */
    private static Runnable staged(String section, java.util.function.Supplier<Runnable> stage) {
        try {
            return stage.get();
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(section + ": " + ex.getMessage(), ex);
        }
    }

    private static long[] generatorState(String where, Map<String, Tensor> s, String key, int length) {
        Tensor t = s.get(key);
        if (t == null) throw new IllegalArgumentException(where + " has no '" + key + "'; is it an Ember checkpoint?");
        if (t.dtype() != DType.INT64 || t.dim() != 1 || t.numel() != length)
            throw new IllegalArgumentException(where + ": '" + key + "' is " + t.dtype() + " " + Arrays.toString(t.shape())
                    + ", not a generator state (INT64 [" + length + "])");
        return t.toLongArray();
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
        private NonFiniteLoss onNonFinite = NonFiniteLoss.STOP;
        private ProcessGroup group;
        private DType autocast;
        private GradScaler scaler;
        private boolean scalerSet;

        private Builder(Module model, Loss loss, Optimizer optimizer, DataLoader trainLoader) {
            this.model = Objects.requireNonNull(model, "Trainer.builder: model is null");
            this.loss = Objects.requireNonNull(loss, "Trainer.builder: loss is null");
            this.optimizer = Objects.requireNonNull(optimizer, "Trainer.builder: optimizer is null");
            this.trainLoader = Objects.requireNonNull(trainLoader, "Trainer.builder: trainLoader is null");
        }

        /** The loader evaluated after each epoch (loss and metrics). */
        public Builder validation(DataLoader valLoader) { this.valLoader = Objects.requireNonNull(valLoader, "Trainer: valLoader is null"); return this; }

        /** A scheduler of this trainer's optimizer, stepped once per epoch ({@link ReduceLROnPlateau} gets the {@link #plateauMonitor}). */
        public Builder scheduler(LRScheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "Trainer: scheduler is null");
            this.schedulerPerStep = false;
            return this;
        }

        /** A scheduler of this trainer's optimizer, stepped after every batch (warm-up schedules). */
        public Builder schedulerPerStep(LRScheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "Trainer: scheduler is null");
            this.schedulerPerStep = true;
            return this;
        }

        /** The value ReduceLROnPlateau watches ({@code "val_loss"} by default, or {@code "train_loss"}). */
        public Builder plateauMonitor(String key) { this.plateauMonitor = Objects.requireNonNull(key, "Trainer: plateauMonitor is null"); return this; }

        /** Adds a metric computed on the validation loader. */
        public Builder metric(Metric metric) { metrics.add(Objects.requireNonNull(metric, "Trainer: metric is null")); return this; }

        /** Adds a callback. */
        public Builder callback(Callback callback) { callbacks.add(Objects.requireNonNull(callback, "Trainer: callback is null")); return this; }

        /**
         * Writes the JSON-lines run log here (and the curve plot beside it); logs a step record every
         * {@code every} steps ({@code 0}: epoch records only).
         */
        public Builder log(Path path, int every) {
            if (every < 0) throw new IllegalArgumentException("Trainer.log: every must be >= 0 steps (0: epoch records only), got " + every);
            this.logPath = Objects.requireNonNull(path, "Trainer.log: path is null");
            this.logEvery = every;
            return this;
        }

        /** Where progress is printed, and whether it is an interactive terminal. */
        public Builder output(PrintStream out, boolean terminal) {
            this.out = Objects.requireNonNull(out, "Trainer.output: out is null");
            this.terminal = terminal;
            return this;
        }

        /** A transform applied to every input batch on the device (e.g. normalisation). */
        public Builder inputTransform(java.util.function.UnaryOperator<Tensor> transform) { this.inputTransform = transform; return this; }

        /** What to do with a batch whose loss is NaN or infinite: {@link NonFiniteLoss#STOP} (the default) or {@link NonFiniteLoss#SKIP}. */
        public Builder onNonFinite(NonFiniteLoss policy) { this.onNonFinite = Objects.requireNonNull(policy, "Trainer: onNonFinite is null"); return this; }

        /**
         * Runs each step's forward pass and loss, and each evaluation batch, under {@link Ember#autocast(DType)} in
         * {@code dtype} (FLOAT16 or BFLOAT16); the model's parameters should stay float32 (the master weights, which
         * get float32 gradients). FLOAT16 also gets a {@link GradScaler} with PyTorch's defaults unless
         * {@link #gradScaler} gives one; BFLOAT16 has float32's range and needs none.
         */
        public Builder autocast(DType dtype) {
            Objects.requireNonNull(dtype, "Trainer.autocast: dtype is null");
            if (dtype != DType.FLOAT16 && dtype != DType.BFLOAT16)
                throw new IllegalArgumentException("Trainer.autocast: dtype must be FLOAT16 or BFLOAT16, got " + dtype
                        + (dtype.isFloatingPoint() ? " (float32 and float64 training need no autocast: leave the option out)"
                        : " (autocast chooses a floating-point precision for products)"));
            this.autocast = dtype;
            return this;
        }

        /**
         * The loss scaler for FLOAT16 autocast (by default {@code new GradScaler()}); null runs FLOAT16 without loss
         * scaling (small gradients may flush to zero).
         */
        public Builder gradScaler(GradScaler scaler) {
            this.scaler = scaler;
            this.scalerSet = true;
            return this;
        }

        /** The trainer; refuses a scheduler of another optimizer and a plateau schedule without the value it watches. */
        public Trainer build() {
            if (scheduler != null && scheduler.optimizer() != optimizer)
                throw new IllegalArgumentException("Trainer: the scheduler (" + scheduler.getClass().getSimpleName()
                        + ") belongs to another optimizer than the trainer's");
            if (scheduler instanceof ReduceLROnPlateau) {
                if (schedulerPerStep)
                    throw new IllegalArgumentException("Trainer: ReduceLROnPlateau needs a monitored value each epoch; use scheduler(...), not schedulerPerStep");
                if (!plateauMonitor.equals("train_loss") && valLoader == null)
                    throw new IllegalArgumentException("Trainer: ReduceLROnPlateau watches '" + plateauMonitor
                            + "' but there is no validation loader; add validation(...) or plateauMonitor(\"train_loss\")");
                if (!plateauMonitor.equals("train_loss") && !plateauMonitor.equals("val_loss")
                        && metrics.stream().noneMatch(m -> plateauMonitor.equals("val_" + m.name())))
                    throw new IllegalArgumentException("Trainer: ReduceLROnPlateau watches '" + plateauMonitor + "', which no metric provides");
            }
            if (scalerSet && scaler != null && autocast != DType.FLOAT16)
                throw new IllegalArgumentException("Trainer: a GradScaler is for FLOAT16 autocast, but autocast is "
                        + (autocast == null ? "off" : autocast) + "; add autocast(DType.FLOAT16) or leave the scaler out");
            if (autocast != null)
                for (var e : model.namedParameters().entrySet())
                    if (e.getValue().dtype() != DType.FLOAT32)
                        throw new IllegalArgumentException("Trainer: autocast trains float32 master weights, but parameter '" + e.getKey()
                                + "' is " + e.getValue().dtype() + "; keep the model in float32 (autocast casts per op)");
            return new Trainer(this);
        }

        /**
         * Trains as one rank of {@code group} (the model is usually a {@code DistributedDataParallel}
         * and the loader's sampler a {@link DistributedSampler}): the loss each rank decides on (stop or skip
         * a non-finite one) is the mean over the ranks, losses and sample counts are summed over the ranks,
         * validation metrics cover every rank's shard, and only rank 0 prints, logs, plots and writes
         * checkpoints. {@link Trainer#resume} then reads rank 0's checkpoint on every rank.
         */
        public Builder distributed(ProcessGroup group) { this.group = group; return this; }
    }
}
