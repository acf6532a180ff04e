package dev.ember.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Device;
import dev.ember.data.DataLoader;
import dev.ember.data.TensorDataset;
import dev.ember.data.datasets.FashionMnist;
import dev.ember.metrics.Accuracy;
import dev.ember.nn.Module;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job behind {@code ./ember demo} and {@code ./ember train}, run small: it reports and writes what it says. */
class FashionMnistRunTest {
    @TempDir
    Path out;

    @Test
    void trainsReportsAndWritesModelLogAndPlot() {
        var printed = new ByteArrayOutputStream();
        var o = new FashionMnistRun.Options(FashionMnistRun.Model.MLP, 2, 64, 1e-3, Device.cpu(),
                Path.of("../ember-data/src/main/resources/dev/ember/data/fashion-mnist"), out, 200, 3, false, 42, 800);
        var r = FashionMnistRun.run(o, new PrintStream(printed, true));
        assertEquals(2, r.epochs());
        assertTrue(r.testAccuracy() > 0.6 && r.testAccuracy() <= 1, "test accuracy " + r.testAccuracy());
        assertTrue(Files.exists(r.modelPath()) && Files.exists(r.logPath()) && Files.exists(r.plotPath()));
        assertTrue(Files.exists(out.resolve("checkpoints/best.safetensors")) && Files.exists(out.resolve("checkpoints/last.safetensors")));
        assertTrue(printed.toString().contains("800 train / 200 validation"), printed.toString());

        // The saved model is the one that was evaluated: loading it gives the same test accuracy.
        Module again = FashionMnistRun.mlp();
        again.load(r.modelPath());
        var data = FashionMnist.loadEmbedded();
        var test = new TensorDataset(FashionMnist.normalize(data.test().inputs()), data.test().targets());
        Accuracy acc = new Accuracy();
        again.eval();
        for (var b : DataLoader.builder(test).batchSize(500).build()) acc.update(again.forward(b.inputs()), b.targets());
        assertEquals(r.testAccuracy(), acc.compute(), 1e-9);
    }
}
