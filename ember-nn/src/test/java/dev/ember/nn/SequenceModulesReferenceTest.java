package dev.ember.nn;

import static dev.ember.nn.TorchRef.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.nn.functional.F;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Recurrent layers, attention, transformer layers, RMSNorm, SwiGLU, SiLU and positional encodings against
 * PyTorch 1.13 (benchmarks/reference/make_lm_refs.py): outputs, and the gradients of
 * {@code sum(output * upstream)} with respect to every parameter and float input.
 */
class SequenceModulesReferenceTest {

    /** An Ember module (or none) and how to run it on the case's inputs. */
    private record Spec(Function<JsonObject, Module> make, BiFunction<Module, Map<String, Tensor>, Map<String, Tensor>> run) {}

    private static final Map<String, Spec> SPECS = new LinkedHashMap<>();

    /** The running case's options, for runners that read them. */
    private static final ThreadLocal<JsonObject> OPTIONS = new ThreadLocal<>();

    private static Map<String, Tensor> out(Object... kv) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Tensor) kv[i + 1]);
        return m;
    }

    private static long[] lengths(Map<String, Tensor> in) { return in.containsKey("lengths") ? in.get("lengths").toLongArray() : null; }

    private static RNNBase.Options rnnOptions(JsonObject o) {
        return RNNBase.options().numLayers(o.has("numLayers") ? o.get("numLayers").getAsInt() : 1)
                .bidirectional(o.has("bidirectional") && o.get("bidirectional").getAsBoolean())
                .batchFirst(o.has("batchFirst") && o.get("batchFirst").getAsBoolean());
    }

    static {
        BiFunction<Module, Map<String, Tensor>, Map<String, Tensor>> rnn = (m, in) -> {
            RNNBase.Output o = m instanceof RNN r ? r.forward(in.get("x"), in.get("h0"), lengths(in))
                    : ((GRU) m).forward(in.get("x"), in.get("h0"), lengths(in));
            return out("output", o.output(), "hn", o.hn());
        };
        BiFunction<Module, Map<String, Tensor>, Map<String, Tensor>> lstm = (m, in) -> {
            RNNBase.Output o = ((LSTM) m).forward(in.get("x"), in.get("h0"), in.get("c0"), lengths(in));
            return out("output", o.output(), "hn", o.hn(), "cn", o.cn());
        };
        SPECS.put("rnn_tanh", new Spec(o -> new RNN(4, 5), rnn));
        SPECS.put("rnn_relu_2layer_bidirectional_batch_first", new Spec(o -> new RNN(4, 5, "relu", rnnOptions(o)), rnn));
        SPECS.put("lstm", new Spec(o -> new LSTM(4, 5), lstm));
        SPECS.put("lstm_2layer_bidirectional_batch_first_lengths", new Spec(o -> new LSTM(3, 4, rnnOptions(o)), lstm));
        SPECS.put("gru", new Spec(o -> new GRU(4, 5), rnn));
        SPECS.put("gru_2layer_bidirectional_lengths", new Spec(o -> new GRU(4, 3, rnnOptions(o)), rnn));

        BiFunction<Module, Map<String, Tensor>, Map<String, Tensor>> sdpa = (m, in) -> {
            JsonObject o = OPTIONS.get();
            boolean causal = o.has("causal") && o.get("causal").getAsBoolean();
            double scale = o.has("scale") ? o.get("scale").getAsDouble() : Double.NaN;
            return out("output", F.scaledDotProductAttention(in.get("q"), in.get("k"), in.get("v"), in.get("mask"), 0, causal, scale));
        };
        for (String n : List.of("sdpa", "sdpa_causal", "sdpa_bool_mask", "sdpa_float_mask_scale")) SPECS.put(n, new Spec(o -> null, sdpa));

        BiFunction<Module, Map<String, Tensor>, Map<String, Tensor>> mha = (m, in) -> {
            Tensor q = in.get("query");
            Tensor k = in.getOrDefault("key", q), v = in.getOrDefault("value", q);
            return out("output", ((MultiheadAttention) m).forward(q, k, v, in.get("key_padding_mask"), in.get("attn_mask"), false));
        };
        SPECS.put("mha_self", new Spec(o -> new MultiheadAttention(8, 2), mha));
        SPECS.put("mha_batch_first_masks", new Spec(o -> new MultiheadAttention(8, 4, 0, true, true, 8, 8), mha));
        SPECS.put("mha_kdim_vdim_float_mask", new Spec(o -> new MultiheadAttention(8, 2, 0, true, false, 5, 3), mha));
        SPECS.put("mha_weights", new Spec(o -> new MultiheadAttention(8, 2), (m, in) -> {
            Tensor q = in.get("query");
            Tensor[] r = ((MultiheadAttention) m).forwardWithWeights(q, q, q, in.get("key_padding_mask"), null, false);
            return out("output", r[0], "weights", r[1]);
        }));

        SPECS.put("encoder_post_norm", new Spec(o -> new TransformerEncoderLayer(8, 2, new TransformerOptions().dimFeedforward(16).dropout(0)),
                (m, in) -> out("output", ((TransformerEncoderLayer) m).forward(in.get("src"), null, in.get("src_key_padding_mask"), false))));
        SPECS.put("encoder_pre_norm_gelu_batch_first_causal", new Spec(o -> new TransformerEncoderLayer(8, 4, new TransformerOptions()
                .dimFeedforward(12).dropout(0).activation("gelu").batchFirst(true).normFirst(true)),
                (m, in) -> out("output", ((TransformerEncoderLayer) m).forward(in.get("src"), null, null, true))));
        SPECS.put("decoder_post_norm", new Spec(o -> new TransformerDecoderLayer(8, 2, new TransformerOptions().dimFeedforward(16).dropout(0)),
                (m, in) -> out("output", ((TransformerDecoderLayer) m).forward(in.get("tgt"), in.get("memory"), null, null, null,
                        in.get("memory_key_padding_mask"), true, false))));
        SPECS.put("decoder_pre_norm_batch_first", new Spec(o -> new TransformerDecoderLayer(8, 2, new TransformerOptions()
                .dimFeedforward(16).dropout(0).batchFirst(true).normFirst(true)),
                (m, in) -> out("output", ((TransformerDecoderLayer) m).forward(in.get("tgt"), in.get("memory")))));

        SPECS.put("rmsnorm", new Spec(o -> new RMSNorm(new long[]{6}, o.get("eps").getAsDouble(), true),
                (m, in) -> out("output", m.forward(in.get("x")))));
        SPECS.put("swiglu", new Spec(o -> new SwiGLU(6, 10), (m, in) -> out("output", m.forward(in.get("x")))));
        SPECS.put("silu", new Spec(o -> new SiLU(), (m, in) -> out("output", m.forward(in.get("x")))));
        SPECS.put("rope", new Spec(o -> new RotaryEmbedding(8, o.get("maxLength").getAsInt()),
                (m, in) -> out("output", ((RotaryEmbedding) m).apply(in.get("x"), OPTIONS.get().get("start").getAsInt()))));
        SPECS.put("sinusoidal", new Spec(o -> new SinusoidalPositionalEncoding(6, o.get("maxLength").getAsInt()),
                (m, in) -> out("output", m.forward(in.get("x")))));
    }

    static Stream<JsonObject> cases() {
        var in = SequenceModulesReferenceTest.class.getResourceAsStream("/torch_lm/sequence.json");
        assertNotNull(in, "missing /torch_lm/sequence.json; run benchmarks/reference/make_lm_refs.py");
        List<JsonObject> out = new ArrayList<>();
        for (JsonElement e : JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonArray())
            out.add(e.getAsJsonObject());
        return out.stream();
    }

    private static Tensor tensor(JsonObject t) {
        String dtype = t.has("dtype") ? t.get("dtype").getAsString() : "float";
        return switch (dtype) {
            case "bool" -> {
                double[] d = TorchRef.data(t);
                boolean[] b = new boolean[d.length];
                for (int i = 0; i < d.length; i++) b[i] = d[i] != 0;
                yield Tensor.of(b).reshape(TorchRef.shape(t));
            }
            case "int64" -> TorchRef.longTensor(t);
            default -> TorchRef.tensor(t);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardAndBackwardMatchPyTorch(JsonObject c) {
        String name = c.get("name").getAsString();
        Spec spec = SPECS.get(name);
        assertNotNull(spec, "no Ember module for reference case " + name);
        OPTIONS.set(c.getAsJsonObject("options"));
        Module m = spec.make().apply(c.getAsJsonObject("options"));
        if (m != null && !c.getAsJsonObject("params").isEmpty()) {
            Map<String, Tensor> params = new LinkedHashMap<>();
            for (var e : c.getAsJsonObject("params").entrySet()) params.put(e.getKey(), tensor(e.getValue().getAsJsonObject()));
            m.loadStateDict(params);
        }
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (var e : c.getAsJsonObject("inputs").entrySet()) {
            Tensor x = tensor(e.getValue().getAsJsonObject());
            in.put(e.getKey(), x.dtype() == DType.FLOAT32 && !e.getKey().contains("mask") ? x.requiresGrad(true) : x);
        }
        Map<String, Tensor> outs = spec.run().apply(m, in);
        assertEquals(c.getAsJsonObject("outputs").keySet(), outs.keySet(), name + ": outputs");
        Tensor objective = null;
        for (var e : c.getAsJsonObject("outputs").entrySet()) {
            Tensor y = outs.get(e.getKey());
            assertClose(name + " " + e.getKey(), e.getValue().getAsJsonObject(), y, 1e-4, 1e-5);
            Tensor term = y.mul(TorchRef.tensor(c.getAsJsonObject("upstream").getAsJsonObject(e.getKey()))).sum();
            objective = objective == null ? term : objective.add(term);
        }
        objective.backward();
        if (m != null) {
            Map<String, Tensor> named = m.namedParameters();
            assertEquals(c.getAsJsonObject("grads").keySet(), named.keySet(), name + ": parameter names as PyTorch's");
            for (var e : c.getAsJsonObject("grads").entrySet())
                assertClose(name + " grad of " + e.getKey(), e.getValue().getAsJsonObject(), named.get(e.getKey()).grad(), 1e-4, 1e-4);
        }
        for (var e : c.getAsJsonObject("input_grads").entrySet())
            assertClose(name + " grad of input " + e.getKey(), e.getValue().getAsJsonObject(), in.get(e.getKey()).grad(), 1e-4, 1e-4);
    }
}
