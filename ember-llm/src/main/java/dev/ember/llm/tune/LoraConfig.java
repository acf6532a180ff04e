package dev.ember.llm.tune;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.ember.data.io.DataFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The options of LoRA with PEFT's names and meanings: rank {@code r}, {@code loraAlpha} (the update is scaled by
 * {@code loraAlpha / r}, or {@code loraAlpha / sqrt(r)} with {@code useRslora}), {@code loraDropout} on the adapter's
 * input, and the target layers: either a list of names, each matching a layer whose path equals it or ends with
 * {@code "." + name} (PEFT's list form: {@code ["c_attn"]} adapts every block's {@code c_attn}), or one regular
 * expression that must match the whole path (PEFT's string form). Paths are the Hugging Face module paths the
 * adapter's tensors are saved under ({@code transformer.h.0.attn.c_attn} for a GPT-2 model).
 *
 * <p>Read and written as PEFT's {@code adapter_config.json}; only what Ember implements is accepted
 * ({@code peft_type} LORA, {@code bias} "none", no DoRA, no rank or alpha patterns, no {@code modules_to_save}, no
 * {@code layers_to_transform}, {@code exclude_modules}, {@code lora_bias}, {@code layer_replication} or
 * {@code target_parameters}); anything else is an error naming the file and key.
 *
 * @param r              the rank of the update (positive)
 * @param loraAlpha      the scale numerator (positive)
 * @param loraDropout    dropout probability on the adapter's input in training, in [0, 1)
 * @param targetModules  target names (list form), or null when {@code targetRegex} is given
 * @param targetRegex    a regular expression over whole paths (string form), or null
 * @param useRslora      rank-stabilised scaling {@code loraAlpha / sqrt(r)}
 */
public record LoraConfig(int r, double loraAlpha, double loraDropout, List<String> targetModules, String targetRegex, boolean useRslora) {
    /** Checks the values; errors name the option. */
    public LoraConfig {
        if (r <= 0) throw new IllegalArgumentException("LoRA: r must be positive, got " + r);
        if (!(loraAlpha > 0) || Double.isInfinite(loraAlpha)) throw new IllegalArgumentException("LoRA: lora_alpha must be positive, got " + loraAlpha);
        if (!(loraDropout >= 0 && loraDropout < 1)) throw new IllegalArgumentException("LoRA: lora_dropout must be in [0, 1), got " + loraDropout);
        if ((targetModules == null) == (targetRegex == null))
            throw new IllegalArgumentException("LoRA: give either target module names or one target regex");
        if (targetModules != null) {
            targetModules = List.copyOf(targetModules);
            if (targetModules.isEmpty()) throw new IllegalArgumentException("LoRA: no target modules");
            for (String t : targetModules) if (t.isBlank()) throw new IllegalArgumentException("LoRA: a target module name is blank");
        } else {
            try {
                Pattern.compile(targetRegex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("LoRA: target regex '" + targetRegex + "' is not a valid regular expression: " + e.getDescription(), e);
            }
        }
    }

    /** LoRA on the named layers (PEFT's list form). */
    public static LoraConfig of(int r, double loraAlpha, double loraDropout, String... targetModules) {
        return new LoraConfig(r, loraAlpha, loraDropout, List.of(targetModules), null, false);
    }

    /** LoRA on the layers whose whole path matches {@code regex} (PEFT's string form). */
    public static LoraConfig matching(int r, double loraAlpha, double loraDropout, String regex) {
        return new LoraConfig(r, loraAlpha, loraDropout, null, regex, false);
    }

    /** The factor of the update {@code B A x}: {@code loraAlpha / r}, or {@code loraAlpha / sqrt(r)} with rsLoRA. */
    public double scaling() { return useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r; }

    /** Whether the layer at {@code path} is a target (PEFT's {@code check_target_module_exists}). */
    public boolean matches(String path) {
        if (targetRegex != null) return Pattern.compile(targetRegex).matcher(path).matches();
        for (String t : targetModules) if (path.equals(t) || path.endsWith("." + t)) return true;
        return false;
    }

    /** The targets as the options name them. */
    public String describeTargets() { return targetRegex != null ? "regex '" + targetRegex + "'" : String.join(",", targetModules); }

    /** Writes PEFT's {@code adapter_config.json}; {@code baseModel} is {@code base_model_name_or_path}. */
    public void write(Path file, String baseModel) {
        JsonObject o = new JsonObject();
        o.add("alpha_pattern", new JsonObject());
        o.add("auto_mapping", JsonNull.INSTANCE);
        o.addProperty("base_model_name_or_path", baseModel);
        o.addProperty("bias", "none");
        o.addProperty("fan_in_fan_out", true); // GPT-2's projections are Conv1D in transformers (the A and B tensors are the same)
        o.addProperty("inference_mode", true);
        o.addProperty("init_lora_weights", true);
        o.add("layers_pattern", JsonNull.INSTANCE);
        o.add("layers_to_transform", JsonNull.INSTANCE);
        o.addProperty("lora_alpha", loraAlpha);
        o.addProperty("lora_dropout", loraDropout);
        o.add("modules_to_save", JsonNull.INSTANCE);
        o.addProperty("peft_type", "LORA");
        o.addProperty("r", r);
        o.add("rank_pattern", new JsonObject());
        o.add("revision", JsonNull.INSTANCE);
        if (targetRegex != null) {
            o.addProperty("target_modules", targetRegex);
        } else {
            JsonArray a = new JsonArray();
            targetModules.forEach(a::add);
            o.add("target_modules", a);
        }
        o.addProperty("task_type", "CAUSAL_LM");
        o.addProperty("use_dora", false);
        o.addProperty("use_rslora", useRslora);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(o), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Reads PEFT's {@code adapter_config.json}; what Ember cannot honour is an error naming the file and key. */
    public static LoraConfig read(Path file) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) throw new DataFormatException(file, "top level", "expected a JSON object");
            o = e.getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("adapter: cannot read " + file + ": " + e.getMessage(), e);
        } catch (JsonParseException e) {
            throw new DataFormatException(file, "JSON", "not valid JSON: " + e.getMessage(), e);
        }
        String type = string(o, "peft_type", file);
        if (!type.equals("LORA")) throw new DataFormatException(file, "peft_type", "'" + type + "' is not supported (LORA)");
        if (o.has("bias") && !o.get("bias").isJsonNull() && !o.get("bias").getAsString().equals("none"))
            throw new DataFormatException(file, "bias", "'" + o.get("bias").getAsString() + "' is not supported (none)");
        refuseIfSet(o, "use_dora", file);
        refuseIfSet(o, "modules_to_save", file);
        refuseIfSet(o, "layers_to_transform", file);
        refuseIfSet(o, "rank_pattern", file);
        refuseIfSet(o, "alpha_pattern", file);
        // newer PEFT options that change which layers are adapted or what the update is: refused, never ignored
        refuseIfSet(o, "exclude_modules", file);
        refuseIfSet(o, "lora_bias", file);
        refuseIfSet(o, "layer_replication", file);
        refuseIfSet(o, "target_parameters", file);
        int r = (int) number(o, "r", file);
        if (r != number(o, "r", file)) throw new DataFormatException(file, "r", "expected an integer");
        double alpha = number(o, "lora_alpha", file);
        double dropout = o.has("lora_dropout") ? number(o, "lora_dropout", file) : 0;
        boolean rslora = o.has("use_rslora") && o.get("use_rslora").isJsonPrimitive() && o.get("use_rslora").getAsBoolean();
        JsonElement t = o.get("target_modules");
        try {
            if (t == null || t.isJsonNull()) throw new DataFormatException(file, "target_modules", "missing (Ember has no per-architecture default)");
            if (t.isJsonPrimitive() && t.getAsJsonPrimitive().isString()) return new LoraConfig(r, alpha, dropout, null, t.getAsString(), rslora);
            if (!t.isJsonArray()) throw new DataFormatException(file, "target_modules", "expected a list of names or a regex string");
            List<String> names = new ArrayList<>();
            for (JsonElement e : t.getAsJsonArray()) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw new DataFormatException(file, "target_modules", "expected strings, found " + e);
                names.add(e.getAsString());
            }
            return new LoraConfig(r, alpha, dropout, names, null, rslora);
        } catch (DataFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, "values", e.getMessage(), e);
        }
    }

    private static void refuseIfSet(JsonObject o, String key, Path file) {
        JsonElement v = o.get(key);
        if (v == null || v.isJsonNull()) return;
        boolean set = (v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean() && v.getAsBoolean()) || (v.isJsonObject() && !v.getAsJsonObject().isEmpty())
                || (v.isJsonArray() && !v.getAsJsonArray().isEmpty()) || (v.isJsonPrimitive() && !v.getAsJsonPrimitive().isBoolean());
        if (set) throw new DataFormatException(file, key, "is set (" + v + "); Ember's LoRA does not support it");
    }

    private static String string(JsonObject o, String key, Path file) {
        JsonElement v = o.get(key);
        if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) throw new DataFormatException(file, key, "expected a string");
        return v.getAsString();
    }

    private static double number(JsonObject o, String key, Path file) {
        JsonElement v = o.get(key);
        if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) throw new DataFormatException(file, key, "expected a number");
        return v.getAsDouble();
    }
}
