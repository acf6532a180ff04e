package dev.ember.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.DataLoader;
import dev.ember.data.TensorDataset;
import dev.ember.data.datasets.FashionMnist;
import dev.ember.metrics.Accuracy;
import dev.ember.nn.Dropout;
import dev.ember.nn.Flatten;
import dev.ember.nn.Linear;
import dev.ember.nn.CrossEntropyLoss;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.optim.Adam;
import dev.ember.optim.StepLR;
import dev.ember.testing.AllocatorStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop: exact resume from checkpoints, early stopping, the run log, the plot and the progress lines. */
class TrainerTest {
    @TempDir
    Path dir;

    private static final FashionMnist.Splits DATA = FashionMnist.loadEmbedded();

    private static TensorDataset slice(TensorDataset d, int from, int n) {
        return new TensorDataset(FashionMnist.normalize(d.inputs().narrow(0, from, n)), d.targets().narrow(0, from, n));
    }

    /** A small run whose every random choice (init, dropout, shuffling) comes from seeded generators. */
    private final class Run {
        final Module model;
        final Trainer trainer;
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Run(long initSeed, Path checkpointDir, Path log, Callback... extra) {
            Ember.manualSeed(initSeed);
            model = new Sequential(new Flatten(), new Linear(784, 32), new ReLU(), new Dropout(0.2), new Linear(32, 10));
            Adam opt = new Adam(model.parameters(), 3e-3);
            DataLoader train = DataLoader.builder(slice(DATA.train(), 0, 320)).batchSize(32).shuffle(true).seed(7).build();
            DataLoader val = DataLoader.builder(slice(DATA.test(), 0, 100)).batchSize(50).build();
            var b = Trainer.builder(model, new CrossEntropyLoss(), opt, train).validation(val).metric(new Accuracy())
                    .scheduler(new StepLR(opt, 1, 0.7)).output(new PrintStream(printed, true), false);
            if (checkpointDir != null) b.callback(new Checkpoint(checkpointDir, 1, "val_accuracy", Mode.MAX));
            if (log != null) b.log(log, 3);
            for (Callback c : extra) b.callback(c);
            trainer = b.build();
        }
    }

    @Test
    void resumingFromACheckpointReproducesTheUninterruptedRun() {
        Ember.manualSeed(1);
        List<EpochResult> full = new Run(1, null, null).trainer.fit(4);

        Path ckpt = dir.resolve("ckpt");
        new Run(1, ckpt, null).trainer.fit(2);
        Run resumed = new Run(999, null, null); // different initial weights, all overwritten by the checkpoint
        resumed.trainer.resume(ckpt.resolve("last.safetensors"));
        assertEquals(2, resumed.trainer.nextEpoch());
        List<EpochResult> rest = resumed.trainer.fit(4);
        assertEquals(2, rest.size());
        for (int e = 2; e < 4; e++) {
            EpochResult a = full.get(e), b = rest.get(e - 2);
            assertEquals(a.epoch(), b.epoch());
            assertEquals(a.trainLoss(), b.trainLoss(), 1e-6, "train loss of epoch " + e);
            assertEquals(a.value("val_loss"), b.value("val_loss"), 1e-6, "validation loss of epoch " + e);
            assertEquals(a.lr(), b.lr(), 1e-15, "scheduled lr of epoch " + e);
        }
        assertTrue(Files.exists(ckpt.resolve("best.safetensors")));
    }

    /**
     * Each step runs in a scope now; a hand-written loop without scopes over the same seeded model,
     * dropout, shuffling and optimizer must give the same losses and weights to the bit.
     */
    @Test
    void stepsInScopesGiveTheSameLossesAndWeightsAsALoopWithoutScopes() {
        int epochs = 2;
        Ember.manualSeed(5);
        Module model = new Sequential(new Flatten(), new Linear(784, 32), new ReLU(), new Dropout(0.2), new Linear(32, 10));
        Adam opt = new Adam(model.parameters(), 3e-3);
        DataLoader train = DataLoader.builder(slice(DATA.train(), 0, 320)).batchSize(32).shuffle(true).seed(7).build();
        List<EpochResult> history = Trainer.builder(model, new CrossEntropyLoss(), opt, train)
                .output(new PrintStream(new ByteArrayOutputStream(), true), false).build().fit(epochs);

        Ember.manualSeed(5);
        Module ref = new Sequential(new Flatten(), new Linear(784, 32), new ReLU(), new Dropout(0.2), new Linear(32, 10));
        Adam refOpt = new Adam(ref.parameters(), 3e-3);
        DataLoader refTrain = DataLoader.builder(slice(DATA.train(), 0, 320)).batchSize(32).shuffle(true).seed(7).build();
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        for (int e = 0; e < epochs; e++) {
            double lossSum = 0;
            long n = 0;
            for (var b : refTrain) {
                Tensor l = lossFn.forward(ref.forward(b.inputs()), b.targets());
                double lv = l.item();
                refOpt.zeroGrad();
                l.backward();
                refOpt.step();
                lossSum += lv * b.size();
                n += b.size();
            }
            assertEquals(lossSum / n, history.get(e).trainLoss(), 0.0, "training loss of epoch " + e);
        }
        var mine = model.namedParameters();
        ref.namedParameters().forEach((name, t) -> assertArrayEquals(t.toFloatArray(), mine.get(name).toFloatArray(), 0f, name));
    }

    /**
     * What a fit leaves allocated on the CPU is what outlives its steps: gradients and the optimizer's state
     * (the weights were there before). Without the per-step scopes every activation, graph tensor and batch
     * of the epoch would still count as allocated (until a collection).
     */
    @Test
    void aFitLeavesOnlyGradientsAndOptimizerStateAllocated() {
        Ember.manualSeed(5);
        Module model = new Sequential(new Flatten(), new Linear(784, 32), new ReLU(), new Linear(32, 10));
        Adam opt = new Adam(model.parameters(), 3e-3);
        DataLoader train = DataLoader.builder(slice(DATA.train(), 0, 320)).batchSize(32).shuffle(true).seed(7).build();
        Trainer trainer = Trainer.builder(model, new CrossEntropyLoss(), opt, train)
                .output(new PrintStream(new ByteArrayOutputStream(), true), false).build();
        long before = AllocatorStats.settle(Device.cpu());
        Ember.resetPeakMemoryStats(Device.cpu());
        trainer.fit(1);
        long params = model.parameters().stream().mapToLong(t -> t.numel() * 4).sum();
        long left = Ember.memoryStats(Device.cpu()).allocated() - before;
        // gradients and Adam's two moments per parameter, each rounded up to its size class (at most 1/8 more),
        // plus the step counters and the epoch end's finiteness sums (one 64-byte class each)
        long expectedMax = 3 * (params + params / 8) + 2 * 64L * model.parameters().size();
        assertTrue(left >= 3 * params && left <= expectedMax, "left allocated " + left + " bytes for " + params + " bytes of parameters");
        long peak = Ember.memoryStats(Device.cpu()).peak() - before;
        assertTrue(peak < 15L * params, "one step at a time: the peak " + peak + " stays a few times the model, not 10 steps of activations");
    }

    @Test
    void earlyStoppingStopsAfterPatienceAndRestoresTheBestWeights() {
        EarlyStopping stop = new EarlyStopping("val_loss", Mode.MIN, 2, 0.01, true);
        Run run = new Run(3, null, null, stop);
        Trainer t = run.trainer;
        Tensor w = run.model.namedParameters().get("1.weight");
        stop.onEpochEnd(t, new EpochResult(0, 10, 1.0, Map.of("val_loss", 0.50), 1e-3, 1, 1));
        float[] best = w.toFloatArray();
        try (var ignored = Ember.noGrad()) { w.fillInPlace(0.25); }
        stop.onEpochEnd(t, new EpochResult(1, 20, 1.0, Map.of("val_loss", 0.495), 1e-3, 1, 1)); // within minDelta: no improvement
        assertNull(t.stopReason());
        stop.onEpochEnd(t, new EpochResult(2, 30, 1.0, Map.of("val_loss", 0.60), 1e-3, 1, 1));
        assertNotNull(t.stopReason(), "stops after 2 epochs without improvement");
        assertTrue(t.stopReason().contains("val_loss"), t.stopReason());
        assertEquals(0, stop.bestEpoch());
        stop.onTrainEnd(t);
        assertArrayEquals(best, w.toFloatArray(), "best weights restored");
    }

    @Test
    void fitEndsEarlyWhenTheMonitorStalls() {
        // A monitor that never improves beyond a huge minDelta stops training after patience epochs.
        Run run = new Run(4, null, null, new EarlyStopping("val_accuracy", Mode.MAX, 1, 10.0, false));
        List<EpochResult> h = run.trainer.fit(6);
        assertEquals(2, h.size());
        assertTrue(run.printed.toString().contains("early stopping"));
    }

    @Test
    void writesTheRunLogPlotAndPlainProgressLines() throws Exception {
        Path log = dir.resolve("run.jsonl");
        Run run = new Run(5, null, log);
        run.trainer.fit(2);
        List<JsonObject> records = dev.ember.train.RunLog.read(log);
        long steps = records.stream().filter(r -> r.get("type").getAsString().equals("step")).count();
        List<JsonObject> epochs = records.stream().filter(r -> r.get("type").getAsString().equals("epoch")).toList();
        assertEquals(20 / 3, steps, "a step record every 3 of 20 steps");
        assertEquals(2, epochs.size());
        for (String key : List.of("step", "epoch", "loss", "lr", "samples_per_sec", "elapsed")) assertTrue(epochs.get(1).has(key), key);
        JsonObject metrics = epochs.get(1).getAsJsonObject("metrics");
        assertTrue(metrics.get("val_accuracy").getAsDouble() > 0.3, "some learning in 2 epochs: " + metrics);
        assertEquals(0.7 * 0.7 * 3e-3, epochs.get(1).get("lr").getAsDouble(), 1e-12);
        String svg = Files.readString(run.trainer.plotPath());
        assertTrue(svg.startsWith("<svg") && svg.contains("<polyline"), "curve plot beside the log");
        assertEquals(dir.resolve("run.svg"), run.trainer.plotPath());
        String out = run.printed.toString();
        assertFalse(out.contains("\r"), "no carriage returns when not on a terminal");
        assertTrue(out.contains("epoch 2/2") && out.contains("samples/s") && out.contains("ETA") && out.contains("val_accuracy"), out);
    }
}
