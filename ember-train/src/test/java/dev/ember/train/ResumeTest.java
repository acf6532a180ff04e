package dev.ember.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.DataLoader;
import dev.ember.data.TensorDataset;
import dev.ember.data.datasets.FashionMnist;
import dev.ember.io.SafeTensors;
import dev.ember.metrics.Accuracy;
import dev.ember.nn.CrossEntropyLoss;
import dev.ember.nn.Dropout;
import dev.ember.nn.Flatten;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.optim.Adam;
import dev.ember.optim.StepLR;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Trainer#resume}: all or nothing, strict about missing sections, the run log cut back to the
 * checkpoint's step, and no temporary files left from failed or interrupted checkpoint writes.
 */
class ResumeTest {
    @TempDir
    Path dir;

    private static final FashionMnist.Splits DATA = FashionMnist.loadEmbedded();

    private static TensorDataset slice(TensorDataset d, int from, int n) {
        return new TensorDataset(FashionMnist.normalize(d.inputs().narrow(0, from, n)), d.targets().narrow(0, from, n));
    }

    /** A small seeded run (init, dropout and shuffling all from seeded generators), as in TrainerTest. */
    private static Trainer run(long initSeed, Path checkpointDir, Path log, Callback... extra) {
        Ember.manualSeed(initSeed);
        Module model = new Sequential(new Flatten(), new Linear(784, 16), new ReLU(), new Dropout(0.2), new Linear(16, 10));
        Adam opt = new Adam(model.parameters(), 3e-3);
        DataLoader train = DataLoader.builder(slice(DATA.train(), 0, 192)).batchSize(32).shuffle(true).seed(7).build();
        DataLoader val = DataLoader.builder(slice(DATA.test(), 0, 64)).batchSize(64).build();
        var b = Trainer.builder(model, new CrossEntropyLoss(), opt, train).validation(val).metric(new Accuracy())
                .scheduler(new StepLR(opt, 1, 0.7)).output(new PrintStream(new ByteArrayOutputStream(), true), false);
        for (Callback c : extra) b.callback(c);
        if (checkpointDir != null) b.callback(new Checkpoint(checkpointDir, 1, "val_accuracy", Mode.MAX));
        if (log != null) b.log(log, 2);
        return b.build();
    }

    /** Every record of a log without its timing fields, which differ between runs. */
    private static List<String> records(Path log) {
        List<String> out = new ArrayList<>();
        for (JsonObject r : RunLog.read(log)) {
            JsonObject copy = r.deepCopy();
            copy.remove("elapsed");
            copy.remove("samples_per_sec");
            out.add(copy.toString());
        }
        return out;
    }

    @Test
    void theResumedLogEqualsTheUninterruptedRunsLog() throws Exception {
        Path full = dir.resolve("full.jsonl");
        run(1, null, full).fit(4);

        // a run that checkpointed epoch 2, went on to log epoch 3, and was then killed
        Path log = dir.resolve("run.jsonl");
        Path ckpt = dir.resolve("ckpt");
        Trainer first = run(1, ckpt, log);
        first.fit(2);
        Path saved = dir.resolve("epoch2.safetensors");
        Files.copy(ckpt.resolve("last.safetensors"), saved);
        first.fit(3);
        // 6 steps an epoch, a step record every 2: 3 step records and 1 epoch record per epoch
        assertEquals(16, records(full).size());
        assertEquals(12, records(log).size(), "the killed run logged epoch 3 past its checkpoint");

        Trainer resumed = run(999, null, log);
        resumed.resume(saved);
        resumed.fit(4);
        assertEquals(records(full), records(log), "step and epoch records, losses and lrs bit for bit");
    }

    @Test
    void cuttingBackALogFromBeforeStrictJsonTurnsItsBareNaNsIntoNull() throws Exception {
        Path log = dir.resolve("old.jsonl");
        Files.writeString(log, """
                {"type":"step","epoch":0,"step":1,"loss":NaN,"lr":0.001,"samples_per_sec":10.0,"elapsed":0.5}
                {"type":"epoch","epoch":0,"step":2,"loss":2.5,"lr":0.001,"samples_per_sec":Infinity,"elapsed":1.0,"metrics":{"val_loss":NaN}}
                {"type":"step","epoch":1,"step":3,"loss":NaN,"lr":0.001,"samples_per_sec":10.0,"elapsed":1.5}
                {"type":"step","epoch":1,"step":4,"lo""");
        RunLog.truncate(log, 2, 1);
        List<String> lines = Files.readAllLines(log);
        assertEquals(2, lines.size(), "records after step 2 and the torn last line are gone: " + lines);
        assertEquals("{\"type\":\"step\",\"epoch\":0,\"step\":1,\"loss\":null,\"lr\":0.001,\"samples_per_sec\":10.0,\"elapsed\":0.5}", lines.get(0));
        List<JsonObject> records = RunLog.read(log); // strict
        assertTrue(records.get(1).getAsJsonObject("metrics").get("val_loss").isJsonNull());
        assertTrue(records.get(1).get("samples_per_sec").isJsonNull());
        assertEquals(2, records.get(1).get("step").getAsLong());
    }

    /** The whole trainer state, as bit patterns. */
    private static Map<String, String> snapshot(Trainer t) {
        Map<String, String> out = new LinkedHashMap<>();
        t.checkpointState().forEach((k, v) -> out.put(k, v.dtype() + Arrays.toString(v.shape())
                + (v.dtype().isFloatingPoint() ? Arrays.toString(v.toDoubleArray()) : Arrays.toString(v.toLongArray()))));
        out.put("next_epoch", Integer.toString(t.nextEpoch()));
        out.put("lr", t.optimizer().paramGroups().get(0).options().toString());
        return out;
    }

    private Path corrupted(Path checkpoint, String name, Consumer<Map<String, Tensor>> edit) {
        Map<String, Tensor> s = new LinkedHashMap<>(SafeTensors.read(checkpoint));
        edit.accept(s);
        Path out = dir.resolve(name + ".safetensors");
        SafeTensors.write(out, s);
        return out;
    }

    @Test
    void aCheckpointWithAnyBadOrMissingSectionChangesNothing() {
        Path ckpt = dir.resolve("ckpt");
        run(2, ckpt, null, new EarlyStopping("val_loss", Mode.MIN, 5, 0, true)).fit(2);
        Path good = ckpt.resolve("last.safetensors");

        Trainer t = run(3, null, null, new EarlyStopping("val_loss", Mode.MIN, 5, 0, true));
        t.fit(1); // optimizer state, scheduler position and callback state all differ from the checkpoint's
        List<Path> bad = List.of(
                corrupted(good, "no_optimizer", s -> s.keySet().removeIf(k -> k.startsWith("optimizer."))),
                corrupted(good, "no_scheduler", s -> s.keySet().removeIf(k -> k.startsWith("scheduler."))),
                corrupted(good, "no_callback", s -> s.keySet().removeIf(k -> k.startsWith("callback.0."))),
                corrupted(good, "callback_key", s -> s.remove("callback.0.wait")),
                corrupted(good, "callback_weights", s -> s.put("callback.0.weights.4.bias", Tensor.zeros(3))),
                corrupted(good, "rng", s -> s.put("rng.train_loader", Tensor.of(new long[]{1, 2, 3}))),
                corrupted(good, "no_rng", s -> s.remove("rng.default")),
                corrupted(good, "step", s -> s.put("trainer.global_step", Tensor.scalar(-4, DType.INT64))),
                corrupted(good, "no_epoch", s -> s.remove("trainer.next_epoch")),
                corrupted(good, "model_shape", s -> s.put("model.4.bias", Tensor.zeros(11))),
                corrupted(good, "model_dtype", s -> s.put("model.4.bias", Tensor.zeros(10).to(DType.INT32))),
                corrupted(good, "model_key", s -> s.remove("model.4.bias")),
                corrupted(good, "unknown", s -> s.put("extra.thing", Tensor.zeros(1))));
        for (Path p : bad) {
            Map<String, String> before = snapshot(t);
            long[] rngBefore = Ember.generator().state();
            var e = assertThrows(IllegalArgumentException.class, () -> t.resume(p), p.getFileName().toString());
            assertTrue(e.getMessage().contains(p.toString()), "names the file: " + e.getMessage());
            assertEquals(before, snapshot(t), "trainer state after failing to resume from " + p.getFileName() + ": " + e.getMessage());
            assertEquals(Arrays.toString(rngBefore), Arrays.toString(Ember.generator().state()), "default generator");
        }
        t.resume(good);
        assertEquals(2, t.nextEpoch());
    }

    private static List<String> tempFiles(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).sorted().toList();
        }
    }

    @Test
    void staleTempFilesOfCrashedWritesAreRemovedOnTheNextSaveOrResume() throws Exception {
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        Files.writeString(ckpt.resolve("last.safetensors1234567890.tmp"), "half a checkpoint");
        Files.writeString(ckpt.resolve("best.safetensors42.tmp"), "half a checkpoint");
        Files.writeString(ckpt.resolve("notes.tmp"), "not ours");
        run(4, ckpt, null).fit(1);
        assertEquals(List.of("notes.tmp"), tempFiles(ckpt), "stale checkpoint temps removed by the next save");

        Path copy = dir.resolve("kept");
        Files.createDirectories(copy);
        Files.copy(ckpt.resolve("last.safetensors"), copy.resolve("mine.safetensors"));
        Files.writeString(copy.resolve("mine.safetensors777.tmp"), "half");
        Files.writeString(copy.resolve("last.safetensors9.tmp"), "half");
        run(5, null, null).resume(copy.resolve("mine.safetensors"));
        assertEquals(List.of(), tempFiles(copy), "stale temps beside the checkpoint removed on resume");
    }

    @Test
    void aFailedCheckpointWriteDeletesItsOwnTempFile() throws Exception {
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        // last.safetensors is a non-empty directory: writing the temp file works, renaming it over the target fails
        Files.createDirectories(ckpt.resolve("last.safetensors"));
        Files.writeString(ckpt.resolve("last.safetensors").resolve("x"), "x");
        Trainer t = run(6, ckpt, null);
        assertThrows(UncheckedIOException.class, () -> t.fit(1));
        assertEquals(List.of(), tempFiles(ckpt), "no temp file left by the failed write");
        assertTrue(Files.exists(ckpt.resolve("best.safetensors")), "the other file of that epoch was written");
    }

    @Test
    void aWriteKilledMidwayLeavesTheOldFileWholeAndTheNextSaveRemovesItsTemp() throws Exception {
        Path ckpt = Files.createDirectories(dir.resolve("killed"));
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> temps = List.of();
        for (int attempt = 0; attempt < 5 && temps.isEmpty(); attempt++) {
            Process p = new ProcessBuilder(javaBin, "--add-modules", "jdk.incubator.vector", "-cp", cp, CheckpointWriterMain.class.getName(),
                    ckpt.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                // wait until a complete file exists and the next write is under way, then kill -9 in the middle of it
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (System.nanoTime() < deadline && !(Files.exists(ckpt.resolve("last.safetensors")) && !tempFiles(ckpt).isEmpty()))
                    Thread.onSpinWait();
            } finally {
                p.destroyForcibly(); // SIGKILL: no finally block, no shutdown hook runs in the writer
                p.waitFor();
            }
            temps = tempFiles(ckpt);
        }
        assertTrue(!temps.isEmpty(), "a kill landed in the middle of a write and left its temp file");
        Map<String, Tensor> last = SafeTensors.read(ckpt.resolve("last.safetensors"));
        long k = last.get("k").itemLong();
        float[] x = last.get("x").toFloatArray();
        assertEquals(5_000_000, x.length);
        for (int i = 0; i < x.length; i += 4099) assertEquals(k, x[i], 0, "the checkpoint on disk is one whole version");
        assertEquals(k, x[x.length - 1], 0);

        // the next checkpoint save in the directory deletes the temp file of the killed write
        run(7, ckpt, null).fit(1);
        assertEquals(List.of(), tempFiles(ckpt));
    }
}
