package dev.ember.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.data.text.TokenWindows;
import dev.ember.io.SafeTensors;
import dev.ember.nn.Loss;
import dev.ember.nn.functional.F;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.GPTConfig;
import dev.ember.optim.AdamW;
import dev.ember.optim.GradScaler;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Trainer.Builder#autocast}: a tiny GPT trained under BFLOAT16 autocast by the trainer takes the steps of the
 * same loop written by hand with {@code Ember.autocast} around forward and loss (bit for bit), differs from float32
 * training only by BFLOAT16 rounding, keeps float32 master weights; FLOAT16 brings a loss scaler whose state is
 * checkpointed and restored; wrong dtypes are refused with a message.
 */
class TrainerAutocastTest {
    @TempDir
    Path dir;

    private static final int VOCAB = 23, CONTEXT = 16;

    /** A repetitive token stream, so a few steps visibly lower the loss. */
    private static int[] stream() {
        int[] ids = new int[600];
        for (int i = 0; i < ids.length; i++) ids[i] = (i * 7 + (i / 5) * 3) % VOCAB;
        return ids;
    }

    private static GPT tinyGpt() {
        Ember.manualSeed(5);
        return new GPT(GPTConfig.builder(VOCAB).contextLength(CONTEXT).layers(2).width(32).heads(4).build());
    }

    private static final Loss LOSS = (logits, targets) -> F.crossEntropy(logits.reshape(-1, VOCAB), targets.reshape(-1));

    private static DataLoader loader() {
        return DataLoader.builder(TokenWindows.random(stream(), CONTEXT, 32, 3)).batchSize(8).seed(9).build();
    }

    private static DataLoader validation() {
        return DataLoader.builder(TokenWindows.evenlySpaced(stream(), CONTEXT, 8)).batchSize(8).build();
    }

    private static Trainer.Builder builder(GPT model, AdamW opt) {
        return Trainer.builder(model, LOSS, opt, loader()).output(new PrintStream(new ByteArrayOutputStream(), true), false);
    }

    private static Map<String, Tensor> weights(GPT model) { return model.stateDict(); }

    @Test
    void bf16TrainingStepsEqualTheHandWrittenAutocastLoopAndStayNearFloat32() {
        // the trainer, 2 epochs of 4 steps under BFLOAT16 autocast
        GPT viaTrainer = tinyGpt();
        AdamW opt = AdamW.builder(3e-3).buildW(viaTrainer.parameters());
        Trainer t = builder(viaTrainer, opt).autocast(DType.BFLOAT16).build();
        assertNull(t.gradScaler(), "BFLOAT16 needs no loss scaling");
        List<EpochResult> h = t.fit(2);

        // the same program by hand: forward and loss inside the scope, backward and step outside
        GPT byHand = tinyGpt();
        AdamW opt2 = AdamW.builder(3e-3).buildW(byHand.parameters());
        DataLoader data = loader();
        Tensor lastGradient = null;
        for (int epoch = 0; epoch < 2; epoch++) {
            data.setNextEpoch(epoch);
            for (Batch b : data) {
                Tensor loss;
                try (var ac = Ember.autocast(DType.BFLOAT16)) {
                    loss = LOSS.forward(byHand.forward(b.inputs()), b.targets());
                }
                opt2.zeroGrad();
                loss.backward();
                lastGradient = byHand.tokenEmbedding().grad();
                assertEquals(DType.FLOAT32, lastGradient.dtype(), "the master weights get float32 gradients");
                opt2.step();
            }
        }
        assertNotNull(lastGradient);
        Map<String, Tensor> a = weights(viaTrainer), b = weights(byHand);
        for (String k : a.keySet()) {
            assertEquals(DType.FLOAT32, a.get(k).dtype(), k + " stays a float32 master weight");
            assertArrayEquals(b.get(k).toFloatArray(), a.get(k).toFloatArray(), k);
        }

        // float32 training of the same model: close (BFLOAT16 keeps 8 bits), but not the same (autocast did cast)
        GPT f32 = tinyGpt();
        List<EpochResult> h32 = builder(f32, AdamW.builder(3e-3).buildW(f32.parameters())).build().fit(2);
        assertTrue(h.getLast().trainLoss() < h.getFirst().trainLoss(), "the loss falls: " + h);
        assertEquals(h32.getLast().trainLoss(), h.getLast().trainLoss(), 0.02 * h32.getLast().trainLoss(), "BF16 vs float32 loss");
        double diff = 0, norm = 0;
        boolean differs = false;
        for (String k : a.keySet()) {
            float[] x = a.get(k).toFloatArray(), y = weights(f32).get(k).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                diff += (x[i] - y[i]) * (double) (x[i] - y[i]);
                norm += y[i] * (double) y[i];
                differs |= x[i] != y[i];
            }
        }
        assertTrue(differs, "autocast changed nothing: were the casts applied?");
        assertTrue(Math.sqrt(diff / norm) < 0.02, "weights after BF16 training differ from float32 training by " + Math.sqrt(diff / norm));
    }

    @Test
    void validationRunsUnderAutocastToo() {
        GPT model = tinyGpt();
        Trainer t = builder(model, AdamW.builder(0).buildW(model.parameters())).validation(validation()).autocast(DType.BFLOAT16).build();
        double val = t.fit(1).getFirst().value("val_loss");
        double want;
        try (var noGrad = Ember.noGrad(); var ac = Ember.autocast(DType.BFLOAT16)) {
            Batch b = validation().iterator().next();
            model.eval();
            want = LOSS.forward(model.forward(b.inputs()), b.targets()).item();
        }
        assertEquals(want, val, 0, "one validation batch: the trainer's loss is the autocast loss");
        double f32;
        try (var noGrad = Ember.noGrad()) {
            Batch b = validation().iterator().next();
            f32 = LOSS.forward(model.forward(b.inputs()), b.targets()).item();
        }
        assertTrue(f32 != val, "validation ran in float32");
    }

    @Test
    void float16GetsALossScalerWhoseStateIsCheckpointedAndRestored() {
        // a scale so large that FLOAT16 gradients overflow at first: the scaler skips those steps and backs off
        GPT model = tinyGpt();
        AdamW opt = AdamW.builder(3e-3).buildW(model.parameters());
        Path ckpt = dir.resolve("ckpt");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Trainer t = Trainer.builder(model, LOSS, opt, loader()).output(new PrintStream(printed, true), false).autocast(DType.FLOAT16)
                .gradScaler(new GradScaler(0x1p24, 2, 0.5, 3, true)).callback(new Checkpoint(ckpt, 1, null, null)).build();
        t.fit(2);
        double scale = t.gradScaler().getScale();
        assertTrue(scale < 0x1p24, "the scale backed off after overflows: " + scale);
        assertTrue(printed.toString().contains("skipped by the loss scaler"), printed.toString());
        Map<String, Tensor> saved = SafeTensors.read(ckpt.resolve("last.safetensors"));
        assertEquals(scale, saved.get("grad_scaler.scale").item());
        for (Tensor p : model.parameters()) assertTrue(Double.isFinite(p.abs().max().item()), "skipped steps left the weights finite");

        // a default FLOAT16 trainer gets PyTorch's scaler; resuming restores the checkpoint's scale and counter
        GPT again = tinyGpt();
        Trainer resumed = Trainer.builder(again, LOSS, AdamW.builder(3e-3).buildW(again.parameters()), loader())
                .output(new PrintStream(new ByteArrayOutputStream(), true), false).autocast(DType.FLOAT16)
                .gradScaler(new GradScaler(0x1p24, 2, 0.5, 3, true)).build();
        resumed.resume(ckpt.resolve("last.safetensors"));
        assertEquals(scale, resumed.gradScaler().getScale());
        assertEquals(saved.get("grad_scaler._growth_tracker").itemLong(), resumed.gradScaler().stateDict().get("_growth_tracker").itemLong());
        GPT fresh = tinyGpt();
        Trainer defaults = builder(fresh, AdamW.builder(3e-3).buildW(fresh.parameters())).autocast(DType.FLOAT16).build();
        assertEquals(65536.0, defaults.gradScaler().getScale());

        // a float32 run resumes the same checkpoint (the scaler state is ignored); a FLOAT16 run needs it
        GPT plain = tinyGpt();
        builder(plain, AdamW.builder(3e-3).buildW(plain.parameters())).build().resume(ckpt.resolve("last.safetensors"));
        Path f32ckpt = dir.resolve("f32");
        GPT m32 = tinyGpt();
        builder(m32, AdamW.builder(3e-3).buildW(m32.parameters())).callback(new Checkpoint(f32ckpt, 1, null, null)).build().fit(1);
        GPT m16 = tinyGpt();
        Trainer f16 = builder(m16, AdamW.builder(3e-3).buildW(m16.parameters())).autocast(DType.FLOAT16).build();
        var e = assertThrows(IllegalArgumentException.class, () -> f16.resume(f32ckpt.resolve("last.safetensors")));
        assertTrue(e.getMessage().contains("grad_scaler") && e.getMessage().contains("last.safetensors"), e.getMessage());
        assertEquals(65536.0, f16.gradScaler().getScale(), "a refused resume changes nothing");
    }

    @Test
    void aResumedFloat16RunRepeatsTheUninterruptedOne() {
        // the scale starts too high, so the first epoch skips steps and backs off: a resume that forgot the scale would
        // skip them again and end elsewhere
        java.util.function.Function<Path, Trainer> make = ckpt -> {
            GPT model = tinyGpt();
            return builder(model, AdamW.builder(3e-3).buildW(model.parameters())).autocast(DType.FLOAT16)
                    .gradScaler(new GradScaler(0x1p24, 2, 0.5, 3, true)).callback(new Checkpoint(ckpt, 1, null, null)).build();
        };
        Trainer full = make.apply(dir.resolve("full"));
        full.fit(3);
        Trainer first = make.apply(dir.resolve("part"));
        first.fit(1);
        double scaleAfterOne = first.gradScaler().getScale();
        assertTrue(scaleAfterOne < 0x1p24, "the first epoch backed off: " + scaleAfterOne);
        Trainer rest = make.apply(dir.resolve("part"));
        rest.resume(dir.resolve("part").resolve("last.safetensors"));
        assertEquals(scaleAfterOne, rest.gradScaler().getScale());
        rest.fit(3);
        assertEquals(full.gradScaler().getScale(), rest.gradScaler().getScale());
        Map<String, Tensor> a = full.model().stateDict(), b = rest.model().stateDict();
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
    }

    @Test
    void wrongDtypesAndScalersAreRefused() {
        GPT model = tinyGpt();
        AdamW opt = AdamW.builder(3e-3).buildW(model.parameters());
        for (DType d : new DType[]{DType.FLOAT32, DType.FLOAT64, DType.INT64, DType.INT32, DType.BOOL}) {
            var e = assertThrows(IllegalArgumentException.class, () -> builder(model, opt).autocast(d), d.toString());
            assertTrue(e.getMessage().contains("Trainer.autocast") && e.getMessage().contains("FLOAT16 or BFLOAT16")
                    && e.getMessage().contains(d.toString()), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> builder(model, opt).autocast(DType.BFLOAT16).gradScaler(new GradScaler()).build());
        assertTrue(e.getMessage().contains("GradScaler") && e.getMessage().contains("BFLOAT16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> builder(model, opt).gradScaler(new GradScaler()).build());
        assertTrue(e.getMessage().contains("autocast is off"), e.getMessage());
        GPT half = tinyGpt();
        half.to(DType.BFLOAT16);
        e = assertThrows(IllegalArgumentException.class,
                () -> builder(half, AdamW.builder(3e-3).buildW(half.parameters())).autocast(DType.BFLOAT16).build());
        assertTrue(e.getMessage().contains("master") && e.getMessage().contains("BFLOAT16") && e.getMessage().contains("wte.weight"), e.getMessage());
        // FLOAT16 without a scaler is allowed on request
        assertNull(builder(model, opt).autocast(DType.FLOAT16).gradScaler(null).build().gradScaler());
        assertFalse(builder(model, opt).build().autocast() != null);
    }
    @Test
    void fashionMnistRunsTrainUnderAutocastToo() {
        // the same short MLP run in float32 and under BFLOAT16 autocast: the same data and seed, accuracy close
        double[] accuracy = new double[2];
        String printed = "";
        for (int i = 0; i < 2; i++) {
            var buf = new ByteArrayOutputStream();
            var o = new FashionMnistRun.Options(FashionMnistRun.Model.MLP, 2, 64, 1e-3, dev.ember.Device.cpu(),
                    Path.of("../ember-data/src/main/resources/dev/ember/data/fashion-mnist"), dir.resolve("run" + i), 200, 3, false, 42, 800,
                    null, NonFiniteLoss.STOP, i == 0 ? null : DType.BFLOAT16);
            accuracy[i] = FashionMnistRun.run(o, new PrintStream(buf, true)).testAccuracy();
            if (i == 1) printed = buf.toString();
        }
        assertTrue(printed.contains("precision: BFLOAT16 autocast (float32 master weights)"), printed);
        assertTrue(accuracy[1] > 0.6, "BF16 test accuracy " + accuracy[1]);
        assertEquals(accuracy[0], accuracy[1], 0.03, "float32 " + accuracy[0] + " vs BF16 autocast " + accuracy[1]);
        var e = assertThrows(IllegalArgumentException.class, () -> new FashionMnistRun.Options(FashionMnistRun.Model.MLP, 2, 64, 1e-3,
                dev.ember.Device.cpu(), null, dir, 200, 3, false, 42, 800, null, NonFiniteLoss.STOP, DType.FLOAT32));
        assertTrue(e.getMessage().contains("autocast") && e.getMessage().contains("FLOAT32"), e.getMessage());
    }
}
