package dev.ember.optim;

import static dev.ember.nn.TorchRef.assertClose;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ember.Tensor;
import dev.ember.nn.TorchRef;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The first four steps of every optimizer match PyTorch's on the same parameter and gradients (make_nn_refs.py). */
class OptimizerReferenceTest {
    private static final Map<String, Function<List<Tensor>, Optimizer>> OPTIMIZERS = Map.ofEntries(
            Map.entry("sgd", ps -> new SGD(ps, 0.1)),
            Map.entry("sgd_momentum_dampening_wd", ps -> SGD.builder(0.05).momentum(0.9).dampening(0.3).weightDecay(0.01).build(ps)),
            Map.entry("sgd_nesterov", ps -> SGD.builder(0.05).momentum(0.8).nesterov(true).build(ps)),
            Map.entry("adam", ps -> new Adam(ps, 0.01)),
            Map.entry("adam_wd_betas", ps -> Adam.builder(0.02).betas(0.8, 0.95).eps(1e-6).weightDecay(0.1).build(ps)),
            Map.entry("adamw", ps -> new AdamW(ps, 0.01)),
            Map.entry("adamw_wd", ps -> AdamW.builder(0.03).weightDecay(0.2).buildW(ps)),
            Map.entry("rmsprop", ps -> new RMSprop(ps, 0.01)),
            Map.entry("rmsprop_centered_momentum_wd", ps -> RMSprop.builder(0.01).alpha(0.9).momentum(0.5).centered(true).weightDecay(0.05).build(ps)),
            Map.entry("adagrad", ps -> new Adagrad(ps, 0.1)),
            Map.entry("adagrad_decay_wd_init", ps -> Adagrad.builder(0.1).lrDecay(0.1).weightDecay(0.05).initialAccumulatorValue(0.2).build(ps)));

    static Stream<JsonObject> cases() { return TorchRef.cases("optimizers.json").stream(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stepsMatchPyTorch(JsonObject c) {
        String name = c.get("name").getAsString();
        var make = OPTIMIZERS.get(name);
        assertNotNull(make, "no Ember optimizer for reference case " + name);
        Tensor p = TorchRef.tensor(c.getAsJsonObject("param")).requiresGrad(true);
        Optimizer opt = make.apply(List.of(p));
        JsonArray grads = c.getAsJsonArray("grads"), after = c.getAsJsonArray("after");
        for (int i = 0; i < grads.size(); i++) {
            p.setGrad(TorchRef.tensor(grads.get(i).getAsJsonObject()));
            opt.step();
            assertClose(name + " step " + (i + 1), after.get(i).getAsJsonObject(), p, 1e-5, 1e-6);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stateDictRoundTripContinuesIdentically(JsonObject c) {
        String name = c.get("name").getAsString();
        var make = OPTIMIZERS.get(name);
        JsonArray grads = c.getAsJsonArray("grads"), after = c.getAsJsonArray("after");
        Tensor p = TorchRef.tensor(c.getAsJsonObject("param")).requiresGrad(true);
        Optimizer first = make.apply(List.of(p));
        for (int i = 0; i < 2; i++) {
            p.setGrad(TorchRef.tensor(grads.get(i).getAsJsonObject()));
            first.step();
        }
        // A fresh optimizer given the saved state continues as PyTorch's uninterrupted run.
        Tensor q = p.detach().clone().requiresGrad(true);
        Optimizer second = make.apply(List.of(q));
        second.loadStateDict(first.stateDict());
        for (int i = 2; i < grads.size(); i++) {
            q.setGrad(TorchRef.tensor(grads.get(i).getAsJsonObject()));
            second.step();
            assertClose(name + " resumed step " + (i + 1), after.get(i).getAsJsonObject(), q, 1e-5, 1e-6);
        }
    }
}
