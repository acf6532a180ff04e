package dev.ember.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.testing.JsonTensors;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Composite programs (MLP + cross-entropy, conv + pool + linear, masked attention, layer norm)
 * against PyTorch: forward values and every input gradient, from
 * {@code benchmarks/reference/make_autograd_refs.py}, to 1e-5 relative (float32).
 */
class TorchAgreementTest {
    private static final JsonObject PROGRAMS = load();

    private static JsonObject load() {
        try (var in = TorchAgreementTest.class.getResourceAsStream("/autograd/torch_refs.json")) {
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject().getAsJsonObject("programs");
        } catch (Exception e) {
            throw new IllegalStateException("cannot read torch_refs.json", e);
        }
    }

    private static Tensor tensor(JsonObject o) { return JsonTensors.of(o); }

    /** Runs {@code fn} on the program's inputs and compares the output and all gradients. */
    private static void agree(String name, Function<Map<String, Tensor>, Tensor> fn) {
        JsonObject p = PROGRAMS.getAsJsonObject(name);
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (var e : p.getAsJsonObject("inputs").entrySet()) in.put(e.getKey(), tensor(e.getValue().getAsJsonObject()).requiresGrad(true));
        Tensor out = fn.apply(in);
        out.backward();
        close(name + " output", tensor(p.getAsJsonObject("output")), out);
        for (var e : p.getAsJsonObject("grads").entrySet())
            close(name + " grad of " + e.getKey(), tensor(e.getValue().getAsJsonObject()), in.get(e.getKey()).grad());
    }

    /** Relative agreement to 1e-5, measured against the larger of |expected| and the tensor's mean magnitude. */
    private static void close(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        double scale = 0;
        for (float v : e) scale += Math.abs(v);
        scale /= Math.max(1, e.length);
        for (int i = 0; i < e.length; i++) {
            double tol = 1e-5 * Math.max(Math.abs(e[i]), scale);
            assertTrue(Math.abs(e[i] - a[i]) <= tol, what + ": element " + i + " expected " + e[i] + " but was " + a[i]);
        }
    }

    private static Tensor target(String program) {
        var arr = PROGRAMS.getAsJsonObject(program).getAsJsonArray("target");
        long[] t = new long[arr.size()];
        for (int i = 0; i < t.length; i++) t[i] = arr.get(i).getAsLong();
        return Tensor.of(t);
    }

    private static Tensor extra(String program, String key) { return tensor(PROGRAMS.getAsJsonObject(program).getAsJsonObject(key)); }

    @Test
    void mlpWithCrossEntropy() {
        Tensor target = target("mlp_cross_entropy");
        agree("mlp_cross_entropy", in -> {
            Tensor logits = in.get("x").matmul(in.get("w1")).add(in.get("b1")).relu().matmul(in.get("w2")).add(in.get("b2"));
            return logits.logSoftmax(1).gather(1, target.unsqueeze(1)).mean().neg();
        });
    }

    @Test
    void convPoolLinear() {
        agree("conv_pool_linear", in -> in.get("x").conv2d(in.get("w"), in.get("b"), 1, 1).relu().maxPool2d(2)
                .reshape(2, 27).matmul(in.get("lw")).add(in.get("lb")).square().sum());
    }

    @Test
    void maskedAttention() {
        Tensor r = extra("attention", "r");
        Tensor mask = Tensor.ones(DType.BOOL, 4, 4).triu(1);
        agree("attention", in -> {
            Tensor scores = in.get("q").matmul(in.get("k").transpose(1, 2)).div(Math.sqrt(8));
            return scores.maskedFill(mask, Double.NEGATIVE_INFINITY).softmax(-1).matmul(in.get("v")).mul(r).sum();
        });
    }

    @Test
    void layerNormFromPrimitives() {
        Tensor r = extra("layer_norm", "r");
        agree("layer_norm", in -> {
            Tensor x = in.get("x");
            Tensor mu = x.mean(1, true);
            Tensor var = x.sub(mu).square().mean(1, true);
            return x.sub(mu).div(var.add(1e-5).sqrt()).mul(in.get("gamma")).add(in.get("beta")).mul(r).sum();
        });
    }
}
