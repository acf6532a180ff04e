package dev.ember.nn;

import static dev.ember.nn.TorchRef.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.gson.JsonObject;
import dev.ember.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every module's forward and backward match PyTorch's on the same parameters and inputs (make_nn_refs.py). */
class ModuleReferenceTest {
    /** The Ember module built as the script built its PyTorch twin. */
    private static final Map<String, Supplier<Module>> MODULES = new LinkedHashMap<>();

    static {
        MODULES.put("linear", () -> new Linear(5, 3));
        MODULES.put("linear_3d", () -> new Linear(4, 2));
        MODULES.put("conv2d", () -> new Conv2d(2, 3, 3, 1, 1));
        MODULES.put("conv2d_stride2", () -> new Conv2d(3, 4, 3, 2, 1));
        MODULES.put("conv2d_groups", () -> new Conv2d(4, 6, new int[]{3, 2}, new int[]{1, 2}, new int[]{1, 0}, new int[]{2, 1}, 2, false));
        MODULES.put("maxpool2d", () -> new MaxPool2d(2));
        MODULES.put("maxpool2d_stride_pad", () -> new MaxPool2d(3, 2, 1));
        MODULES.put("avgpool2d", () -> new AvgPool2d(2));
        MODULES.put("adaptive_avgpool2d_even", () -> new AdaptiveAvgPool2d(2));
        MODULES.put("adaptive_avgpool2d_uneven", () -> new AdaptiveAvgPool2d(3, 2));
        MODULES.put("flatten", Flatten::new);
        MODULES.put("batchnorm1d_train", () -> new BatchNorm1d(4));
        MODULES.put("batchnorm1d_3d_train", () -> new BatchNorm1d(3));
        MODULES.put("batchnorm2d_train", () -> new BatchNorm2d(3));
        MODULES.put("batchnorm2d_eval", () -> new BatchNorm2d(3));
        MODULES.put("layernorm", () -> new LayerNorm(6));
        MODULES.put("layernorm_2d", () -> new LayerNorm(3, 4));
        MODULES.put("embedding", () -> new Embedding(7, 3));
        MODULES.put("relu", ReLU::new);
        MODULES.put("gelu", GELU::new);
        MODULES.put("gelu_tanh", () -> new GELU("tanh"));
        MODULES.put("sigmoid", Sigmoid::new);
        MODULES.put("tanh", Tanh::new);
        MODULES.put("leaky_relu", () -> new LeakyReLU(0.2));
        MODULES.put("softmax", () -> new Softmax(1));
    }

    static Stream<JsonObject> cases() { return TorchRef.cases("modules.json").stream(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardAndBackwardMatchPyTorch(JsonObject c) {
        String name = c.get("name").getAsString();
        Supplier<Module> make = MODULES.get(name);
        assertNotNull(make, "no Ember module for reference case " + name);
        Module m = make.get();
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (var e : c.getAsJsonObject("params").entrySet()) {
            JsonObject t = e.getValue().getAsJsonObject();
            params.put(e.getKey(), e.getKey().equals("num_batches_tracked") ? TorchRef.longTensor(t) : TorchRef.tensor(t));
        }
        m.loadStateDict(params);
        m.train(!name.endsWith("_eval"));
        boolean integer = !c.has("grad_input");
        Tensor x = integer ? TorchRef.longTensor(c.getAsJsonObject("input")) : TorchRef.tensor(c.getAsJsonObject("input")).requiresGrad(true);
        Tensor y = m.forward(x);
        assertClose(name + " output", c.getAsJsonObject("output"), y);
        y.backward(TorchRef.tensor(c.getAsJsonObject("grad_output")));
        if (!integer) assertClose(name + " input grad", c.getAsJsonObject("grad_input"), x.grad(), 1e-4, 1e-4);
        Map<String, Tensor> named = m.namedParameters();
        assertEquals(c.getAsJsonObject("grads").keySet(), named.keySet(), name + ": parameter names as PyTorch's");
        for (var e : c.getAsJsonObject("grads").entrySet())
            assertClose(name + " grad of " + e.getKey(), e.getValue().getAsJsonObject(), named.get(e.getKey()).grad(), 1e-4, 1e-4);
        // Buffers after the step: BatchNorm's running statistics and batch counter.
        Map<String, Tensor> state = m.stateDict();
        for (var e : c.getAsJsonObject("state_after").entrySet())
            assertClose(name + " state " + e.getKey(), e.getValue().getAsJsonObject(), state.get(e.getKey()));
    }

}
