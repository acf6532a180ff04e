package dev.ember.studio.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Device;
import dev.ember.train.FashionMnistRun;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A network run gets the same options as {@code ./ember train}, whatever form FashionMnistRun.Options has. */
class NetworkRunTest {
    @Test
    void buildsTheOptionsOfThisBuildByComponentName() {
        FashionMnistRun.Options o = (FashionMnistRun.Options) NetworkRun.options(FashionMnistRun.Model.CNN, 7, 64, 0.01, Device.cpu(),
                Path.of("/d"), Path.of("/o"), 2, 9, 100, null);
        assertEquals(FashionMnistRun.Model.CNN, o.model());
        assertEquals(7, o.epochs());
        assertEquals(64, o.batchSize());
        assertEquals(0.01, o.lr());
        assertEquals(Path.of("/d"), o.dataDir());
        assertEquals(Path.of("/o"), o.outDir());
        assertEquals(5000, o.validationSize(), "as ./ember train");
        assertEquals(2, o.patience());
        assertEquals(9, o.seed());
        assertEquals(100, o.trainLimit());
    }

    @Test
    void refusesToResumeWhenThisBuildCannot() {
        boolean resumable = Arrays.stream(FashionMnistRun.Options.class.getRecordComponents()).map(RecordComponent::getName).anyMatch("resume"::equals);
        if (resumable) return; // after the training hardening: resume is passed through, tested by the API
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NetworkRun.options(FashionMnistRun.Model.MLP, 1, 1, 0.1,
                Device.cpu(), Path.of("/d"), Path.of("/o"), 1, 1, 0, Path.of("/c.safetensors")));
        assertTrue(e.getMessage().contains("resume"), e.getMessage());
    }
}
