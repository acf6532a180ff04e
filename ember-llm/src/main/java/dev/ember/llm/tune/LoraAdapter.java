package dev.ember.llm.tune;

import dev.ember.Tensor;
import dev.ember.io.SafeTensors;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.ModuleList;
import dev.ember.nn.lm.GPT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * LoRA adapters on the target {@link Linear} layers of a base model, as PEFT's {@code get_peft_model} sets them up:
 * each target gets a {@link LoraLayer}, every parameter of the base stops requiring gradients, and only the adapters'
 * {@code A} and {@code B} are trained ({@link #parameters()} holds exactly those). Saved alone as PEFT saves them:
 * {@code adapter_model.safetensors} with the tensors {@code base_model.model.<path>.lora_A.weight} and
 * {@code ...lora_B.weight}, and {@code adapter_config.json}; {@link #load} attaches saved adapters to a base.
 *
 * <p>Paths are Hugging Face's module paths: for a {@link GPT}, {@code transformer.} before the block names
 * ({@code transformer.h.0.attn.c_attn}) and {@code lm_head} as it is; for another model, Ember's own names.
 *
 * <p>The base's parameters are frozen in place ({@code requiresGrad(false)}); moving the base to another device
 * afterwards makes them trainable again, so attach adapters after {@code to(device)}.
 */
public final class LoraAdapter extends Module {
    /** PEFT's file names. */
    public static final String WEIGHTS = "adapter_model.safetensors", CONFIG = "adapter_config.json";

    private final LoraConfig config;
    private final List<String> paths;
    private final ModuleList<LoraLayer> layers;

    private LoraAdapter(LoraConfig config, List<String> paths, List<LoraLayer> layers) {
        this.config = config;
        this.paths = List.copyOf(paths);
        this.layers = registerModule("layers", new ModuleList<>(layers));
    }

    /**
     * Adds LoRA to the {@code Linear} layers of {@code base} that {@code config} targets and freezes the base. No
     * target found is an error that lists the layers there are.
     */
    public static LoraAdapter attach(Module base, LoraConfig config) {
        List<String> paths = new ArrayList<>();
        List<LoraLayer> layers = new ArrayList<>();
        List<String> linears = new ArrayList<>();
        for (var e : base.namedModules().entrySet()) {
            if (!(e.getValue() instanceof Linear l)) continue;
            String path = path(base, e.getKey());
            linears.add(path);
            if (!config.matches(path)) continue;
            if (l.adapter() != null) throw new IllegalArgumentException("LoRA: " + path + " already has an adapter");
            paths.add(path);
            layers.add(new LoraLayer(l, config.r(), config.scaling(), config.loraDropout()));
        }
        if (layers.isEmpty())
            throw new IllegalArgumentException("LoRA: no Linear layer matches the targets " + config.describeTargets() + "; the model's Linear layers are "
                    + abbreviate(linears));
        for (Tensor p : base.parameters()) p.requiresGrad(false);
        LoraAdapter adapter = new LoraAdapter(config, paths, layers);
        for (LoraLayer layer : layers) layer.attach();
        return adapter;
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 12 ? names.toString() : names.subList(0, 12) + " and " + (names.size() - 12) + " more";
    }

    /** The Hugging Face module path of Ember's module {@code name} in {@code base}. */
    static String path(Module base, String name) {
        if (base instanceof GPT && !name.startsWith("lm_head")) return "transformer." + name;
        return name;
    }

    /** The options. */
    public LoraConfig config() { return config; }

    /** The adapted layers' paths, in model order. */
    public List<String> targets() { return paths; }

    /** The adapter of each target, in the order of {@link #targets()}. */
    public List<LoraLayer> layers() {
        List<LoraLayer> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) out.add(layers.get(i));
        return out;
    }

    /** Not a model of its own: the base model runs, and its target layers add the updates. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("LoraAdapter: call the base model's forward; the adapters are attached to its Linear layers");
    }

    /** Folds every update into its base weight (inference at the base's cost; {@link #unmerge} undoes it). */
    public void merge() { layers().forEach(LoraLayer::merge); }

    /** Takes every update out of its base weight again. */
    public void unmerge() { layers().forEach(LoraLayer::unmerge); }

    /** Removes the adapters from the base layers (after {@link #merge}, the base keeps the merged weights). */
    public void detach() { layers().forEach(LoraLayer::detach); }

    /** The adapter tensors under PEFT's names ({@code base_model.model.<path>.lora_A.weight}, {@code ...lora_B.weight}). */
    public Map<String, Tensor> peftStateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < paths.size(); i++) {
            out.put("base_model.model." + paths.get(i) + ".lora_A.weight", layers.get(i).a());
            out.put("base_model.model." + paths.get(i) + ".lora_B.weight", layers.get(i).b());
        }
        return out;
    }

    /** Writes {@code adapter_model.safetensors} and {@code adapter_config.json} into {@code dir}. */
    public void save(Path dir, String baseModel) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("adapter: cannot create " + dir + ": " + e.getMessage(), e);
        }
        config.write(dir.resolve(CONFIG), baseModel);
        SafeTensors.write(dir.resolve(WEIGHTS), peftStateDict(), Map.of("format", "pt"));
    }

    /**
     * Attaches the adapters saved in {@code dir} to {@code base} (frozen, as {@link #attach}). A tensor missing from
     * the file, one the file has for no target, or one of the wrong shape is an error naming the file and tensor.
     */
    public static LoraAdapter load(Path dir, Module base) {
        Path cfg = dir.resolve(CONFIG), weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(cfg)) throw new IllegalArgumentException("--adapter: " + dir + " has no " + CONFIG);
        if (!Files.isRegularFile(weights)) throw new IllegalArgumentException("--adapter: " + dir + " has no " + WEIGHTS);
        LoraConfig config = LoraConfig.read(cfg);
        Map<String, Tensor> saved = SafeTensors.read(weights);
        LoraAdapter adapter;
        try {
            adapter = attach(base, config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(cfg + ": " + e.getMessage(), e);
        }
        Map<String, Tensor> mine = adapter.peftStateDict();
        Set<String> unexpected = new LinkedHashSet<>(saved.keySet());
        unexpected.removeAll(mine.keySet());
        if (!unexpected.isEmpty()) {
            adapter.detach();
            throw new IllegalArgumentException(weights + ": tensors " + unexpected + " match no target layer of the base model (" + cfg.getFileName()
                    + " targets " + config.describeTargets() + ")");
        }
        try (var ignored = dev.ember.Ember.noGrad()) {
            for (var e : mine.entrySet()) {
                Tensor src = saved.get(e.getKey());
                if (src == null) {
                    adapter.detach();
                    throw new IllegalArgumentException(weights + ": missing tensor '" + e.getKey() + "'");
                }
                if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                    adapter.detach();
                    throw new IllegalArgumentException(weights + ": '" + e.getKey() + "' is " + Arrays.toString(src.shape()) + " but the base model needs "
                            + Arrays.toString(e.getValue().shape()) + " (r = " + config.r() + ")");
                }
                e.getValue().copyFrom(src.to(e.getValue().dtype()).to(e.getValue().device()));
            }
        }
        return adapter;
    }

    /** Number of trainable scalars (the adapters' A and B). */
    public long trainableParameters() { return parameterCount(); }
}
