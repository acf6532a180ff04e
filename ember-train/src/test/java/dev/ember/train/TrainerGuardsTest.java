package dev.ember.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.DataLoader;
import dev.ember.data.TensorDataset;
import dev.ember.data.datasets.FashionMnist;
import dev.ember.nn.Linear;
import dev.ember.nn.Loss;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.Flatten;
import dev.ember.nn.functional.F;
import dev.ember.optim.Adam;
import dev.ember.optim.ReduceLROnPlateau;
import dev.ember.testing.Checks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's guards: a non-finite loss stops training at that step (or, if asked, skips the
 * batch), parameters that became non-finite are never checkpointed, the run log stays strict JSON,
 * and the builder refuses settings that cannot work.
 */
class TrainerGuardsTest {
    @TempDir
    Path dir;

    private static final FashionMnist.Splits DATA = FashionMnist.loadEmbedded();
    private static final int BATCH = 16;

    private static TensorDataset slice(int from, int n) {
        TensorDataset d = DATA.train();
        return new TensorDataset(FashionMnist.normalize(d.inputs().narrow(0, from, n)), d.targets().narrow(0, from, n));
    }

    private static Module model() {
        Ember.manualSeed(11);
        return new Sequential(new Flatten(), new Linear(784, 12), new ReLU(), new Linear(12, 10));
    }

    /**
     * Cross-entropy, except on the listed (1-based) calls: {@code "nan"} and {@code "inf"} make the loss NaN or
     * infinite, {@code "nan-grad"} keeps it finite but makes its gradient NaN (d sqrt(x)/dx at 0, times 0).
     */
    private static Loss scripted(Map<Integer, String> calls) {
        int[] n = {0};
        return (y, t) -> {
            Tensor l = F.crossEntropy(y, t);
            return switch (calls.getOrDefault(++n[0], "")) {
                case "nan" -> l.mul(Double.NaN);
                case "inf" -> l.mul(Double.POSITIVE_INFINITY);
                case "nan-grad" -> l.add(y.sub(y.detach()).sqrt().sum().mul(0));
                default -> l;
            };
        };
    }

    private static Loss clean() { return scripted(Map.of()); }

    private static Trainer.Builder trainer(Module m, Loss loss, TensorDataset data, Path log) {
        DataLoader loader = DataLoader.builder(data).batchSize(BATCH).build();
        var b = Trainer.builder(m, loss, new Adam(m.parameters(), 1e-2), loader).output(new PrintStream(new ByteArrayOutputStream(), true), false);
        return log == null ? b : b.log(log, 1);
    }

    private static float[] weights(Module m) {
        List<Float> all = new ArrayList<>();
        for (Tensor p : m.parameters()) for (float f : p.toFloatArray()) all.add(f);
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) out[i] = all.get(i);
        return out;
    }

    /** Every line parsed by Gson in STRICT mode (no NaN, Infinity or other extensions), as objects. */
    private static List<JsonObject> strictRecords(Path log) throws Exception {
        List<JsonObject> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            JsonReader r = new JsonReader(new StringReader(line));
            r.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(r);
            out.add(e.getAsJsonObject());
        }
        return out;
    }

    @Test
    void aNonFiniteLossStopsAtItsStepBeforeTheWeightsChange() throws Exception {
        // 6 batches an epoch; the 8th training step (epoch 2, batch 2) has a NaN loss
        TensorDataset data = slice(0, 6 * BATCH);
        Module m = model();
        Path log = dir.resolve("run.jsonl");
        Trainer t = trainer(m, scripted(Map.of(8, "nan")), data, log).build();
        var e = assertThrows(TrainingDivergedException.class, () -> t.fit(3));
        assertEquals(8, e.step());
        assertEquals(1, e.epoch());
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("step 8") && e.getMessage().contains("epoch 2"), e.getMessage());

        // the NaN step was not applied: the weights are those after 7 clean steps (the 6 batches, then the first again)
        TensorDataset seven = new TensorDataset(Tensor.cat(List.of(data.inputs(), data.inputs().narrow(0, 0, BATCH)), 0),
                Tensor.cat(List.of(data.targets(), data.targets().narrow(0, 0, BATCH)), 0));
        Module reference = model();
        trainer(reference, clean(), seven, null).build().fit(1);
        assertArrayEquals(weights(reference), weights(m), "weights after the stop equal 7 clean steps");

        // the log is strict JSON: steps 1-6, epoch 1, step 7, then a stop record at step 8 with its loss as null
        List<JsonObject> records = strictRecords(log);
        assertEquals(9, records.size());
        JsonObject last = records.getLast();
        assertEquals("stop", last.get("type").getAsString(), last.toString());
        assertEquals(8, last.get("step").getAsLong());
        assertTrue(last.get("loss").isJsonNull(), "a NaN loss is logged as null: " + last);
        assertTrue(last.get("reason").getAsString().contains("step 8"), last.toString());
    }

    @Test
    void skipModeSkipsBatchesWithANonFiniteLossOrGradient() throws Exception {
        // batch 3 has an infinite loss, batch 5 a finite loss with a NaN gradient: both are skipped, and the
        // weights equal those of training on the other four batches alone
        TensorDataset data = slice(0, 6 * BATCH);
        Module m = model();
        Path log = dir.resolve("skip.jsonl");
        Trainer t = trainer(m, scripted(Map.of(3, "inf", 5, "nan-grad")), data, log).onNonFinite(NonFiniteLoss.SKIP).build();
        List<EpochResult> h = t.fit(1);
        assertEquals(2, h.getFirst().skippedBatches());

        List<Tensor> x = new ArrayList<>(), y = new ArrayList<>();
        for (int b : new int[]{0, 1, 3, 5}) {
            x.add(data.inputs().narrow(0, b * BATCH, BATCH));
            y.add(data.targets().narrow(0, b * BATCH, BATCH));
        }
        Module reference = model();
        trainer(reference, clean(), new TensorDataset(Tensor.cat(x, 0), Tensor.cat(y, 0)), null).build().fit(1);
        assertArrayEquals(weights(reference), weights(m), "the skipped batches changed nothing");

        List<JsonObject> records = strictRecords(log);
        assertEquals(7, records.size(), "6 step records and the epoch record");
        assertTrue(records.get(2).get("loss").isJsonNull() && records.get(2).get("skipped").getAsBoolean(), records.get(2).toString());
        assertTrue(records.get(4).get("loss").getAsDouble() > 0 && records.get(4).get("skipped").getAsBoolean(), records.get(4).toString());
        assertFalse(records.get(0).has("skipped"), records.get(0).toString());
        assertEquals(2, records.getLast().get("skipped_batches").getAsInt());
    }

    @Test
    void parametersThatBecameNonFiniteAreNeverCheckpointed() throws Exception {
        // the last batch of epoch 1 has a finite loss but NaN gradients: the step makes the weights NaN, and
        // the check at the epoch's end stops training before validation, callbacks and the checkpoint
        Path ckpt = dir.resolve("ckpt");
        Module m = model();
        Trainer t = trainer(m, scripted(Map.of(4, "nan-grad")), slice(0, 4 * BATCH), null)
                .callback(new Checkpoint(ckpt, 1, null, Mode.MIN)).build();
        var e = assertThrows(TrainingDivergedException.class, () -> t.fit(2));
        assertTrue(e.getMessage().contains("parameter"), e.getMessage());
        assertFalse(Files.exists(ckpt.resolve("last.safetensors")), "no checkpoint of NaN weights");
    }

    @Test
    void theGuardsWorkOnEveryDevice() {
        for (Device dev : Checks.devices()) {
            // skip: batch 2 (NaN gradient) and batch 3 (infinite loss) are skipped, the weights stay finite
            Module m = model().to(dev);
            Trainer t = trainer(m, scripted(Map.of(2, "nan-grad", 3, "inf")), slice(0, 4 * BATCH), null).onNonFinite(NonFiniteLoss.SKIP).build();
            assertEquals(2, t.fit(1).getFirst().skippedBatches(), dev.toString());
            for (float w : weights(m)) assertTrue(Float.isFinite(w), dev + ": weights finite after skipping");
            // stop: NaN gradients in the last batch make the weights NaN, which the epoch's end catches
            Module n = model().to(dev);
            Trainer stop = trainer(n, scripted(Map.of(2, "nan-grad")), slice(0, 2 * BATCH), null).build();
            var e = assertThrows(TrainingDivergedException.class, () -> stop.fit(1), dev.toString());
            assertTrue(e.getMessage().contains("parameter"), e.getMessage());
        }
    }

    @Test
    void theRunLogWritesNonFiniteNumbersAsNull() throws Exception {
        Path log = dir.resolve("nan.jsonl");
        try (RunLog r = new RunLog(log)) {
            r.step(0, 1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.5);
            r.epoch(new EpochResult(0, 1, Double.NaN, Map.of("val_loss", Double.NaN, "val_accuracy", 0.25), 1e-3, 10, 1));
        }
        List<JsonObject> records = strictRecords(log);
        assertEquals(2, records.size());
        assertTrue(records.get(0).get("loss").isJsonNull() && records.get(0).get("lr").isJsonNull()
                && records.get(0).get("samples_per_sec").isJsonNull());
        assertEquals(0.5, records.get(0).get("elapsed").getAsDouble());
        assertTrue(records.get(1).getAsJsonObject("metrics").get("val_loss").isJsonNull());
        assertEquals(0.25, records.get(1).getAsJsonObject("metrics").get("val_accuracy").getAsDouble());
        CurvePlot.write(log, dir.resolve("nan.svg")); // the plot skips what is null
        assertTrue(Files.readString(dir.resolve("nan.svg")).startsWith("<svg"));
    }

    @Test
    void theBuilderAndFitRefuseSettingsThatCannotWork() {
        Module m = model();
        TensorDataset data = slice(0, 32);
        Adam opt = new Adam(m.parameters(), 1e-3);
        DataLoader loader = DataLoader.builder(data).batchSize(8).build();
        assertThrows(NullPointerException.class, () -> Trainer.builder(null, clean(), opt, loader));
        assertThrows(NullPointerException.class, () -> Trainer.builder(m, null, opt, loader));
        var every = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(m, clean(), opt, loader).log(dir.resolve("x"), -1));
        assertTrue(every.getMessage().contains("every"), every.getMessage());
        var plateau = ReduceLROnPlateau.builder(opt).build();
        var noVal = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(m, clean(), opt, loader).scheduler(plateau).build());
        assertTrue(noVal.getMessage().contains("val_loss"), noVal.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder(m, clean(), opt, loader).schedulerPerStep(plateau).build());
        var other = new Adam(model().parameters(), 1e-3);
        var foreign = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder(m, clean(), opt, loader).scheduler(new dev.ember.optim.StepLR(other, 1)).build());
        assertTrue(foreign.getMessage().contains("scheduler"), foreign.getMessage());
        Trainer t = Trainer.builder(m, clean(), opt, loader).build();
        var epochs = assertThrows(IllegalArgumentException.class, () -> t.fit(-1));
        assertTrue(epochs.getMessage().contains("-1"), epochs.getMessage());
    }
}
