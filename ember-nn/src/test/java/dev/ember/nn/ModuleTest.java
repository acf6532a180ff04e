package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.nn.functional.F;
import dev.ember.nn.init.Init;
import dev.ember.optim.Adam;
import dev.ember.optim.Optimizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Module bookkeeping: names, modes, state dicts, saving, initialisation and the API.md example. */
class ModuleTest {
    @TempDir
    Path dir;

    private static Sequential cnn() {
        return new Sequential(new Conv2d(1, 4, 3, 1, 1), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Flatten(), new Dropout(0.5),
                new Linear(4 * 4 * 4, 3));
    }

    @Test
    void namesFollowPyTorch() {
        Sequential m = cnn();
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "6.weight", "6.bias"), List.copyOf(m.namedParameters().keySet()));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
                "6.weight", "6.bias"), List.copyOf(m.stateDict().keySet()));
        assertEquals(4 * 9 + 4 + 4 + 4 + 64 * 3 + 3, m.parameterCount());
        assertTrue(m.parameters().stream().allMatch(Tensor::requiresGrad));
    }

    @Test
    void trainAndEvalReachEverySubmodule() {
        Sequential m = cnn();
        m.eval();
        assertTrue(m.namedModules().values().stream().noneMatch(Module::isTraining));
        m.train();
        assertTrue(m.namedModules().values().stream().allMatch(Module::isTraining));
        // Dropout is the identity in eval mode and not in training mode.
        Tensor x = Tensor.ones(100);
        Dropout d = new Dropout(0.5);
        d.eval();
        assertArrayEquals(x.toFloatArray(), d.forward(x).toFloatArray());
        d.train();
        float[] y = d.forward(x).toFloatArray();
        int zeros = 0;
        for (float v : y) {
            assertTrue(v == 0f || v == 2f, "dropout keeps 1/(1-p)-scaled values, got " + v);
            if (v == 0) zeros++;
        }
        assertTrue(zeros > 20 && zeros < 80, "about half dropped, got " + zeros);
    }

    @Test
    void saveAndLoadRestoreEveryTensor() {
        Ember.manualSeed(3);
        Sequential a = cnn();
        a.train();
        a.forward(Tensor.randn(2, 1, 8, 8)); // moves BatchNorm's running statistics
        Path p = dir.resolve("m.safetensors");
        a.save(p);
        Sequential b = cnn();
        assertNotEquals(a.stateDict().get("0.weight").toFloatArray()[0], b.stateDict().get("0.weight").toFloatArray()[0]);
        b.load(p);
        for (var e : a.stateDict().entrySet())
            assertArrayEquals(e.getValue().toDoubleArray(), b.stateDict().get(e.getKey()).toDoubleArray(), e.getKey());
        a.eval();
        b.eval();
        Tensor x = Tensor.randn(2, 1, 8, 8);
        assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
    }

    @Test
    void loadStateDictRejectsMismatches() {
        Linear l = new Linear(3, 2);
        var e1 = assertThrows(IllegalArgumentException.class, () -> l.loadStateDict(Map.of("weight", Tensor.zeros(2, 3))));
        assertTrue(e1.getMessage().contains("missing keys [bias]"), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> l.loadStateDict(Map.of("weight", Tensor.zeros(3, 2), "bias", Tensor.zeros(2))));
        assertTrue(e2.getMessage().contains("'weight' has shape [3, 2]"), e2.getMessage());
    }

    @Test
    void toKeepsParametersLearnable() {
        Linear l = new Linear(3, 2);
        Tensor before = l.weight();
        l.to(Device.cpu());
        assertTrue(l.weight().requiresGrad());
        assertEquals(before, l.weight(), "moving to the same device keeps the tensor");
    }

    @Test
    void wrongInputShapesNameTheModule() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Linear(4, 2).forward(Tensor.zeros(3, 5)));
        assertTrue(e.getMessage().contains("Linear(4, 2)") && e.getMessage().contains("[3, 5]"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(3).forward(Tensor.zeros(2, 4, 2, 2)));
        assertTrue(e2.getMessage().contains("4 channels"), e2.getMessage());
    }

    @Test
    void defaultInitIsPyTorchsUniformBound() {
        Ember.manualSeed(11);
        Linear l = new Linear(400, 300);
        double bound = 1 / Math.sqrt(400);
        float[] w = l.weight().toFloatArray();
        double max = 0, sumSq = 0;
        for (float v : w) { max = Math.max(max, Math.abs(v)); sumSq += v * v; }
        assertTrue(max <= bound && max > 0.99 * bound, "weights within U(-1/sqrt(fanIn), 1/sqrt(fanIn)), max " + max);
        // The variance of U(-b, b) is b^2 / 3.
        assertEquals(bound * bound / 3, sumSq / w.length, 0.03 * bound * bound / 3);
        for (float v : l.bias().toFloatArray()) assertTrue(Math.abs(v) <= bound);
    }

    @Test
    void initFunctionsHaveTheirDocumentedSpread() {
        Ember.manualSeed(5);
        Tensor t = Tensor.zeros(200, 300);
        assertEquals(Math.sqrt(2.0 / 200), Init.kaimingNormal(t, 0, Init.FanMode.FAN_OUT, "relu").std().item(), 0.02 * Math.sqrt(2.0 / 200));
        assertEquals(Math.sqrt(2.0 / 500), Init.xavierNormal(t, 1).std().item(), 0.02 * Math.sqrt(2.0 / 500));
        double b = Math.sqrt(6.0 / 500);
        assertEquals(b / Math.sqrt(3), Init.xavierUniform(t, 1).std().item(), 0.02 * b);
        assertEquals(Math.sqrt(2.0) * Math.sqrt(3.0 / 300) / Math.sqrt(3), Init.kaimingUniform(t, 0, Init.FanMode.FAN_IN, "relu").std().item(), 0.01);
        assertEquals(0, Init.zeros(t).abs().sum().item());
        assertEquals(t.numel(), Init.ones(t).sum().item());
        assertThrows(IllegalArgumentException.class, () -> Init.xavierUniform(Tensor.zeros(5), 1));
    }

    @Test
    void theApiExampleTrains() {
        // API.md's example, shortened: the loss of a small MLP on fixed data falls.
        Ember.manualSeed(42);
        Tensor x = Tensor.randn(64, 20);
        Tensor y = Tensor.randint(0, 10, 64);
        Module model = new Sequential(new Linear(20, 32), new ReLU(), new Linear(32, 10));
        Optimizer opt = new Adam(model.parameters(), 1e-2);
        double first = 0, last = 0;
        for (int step = 0; step < 60; step++) {
            Tensor loss = F.crossEntropy(model.forward(x), y);
            if (step == 0) first = loss.item();
            last = loss.item();
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
        assertTrue(last < 0.3 * first, "loss falls from " + first + " to " + last);
        try (var ctx = Ember.noGrad()) {
            Tensor pred = model.forward(x).argmax(1);
            assertFalse(pred.requiresGrad());
        }
    }
}
