package dev.ember.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@link Optimizer#loadStateDict} checks the whole map first: a bad entry anywhere leaves the optimizer exactly as it was. */
class OptimizerLoadStateDictTest {
    private static List<Tensor> params() {
        Ember.manualSeed(3);
        return List.of(Tensor.randn(4, 3).requiresGrad(true), Tensor.randn(3).requiresGrad(true));
    }

    /** Two steps so that every state tensor exists and differs from its initial value. */
    private static <O extends Optimizer> O stepped(O opt) {
        for (int s = 0; s < 2; s++) {
            for (ParamGroup g : opt.paramGroups())
                for (Tensor p : g.params()) p.setGrad(Tensor.onesLike(p).mul(0.5 + s));
            opt.step();
        }
        return opt;
    }

    /** Bit patterns of every state tensor and option, to compare before and after. */
    private static Map<String, String> snapshot(Optimizer opt) {
        Map<String, String> out = new LinkedHashMap<>();
        opt.stateDict().forEach((k, v) -> out.put(k, v.dtype() + java.util.Arrays.toString(v.shape())
                + (v.dtype().isFloatingPoint() ? java.util.Arrays.toString(v.toDoubleArray()) : java.util.Arrays.toString(v.toLongArray()))));
        for (int g = 0; g < opt.paramGroups().size(); g++) out.put("options." + g, opt.paramGroups().get(g).options().toString());
        return out;
    }

    private static void failsAndChangesNothing(Optimizer opt, Map<String, Tensor> bad, String expected) {
        Map<String, String> before = snapshot(opt);
        var e = assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(bad));
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' should contain '" + expected + "'");
        assertEquals(before, snapshot(opt), "state after a failed load of " + bad.keySet());
    }

    private static Map<String, Tensor> edited(Map<String, Tensor> dict, Function<Map<String, Tensor>, Object> edit) {
        Map<String, Tensor> copy = new LinkedHashMap<>(dict);
        edit.apply(copy);
        return copy;
    }

    @Test
    void aFailedLoadLeavesStateAndOptionsBitIdentical() {
        List<Tensor> ps = params();
        Adam target = stepped(Adam.builder(1e-2).weightDecay(0.1).build(ps));
        Adam source = stepped(stepped(Adam.builder(3e-2).build(params()))); // other values everywhere
        Map<String, Tensor> good = source.stateDict();

        // the bad entry comes last, so a loader that applies entries as it goes has changed the others already
        failsAndChangesNothing(target, edited(good, d -> d.put("state.1.exp_avg", Tensor.zeros(4))), "state.1.exp_avg");
        failsAndChangesNothing(target, edited(good, d -> d.put("state.1.exp_avg_sq", Tensor.zeros(3).to(DType.INT64))), "exp_avg_sq");
        failsAndChangesNothing(target, edited(good, d -> d.put("group.0.lr", Tensor.scalar(Double.NaN, DType.FLOAT64))), "Invalid learning rate");
        failsAndChangesNothing(target, edited(good, d -> d.put("group.0.beta1", Tensor.scalar(1.5, DType.FLOAT64))), "beta");
        failsAndChangesNothing(target, edited(good, d -> d.put("group.1.lr", Tensor.scalar(0.1, DType.FLOAT64))), "group 1");
        failsAndChangesNothing(target, edited(good, d -> d.put("state.2.exp_avg", Tensor.zeros(3))), "parameter 2");
        failsAndChangesNothing(target, edited(good, d -> d.put("group.0.momentum", Tensor.scalar(0.9, DType.FLOAT64))), "momentum");
        failsAndChangesNothing(target, edited(good, d -> d.put("state.x.exp_avg", Tensor.zeros(3))), "state.x.exp_avg");
        failsAndChangesNothing(target, edited(good, d -> d.put("extra", Tensor.zeros(3))), "extra");
        failsAndChangesNothing(target, edited(good, d -> d.put("state.0.step", Tensor.scalar(-1, DType.INT64))), "step");
        failsAndChangesNothing(target, edited(good, d -> d.remove("state.1.exp_avg_sq")), "exp_avg_sq");
        failsAndChangesNothing(target, edited(good, d -> d.remove("group.0.eps")), "eps");
        failsAndChangesNothing(target, Map.of(), "group 0");

        // and the good map still loads in full afterwards
        target.loadStateDict(good);
        assertEquals(snapshot(source), snapshot(target));
    }

    @Test
    void stateMustMatchTheOptimizersOptions() {
        SGD plain = stepped(new SGD(params(), 0.1));
        SGD momentum = stepped(new SGD(params(), 0.1, 0.9));
        // momentum buffers go with a non-zero momentum option; a map with both loads, a map with buffers but momentum 0 does not
        failsAndChangesNothing(plain, edited(momentum.stateDict(), d -> d.put("group.0.momentum", Tensor.scalar(0, DType.FLOAT64))),
                "momentum_buffer");
        plain.loadStateDict(momentum.stateDict());
        assertEquals(snapshot(momentum), snapshot(plain));
        RMSprop centered = stepped(RMSprop.builder(0.01).centered(true).build(params()));
        RMSprop simple = stepped(RMSprop.builder(0.01).build(params()));
        Map<String, Tensor> withoutGradAvg = edited(centered.stateDict(), d -> {
            d.keySet().removeIf(k -> k.endsWith("grad_avg"));
            return null;
        });
        failsAndChangesNothing(centered, withoutGradAvg, "grad_avg");
        simple.loadStateDict(stepped(RMSprop.builder(0.01).build(params())).stateDict());
        Adagrad ada = stepped(new Adagrad(params(), 0.1));
        failsAndChangesNothing(ada, simple.stateDict(), "Adagrad");
    }
}
