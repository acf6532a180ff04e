package dev.ember.train;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.DataLoader;
import dev.ember.io.SafeTensorsFormatException;
import dev.ember.data.TensorDataset;
import dev.ember.nn.Linear;
import dev.ember.nn.MSELoss;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.optim.Adam;
import dev.ember.optim.StepLR;
import dev.ember.testing.FuzzTargets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz target: {@link Trainer#resume} (the read path of what {@link Checkpoint} writes) on
 * arbitrary bytes, for a small trainer with a model, an Adam optimizer and a StepLR schedule.
 * Documented failure: {@link IllegalArgumentException} (a {@link SafeTensorsFormatException} for
 * the file, a plain one for a checkpoint that does not fit the trainer).
 *
 * <p>The trainer has no callbacks: {@code EarlyStopping.loadStateDict} and
 * {@code Checkpoint.loadStateDict} (package {@code train}, owned elsewhere) throw a
 * NullPointerException for a callback section that lacks a key; that is reported, not fixed here.
 */
public class CheckpointFuzzTest {
    private static final List<Class<? extends Exception>> DOCUMENTED = List.of(IllegalArgumentException.class);

    @BeforeAll
    static void warmUp() throws Exception {
        for (byte[] seed : seeds().values()) check(seed);
    }

    @DictionaryEntries({"\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F32\"", "\"F64\"", "\"I64\"", "model.0.weight", "optimizer.state.0.exp_avg", "optimizer.group.0.lr", "scheduler.last_epoch", "rng.default", "rng.train_loader", "trainer.next_epoch", "trainer.global_step", "trainer.elapsed"})
    @FuzzTest(maxDuration = "20s")
    void resume(byte[] data) throws Exception {
        check(data);
    }

    private static void check(byte[] data) throws Exception {
        Path p = FuzzTargets.file("last.safetensors", data);
        Trainer trainer = trainer(null);
        FuzzTargets.read(() -> {
            trainer.resume(p);
            return trainer;
        }, (16 << 20) + 64L * data.length, DOCUMENTED);
    }

    /** A trainer small enough to build per input; {@code checkpoints} (may be null) adds a Checkpoint callback writing there. */
    static Trainer trainer(Path checkpoints) {
        Ember.manualSeed(1);
        var model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 1));
        var optimizer = new Adam(model.parameters(), 1e-2);
        var data = new TensorDataset(Tensor.randn(8, 3), Tensor.randn(8, 1));
        var loader = DataLoader.builder(data).batchSize(4).shuffle(true).seed(3).build();
        var builder = Trainer.builder(model, new MSELoss(), optimizer, loader).scheduler(new StepLR(optimizer, 1, 0.5))
                .output(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), false);
        if (checkpoints != null) builder.callback(new Checkpoint(checkpoints, 1, null, Mode.MIN));
        return builder.build();
    }

    /** The committed seeds: checkpoints written by {@link Checkpoint} after one and two epochs of {@link #trainer}. */
    public static Map<String, byte[]> seeds() throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        Path dir = Files.createTempDirectory("seeds");
        Trainer t = trainer(dir);
        t.fit(1);
        out.put("after_one_epoch.safetensors", Files.readAllBytes(dir.resolve("last.safetensors")));
        t.fit(1);
        out.put("after_two_epochs.safetensors", Files.readAllBytes(dir.resolve("last.safetensors")));
        return out;
    }
}
