package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** {@link Module#loadStateDict} validates every key, shape and dtype before it copies anything. */
class ModuleLoadStateDictTest {
    private static Module model(long seed) {
        Ember.manualSeed(seed);
        return new Sequential(new Linear(4, 5), new BatchNorm1d(5), new ReLU(), new Linear(5, 3));
    }

    /** Every parameter and buffer, as dtype, shape and exact values. */
    private static Map<String, String> snapshot(Module m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.dtype() + Arrays.toString(v.shape())
                + (v.dtype().isFloatingPoint() ? Arrays.toString(v.toDoubleArray()) : Arrays.toString(v.toLongArray()))));
        return out;
    }

    private static Map<String, Tensor> edited(Map<String, Tensor> state, Consumer<Map<String, Tensor>> edit) {
        Map<String, Tensor> copy = new LinkedHashMap<>(state);
        edit.accept(copy);
        return copy;
    }

    private static void failsAndChangesNothing(Module m, Map<String, Tensor> bad, boolean strict, String expected) {
        Map<String, String> before = snapshot(m);
        var e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(bad, strict));
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' should contain '" + expected + "'");
        assertEquals(before, snapshot(m), "parameters and buffers after a failed load");
    }

    @Test
    void aFailedLoadLeavesEveryParameterAndBufferBitIdentical() {
        Module target = model(1);
        Module source = model(2);
        source.forward(Tensor.randn(8, 4)); // running statistics and num_batches_tracked move away from their initial values
        Map<String, Tensor> good = source.stateDict();

        // the last key is the bad one: a loader that copies as it checks has changed the first layers already
        failsAndChangesNothing(target, edited(good, s -> s.put("3.bias", Tensor.zeros(4))), true, "'3.bias' has shape [4]");
        failsAndChangesNothing(target, edited(good, s -> s.put("3.bias", Tensor.zeros(3).to(DType.INT64))), true, "'3.bias' has dtype");
        failsAndChangesNothing(target, edited(good, s -> s.put("1.num_batches_tracked", Tensor.scalar(1.5, DType.FLOAT32))), true,
                "'1.num_batches_tracked' has dtype");
        failsAndChangesNothing(target, edited(good, s -> s.put("3.weight", Tensor.zeros(3, 5).to(DType.BOOL))), true, "'3.weight' has dtype");
        failsAndChangesNothing(target, edited(good, s -> s.remove("3.bias")), true, "missing keys [3.bias]");
        failsAndChangesNothing(target, edited(good, s -> s.put("4.weight", Tensor.zeros(1))), true, "unexpected keys [4.weight]");
        failsAndChangesNothing(target, edited(good, s -> s.put("3.bias", Tensor.zeros(4))), false, "'3.bias' has shape [4]");

        // a FLOAT64 state converts into FLOAT32 parameters, as PyTorch's copy_ does
        Map<String, Tensor> wide = new LinkedHashMap<>();
        good.forEach((k, v) -> wide.put(k, v.dtype() == DType.FLOAT32 ? v.to(DType.FLOAT64) : v));
        target.loadStateDict(wide);
        assertEquals(snapshot(source), snapshot(target));
    }
}
