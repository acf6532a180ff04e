package dev.ember.nn.lm;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Hugging Face's GPT-2 folder layout for a {@link GPT}: {@code config.json} (GPT-2's keys: {@code vocab_size},
 * {@code n_positions}, {@code n_embd}, {@code n_layer}, {@code n_head}, {@code layer_norm_epsilon},
 * {@code activation_function}, {@code tie_word_embeddings}) and {@code model.safetensors} with GPT-2's tensor names.
 *
 * <p>GPT-2 stores its projections as {@code Conv1D} weights {@code [in, out]}, the transpose of a {@code Linear}'s
 * {@code [out, in]}: they are transposed both ways. Names are read with or without the {@code transformer.} prefix
 * (the Hub's gpt2 checkpoint has none; {@code GPT2LMHeadModel.save_pretrained} writes it); the attention-mask buffers
 * ({@code h.<i>.attn.bias}, {@code h.<i>.attn.masked_bias}) that older checkpoints carry are ignored, and so is a
 * {@code lm_head.weight} that merely repeats the tied embedding. Models that are not GPT-2 shaped (post-norm, no
 * biases) add Ember's keys {@code ember_pre_norm} and {@code ember_bias} to the config.
 */
public final class Gpt2Checkpoint {
    private Gpt2Checkpoint() {}

    /** The configuration in {@code config.json}; a missing or unsupported entry is an error naming the file and key. */
    public static GPTConfig readConfig(Path configJson) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(configJson, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) throw new IllegalArgumentException(configJson + ": expected a JSON object");
            o = e.getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(configJson + ": " + e.getMessage(), e);
        } catch (com.google.gson.JsonParseException e) {
            throw new IllegalArgumentException(configJson + ": not valid JSON: " + e.getMessage(), e);
        }
        if (o.has("model_type") && !o.get("model_type").getAsString().equals("gpt2"))
            throw new IllegalArgumentException(configJson + ": model_type is '" + o.get("model_type").getAsString() + "'; only 'gpt2' is supported");
        int embd = integer(o, "n_embd", configJson);
        if (o.has("n_inner") && !o.get("n_inner").isJsonNull() && o.get("n_inner").getAsInt() != 4 * embd)
            throw new IllegalArgumentException(configJson + ": n_inner " + o.get("n_inner").getAsInt() + " is not supported (only 4 * n_embd = "
                    + 4 * embd + ")");
        String act = o.has("activation_function") ? o.get("activation_function").getAsString() : "gelu_new";
        if (!act.equals("gelu") && !act.equals("gelu_new"))
            throw new IllegalArgumentException(configJson + ": activation_function '" + act + "' is not supported (gelu or gelu_new)");
        int positions = o.has("n_positions") ? integer(o, "n_positions", configJson) : integer(o, "n_ctx", configJson);
        try {
            return GPTConfig.builder(integer(o, "vocab_size", configJson)).contextLength(positions).width(embd)
                    .layers(integer(o, "n_layer", configJson)).heads(integer(o, "n_head", configJson))
                    .layerNormEps(o.has("layer_norm_epsilon") ? o.get("layer_norm_epsilon").getAsDouble() : 1e-5).activation(act)
                    .tieWeights(!o.has("tie_word_embeddings") || o.get("tie_word_embeddings").getAsBoolean())
                    .preNorm(!o.has("ember_pre_norm") || o.get("ember_pre_norm").getAsBoolean())
                    .bias(!o.has("ember_bias") || o.get("ember_bias").getAsBoolean())
                    .dropout(o.has("resid_pdrop") ? o.get("resid_pdrop").getAsDouble() : 0)
                    .initStd(o.has("initializer_range") ? o.get("initializer_range").getAsDouble() : 0.02).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configJson + ": " + e.getMessage(), e);
        }
    }

    private static int integer(JsonObject o, String key, Path file) {
        if (!o.has(key) || o.get(key).isJsonNull()) throw new IllegalArgumentException(file + ": missing '" + key + "'");
        try {
            return o.get(key).getAsInt();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": '" + key + "' is not an integer: " + o.get(key), e);
        }
    }

    /** GPT-2's {@code config.json} for {@code config} (with Ember's keys when it is not GPT-2 shaped). */
    public static void writeConfig(GPTConfig c, Path configJson) {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", "gpt2");
        var arch = new com.google.gson.JsonArray();
        arch.add("GPT2LMHeadModel");
        o.add("architectures", arch);
        o.addProperty("vocab_size", c.vocabSize());
        o.addProperty("n_positions", c.contextLength());
        o.addProperty("n_ctx", c.contextLength());
        o.addProperty("n_embd", c.width());
        o.addProperty("n_layer", c.layers());
        o.addProperty("n_head", c.heads());
        o.add("n_inner", com.google.gson.JsonNull.INSTANCE);
        o.addProperty("activation_function", c.activation());
        o.addProperty("layer_norm_epsilon", c.layerNormEps());
        o.addProperty("resid_pdrop", c.dropout());
        o.addProperty("embd_pdrop", c.dropout());
        o.addProperty("attn_pdrop", c.dropout());
        o.addProperty("initializer_range", c.initStd());
        o.addProperty("tie_word_embeddings", c.tieWeights());
        if (!c.preNorm()) o.addProperty("ember_pre_norm", false);
        if (!c.bias()) o.addProperty("ember_bias", false);
        try {
            Files.createDirectories(configJson.toAbsolutePath().getParent());
            Files.writeString(configJson, new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(o), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(configJson + ": " + e.getMessage(), e);
        }
    }

    /**
     * The model in {@code dir} ({@code config.json} and {@code model.safetensors}) in the file's dtype: a BFLOAT16 or
     * FLOAT16 checkpoint gives a 16-bit model (see {@link #load(Path, DType)}).
     */
    public static GPT load(Path dir) { return load(dir, null); }

    /**
     * The model in {@code dir} with its floating-point tensors in {@code dtype}, or in the file's dtype when
     * {@code dtype} is null (that of its token embedding, as Hugging Face's {@code torch_dtype="auto"}). A 16-bit file
     * loaded as 16 bits is never converted to float32 on the way: the model is built in {@code dtype} layer by layer
     * (see {@link GPT}), the file's tensors are read as their bit patterns, copied in, and released, so the allocator's
     * peak is about twice the 16-bit weights (the model's and the file's). Converting (a BFLOAT16 file to FLOAT32, say)
     * happens tensor by tensor.
     */
    public static GPT load(Path dir, DType dtype) {
        if (dtype != null && !dtype.isFloatingPoint())
            throw new IllegalArgumentException("Gpt2Checkpoint.load: dtype must be floating point (FLOAT32, FLOAT16, BFLOAT16, FLOAT64), got " + dtype);
        Path cfg = dir.resolve("config.json"), weights = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(cfg)) throw new IllegalArgumentException("--model: " + dir + " has no config.json (a GPT-2 folder holds config.json and model.safetensors)");
        if (!Files.isRegularFile(weights)) throw new IllegalArgumentException("--model: " + dir + " has no model.safetensors");
        GPTConfig config = readConfig(cfg);
        // the model first: building it needs a layer's float32 transients (see GPT), which then do not add to the file's
        DType target = dtype != null ? dtype : fileDtype(weights);
        GPT model = GPT.uninitialised(config, target);
        Map<String, Tensor> file = SafeTensors.read(weights);
        try {
            model.stageLoadStateDict(fromHuggingFace(file, model, weights, cfg), true).run();
            model.eval();
            return model;
        } finally {
            for (Tensor t : file.values()) t.close(); // read here and copied into the model: nothing else holds them
        }
    }

    /**
     * The dtype of the file's token embedding ({@code wte.weight}, with or without the prefix), from the header alone
     * ({@link SafeTensors#metadata} checks the whole header first, so the file is a valid safetensors file).
     */
    private static DType fileDtype(Path weights) {
        SafeTensors.metadata(weights);
        JsonObject header;
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.READ)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (length.hasRemaining() && ch.read(length) >= 0) { }
            ByteBuffer json = ByteBuffer.allocate((int) length.getLong(0)); // checked by metadata() above
            while (json.hasRemaining() && ch.read(json) >= 0) { }
            header = JsonParser.parseString(new String(json.array(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(weights + ": " + e.getMessage(), e);
        }
        JsonElement wte = header.has("wte.weight") ? header.get("wte.weight") : header.get("transformer.wte.weight");
        if (wte == null) throw new IllegalArgumentException(weights + ": missing tensor 'wte.weight' (or 'transformer.wte.weight')");
        String code = wte.getAsJsonObject().get("dtype").getAsString();
        return switch (code) {
            case "F32" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            case "F16" -> DType.FLOAT16;
            case "BF16" -> DType.BFLOAT16;
            default -> throw new IllegalArgumentException(weights + ": 'wte.weight' is " + code
                    + "; a GPT-2 checkpoint holds floating-point weights (F32, F16, BF16 or F64)");
        };
    }

    /** Writes {@code config.json} and {@code model.safetensors} for {@code model} into {@code dir}. */
    public static void save(GPT model, Path dir) {
        writeConfig(model.config(), dir.resolve("config.json"));
        SafeTensors.write(dir.resolve("model.safetensors"), toHuggingFace(model), Map.of("format", "pt"));
    }

    /** The model's tensors under GPT-2's names ({@code transformer.*}, Conv1D weights transposed to {@code [in, out]}). */
    public static Map<String, Tensor> toHuggingFace(GPT model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> {
            if (k.equals("lm_head.weight")) out.put(k, v);
            else out.put("transformer." + k, conv1d(k) ? v.t().contiguous() : v);
        });
        return out;
    }

    /** Whether Ember's tensor {@code name} is a Conv1D weight in GPT-2's files. */
    private static boolean conv1d(String name) {
        return name.endsWith(".weight") && (name.contains(".attn.c_attn.") || name.contains(".attn.c_proj.")
                || name.contains(".mlp.c_fc.") || name.contains(".mlp.c_proj."));
    }

    /** GPT-2's tensors as {@code model}'s state dict; a missing, unexpected or misshapen tensor is an error naming the file. */
    static Map<String, Tensor> fromHuggingFace(Map<String, Tensor> hf, GPT model, Path file, Path configFile) {
        Map<String, Tensor> byName = new LinkedHashMap<>();
        hf.forEach((k, v) -> byName.put(k.startsWith("transformer.") ? k.substring("transformer.".length()) : k, v));
        Map<String, Tensor> state = new LinkedHashMap<>();
        Set<String> used = new LinkedHashSet<>();
        Map<String, Tensor> mine = model.stateDict();
        for (var e : mine.entrySet()) {
            String k = e.getKey();
            Tensor src = byName.get(k);
            if (src == null)
                throw new IllegalArgumentException(file + ": missing tensor '" + k + "' (or 'transformer." + k + "') that " + configFile.getFileName()
                        + " implies");
            used.add(k);
            Tensor t = conv1d(k) && src.dim() == 2 ? src.t() : src;
            long[] want = e.getValue().shape();
            if (!Arrays.equals(t.shape(), want)) {
                long[] stored = conv1d(k) && want.length == 2 ? new long[]{want[1], want[0]} : want;
                throw new IllegalArgumentException(file + ": '" + k + "' is " + Arrays.toString(src.shape()) + " but " + configFile.getFileName()
                        + " (" + describe(model.config()) + ") needs " + Arrays.toString(stored));
            }
            state.put(k, t);
        }
        Set<String> unexpected = new LinkedHashSet<>();
        for (String k : byName.keySet()) {
            if (used.contains(k) || k.endsWith(".attn.bias") || k.endsWith(".attn.masked_bias")) continue;
            if (k.equals("lm_head.weight") && model.config().tieWeights()) continue; // a copy of the tied embedding
            unexpected.add(k);
        }
        if (!unexpected.isEmpty())
            throw new IllegalArgumentException(file + ": unexpected tensors " + unexpected + " for " + configFile.getFileName() + " ("
                    + describe(model.config()) + ")");
        return state;
    }

    private static String describe(GPTConfig c) {
        return "vocab_size " + c.vocabSize() + ", n_positions " + c.contextLength() + ", n_embd " + c.width() + ", n_layer " + c.layers()
                + ", n_head " + c.heads();
    }
}
