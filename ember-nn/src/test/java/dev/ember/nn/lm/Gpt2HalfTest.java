package dev.ember.nn.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.io.SafeTensors;
import dev.ember.testing.AllocatorStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A BFLOAT16 GPT-2 checkpoint (benchmarks/reference/make_gpt2_refs.py, gpt2_tiny_bf16: the tiny random GPT-2 with
 * every tensor rounded to BFLOAT16) loads as a BFLOAT16 model without a float32 copy of its weights, computes the
 * logits torch computes in bfloat16 (to BFLOAT16's accuracy), and generates greedily in BFLOAT16 with a BFLOAT16 KV
 * cache the tokens torch's bfloat16 greedy decoding chooses wherever the top-2 margin exceeds BFLOAT16's rounding.
 */
class Gpt2HalfTest {
    @TempDir
    Path tmp;

    static Path refs() throws Exception { return Gpt2InteropTest.refs("gpt2_tiny_bf16"); }

    static JsonObject reference() throws Exception { return Gpt2InteropTest.reference("gpt2_tiny_bf16"); }

    static double[] doubles(JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsDouble();
        return out;
    }

    /** The largest of |got - want| / max(1, |want|). */
    static double worst(double[] want, float[] got) {
        assertEquals(want.length, got.length);
        double w = 0;
        for (int i = 0; i < got.length; i++) w = Math.max(w, Math.abs(want[i] - got[i]) / Math.max(1, Math.abs(want[i])));
        return w;
    }

    static double worst(double[] want, double[] got) {
        float[] f = new float[got.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) got[i];
        return worst(want, f);
    }

    @Test
    void aBf16CheckpointLoadsAsABf16ModelWithTorchsBf16Logits() throws Exception {
        JsonObject ref = reference();
        GPT model = Gpt2Checkpoint.load(refs());
        for (var e : model.stateDict().entrySet()) assertEquals(DType.BFLOAT16, e.getValue().dtype(), e.getKey());
        float[] logits = Gpt2InteropTest.logits(model, Gpt2InteropTest.ints(ref.getAsJsonArray("model_ids")));
        double[] f64 = doubles(ref.getAsJsonArray("logits_f64")), torchBf16 = doubles(ref.getAsJsonArray("logits_bf16"));
        // a BF16 forward pass strays from the float64 one by rounding at every op: Ember's strays no further than
        // torch's (measured: torch 0.20, Ember below it), and the two BF16 passes agree to that rounding
        double torchError = worst(f64, torchBf16), emberError = worst(f64, logits), apart = worst(torchBf16, logits);
        assertTrue(emberError <= 1.25 * torchError, "Ember BF16 vs float64 " + emberError + ", torch BF16 vs float64 " + torchError);
        assertTrue(apart <= 1.5 * torchError, "Ember BF16 vs torch BF16 " + apart + " (torch vs float64 " + torchError + ")");
        // and it is a BF16 pass: a float32 pass of the same weights is much closer to float64
        double f32Error = worst(f64, Gpt2InteropTest.logits(Gpt2Checkpoint.load(refs(), DType.FLOAT32), Gpt2InteropTest.ints(ref.getAsJsonArray("model_ids"))));
        assertTrue(f32Error < 1e-4, "the float32 model of the BF16 weights vs float64: " + f32Error);
        assertTrue(emberError > 10 * f32Error, "the BF16 model computed like a float32 one: " + emberError);
    }

    @Test
    void loadingNeverMakesAFloat32CopyOfTheWeights() throws Exception {
        Device cpu = Device.cpu();
        Gpt2Checkpoint.load(refs()); // warm: classes loaded, nothing measured
        long before = AllocatorStats.settle(cpu);
        Ember.resetPeakMemoryStats(cpu);
        GPT model = Gpt2Checkpoint.load(refs());
        long peak = Ember.memoryStats(cpu).peak() - before, kept = Ember.memoryStats(cpu).allocated() - before;
        long params = model.parameterCount(), bf16Bytes = 2 * params, f32Bytes = 4 * params;
        // the file's tensors (BF16) and the model's (BF16) coexist while copying: twice the BF16 weights (measured: 2.2
        // times, with the file's attention-mask buffers and the allocator's size classes, at most 1/8 over a request);
        // building the model comes first and needs less (one layer's float32 transients)
        long bound = 2 * bf16Bytes * 9 / 8 + (16 << 10);
        assertTrue(peak <= bound, "peak " + peak + " bytes for " + params + " BF16 parameters (" + bf16Bytes
                + " bytes; a float32 copy alone is " + f32Bytes + ")");
        assertTrue(kept <= bf16Bytes + (16 << 10), "after loading " + kept + " bytes stay allocated for " + bf16Bytes + " bytes of BF16 weights");

        // the measurement sees a float32 copy: loading the same file as float32 holds more than the float32 weights
        before = AllocatorStats.settle(cpu);
        Ember.resetPeakMemoryStats(cpu);
        GPT f32 = Gpt2Checkpoint.load(refs(), DType.FLOAT32);
        long peak32 = Ember.memoryStats(cpu).peak() - before;
        assertTrue(peak32 >= f32Bytes, "peak " + peak32 + " for float32 weights of " + f32Bytes + " bytes");
        assertTrue(peak32 > bound, "the bound above would miss a float32 copy: " + peak32);
        assertEquals(DType.FLOAT32, f32.tokenEmbedding().dtype());
    }

    @Test
    void convertingOnRequestKeepsTheValues() throws Exception {
        GPT bf16 = Gpt2Checkpoint.load(refs());
        GPT f32 = Gpt2Checkpoint.load(refs(), DType.FLOAT32);
        Map<String, Tensor> a = bf16.stateDict(), b = f32.stateDict();
        for (String k : a.keySet()) {
            assertEquals(DType.FLOAT32, b.get(k).dtype(), k);
            assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k); // BF16 widens exactly
        }
        // the float32 file of the same model loads as float32 by default, and as BF16 on request, equal to the BF16 file
        Path f32File = Path.of(Gpt2HalfTest.class.getResource("/gpt2_tiny").toURI());
        assertEquals(DType.FLOAT32, Gpt2Checkpoint.load(f32File).tokenEmbedding().dtype());
        GPT rounded = Gpt2Checkpoint.load(f32File, DType.BFLOAT16);
        Map<String, Tensor> r = rounded.stateDict();
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toBits(), r.get(k).toBits(), k); // torch's rounding, bit for bit
        var e = assertThrows(IllegalArgumentException.class, () -> Gpt2Checkpoint.load(refs(), DType.INT64));
        assertTrue(e.getMessage().contains("dtype") && e.getMessage().contains("INT64"), e.getMessage());
    }

    @Test
    void aFloat16CheckpointRoundTripsAsFloat16() throws Exception {
        GPT model = Gpt2Checkpoint.load(refs(), DType.FLOAT16);
        Path out = tmp.resolve("f16");
        Gpt2Checkpoint.save(model, out);
        Map<String, Tensor> file = SafeTensors.read(out.resolve("model.safetensors"));
        for (var e : file.entrySet()) assertEquals(DType.FLOAT16, e.getValue().dtype(), e.getKey());
        GPT again = Gpt2Checkpoint.load(out);
        for (var e : again.stateDict().entrySet()) {
            assertEquals(DType.FLOAT16, e.getValue().dtype(), e.getKey());
            assertArrayEquals(model.stateDict().get(e.getKey()).toBits(), e.getValue().toBits(), e.getKey());
        }
    }

    @Test
    void greedyGenerationInBf16ChoosesTorchsTokensWhereTheMarginAllows() throws Exception {
        JsonObject ref = reference();
        GPT model = Gpt2Checkpoint.load(refs());
        KVCache cache = model.newCache(1);
        assertEquals(DType.BFLOAT16, cache.dtype(), "the cache keeps the model's dtype");
        cache.close();
        int[] prompt = Gpt2InteropTest.ints(ref.getAsJsonArray("greedy_prompt")), want = Gpt2InteropTest.ints(ref.getAsJsonArray("greedy_tokens"));
        double[] gaps = doubles(ref.getAsJsonArray("greedy_gaps"));
        int sure = 0; // steps before the first whose top-2 gap is within BF16's rounding of a tie
        while (sure < gaps.length && gaps[sure] >= 0.5) sure++;
        assertTrue(sure >= 4, "the reference's margins allow only " + sure + " steps");
        int[] got = Generation.generate(model, prompt, GenerationConfig.builder().maxNewTokens(want.length).build(), null);
        assertArrayEquals(Arrays.copyOf(want, sure), Arrays.copyOf(got, sure), "greedy tokens, first " + sure + " (torch: " + Arrays.toString(want)
                + ", Ember: " + Arrays.toString(got) + ")");
        assertTrue(Arrays.stream(Arrays.copyOf(want, sure)).distinct().count() > 1, "a varied continuation");
    }
}
