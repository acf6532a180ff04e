package dev.ember.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ember.Tensor;
import dev.ember.nn.TorchRef;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Learning-rate sequences of every scheduler match PyTorch's, step by step (make_nn_refs.py). */
class SchedulerReferenceTest {
    private static final Map<String, Function<Optimizer, LRScheduler>> SCHEDULERS = Map.of(
            "step", o -> new StepLR(o, 3, 0.5),
            "multistep", o -> new MultiStepLR(o, new int[]{2, 5, 9}, 0.1),
            "exponential", o -> new ExponentialLR(o, 0.9),
            "cosine", o -> new CosineAnnealingLR(o, 5, 0.01),
            "warmup_cosine", o -> new WarmupCosineLR(o, 3, 10, 0.1, 0.0),
            "plateau", o -> ReduceLROnPlateau.builder(o).factor(0.5).patience(2).cooldown(1).build());

    @Test
    void lrSequencesMatchPyTorch() {
        List<JsonObject> cases = TorchRef.cases("schedulers.json");
        assertEquals(SCHEDULERS.size(), cases.size());
        for (JsonObject c : cases) {
            String name = c.get("name").getAsString();
            Optimizer opt = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 0.1);
            LRScheduler s = SCHEDULERS.get(name).apply(opt);
            JsonArray lrs = c.getAsJsonArray("lrs");
            assertEquals(lrs.get(0).getAsDouble(), opt.paramGroups().get(0).lr(), 1e-12, name + " at epoch 0");
            for (int i = 1; i < lrs.size(); i++) {
                if (s instanceof ReduceLROnPlateau p) p.step(c.getAsJsonArray("metrics").get(i - 1).getAsDouble());
                else s.step();
                assertEquals(lrs.get(i).getAsDouble(), opt.paramGroups().get(0).lr(), 1e-12, name + " at epoch " + i);
            }
        }
    }

    @Test
    void schedulerStateResumesTheSequence() {
        Optimizer a = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 0.1);
        var sa = new CosineAnnealingLR(a, 7, 0.001);
        for (int i = 0; i < 4; i++) sa.step();
        Optimizer b = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 0.1);
        var sb = new CosineAnnealingLR(b, 7, 0.001);
        b.loadStateDict(a.stateDict());
        sb.loadStateDict(sa.stateDict());
        for (int i = 0; i < 6; i++) {
            sa.step();
            sb.step();
            assertEquals(a.paramGroups().get(0).lr(), b.paramGroups().get(0).lr(), 0);
        }
    }

    @Test
    void plateauNeedsTheMonitoredValue() {
        Optimizer o = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 0.1);
        assertThrows(UnsupportedOperationException.class, () -> ReduceLROnPlateau.builder(o).build().step());
    }
}
