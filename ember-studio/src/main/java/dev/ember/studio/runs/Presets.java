package dev.ember.studio.runs;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.ember.studio.ApiError;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The presets of the train tab and the checks of an arguments file against them. An arguments file is a flat
 * JSON object: {@code preset}, {@code name}, {@code dataset}, {@code data_path}, {@code resume} and the preset's
 * hyperparameters. {@link #validate} fills defaults and refuses anything unknown or out of range, naming the key.
 */
public final class Presets {
    /** The bundled 2,000/500-image Fashion-MNIST subset. */
    public static final String FASHION_SUBSET = "fashion-mnist-subset";
    /** Debian's {@code dataset-fashion-mnist} package. */
    public static final String FASHION_DEBIAN = "fashion-mnist-debian";
    /** A folder of Fashion-MNIST-format IDX files under a data root. */
    public static final String FOLDER = "folder";
    /** The bundled iris table (150 rows, 4 features, 3 classes). */
    public static final String IRIS = "iris";
    /** A CSV file under a data root: numeric features, the class in the last column. */
    public static final String CSV = "csv";

    private static final List<String> IMAGE_SETS = List.of(FASHION_SUBSET, FASHION_DEBIAN, FOLDER);
    private static final List<String> TABLE_SETS = List.of(IRIS, CSV, FASHION_SUBSET, FASHION_DEBIAN, FOLDER);
    private static final Set<String> COMMON = Set.of("preset", "name", "dataset", "data_path", "resume");
    private static final String NO_LM = "needs Ember's GPT and chat fine-tuning (language models I and II), which this build does not have yet";

    private final List<Preset> presets;

    /** The presets, with {@code devices} (e.g. {@code auto, cpu, opencl}) as the device choices. */
    public Presets(List<String> devices) {
        List<Param> net = List.of(
                Param.choice("device", "auto", devices, "Where to train: auto picks CUDA, else an OpenCL GPU, else the CPU.",
                        "训练设备：auto 依次选择 CUDA、OpenCL GPU、CPU。"),
                Param.integer("epochs", 5, 1, 1000, "Most epochs; early stopping may end sooner.", "最多训练轮数；提前停止可能更早结束。"),
                Param.integer("batch_size", 128, 1, 4096, "Examples per optimizer step.", "每个优化步的样本数。"),
                Param.real("lr", 1e-3, 1e-7, 1.0, "Adam learning rate.", "Adam 学习率。"),
                Param.integer("patience", 3, 0, 100, "Epochs without a better validation accuracy before stopping.",
                        "验证准确率多少轮不提升后停止。"),
                Param.integer("train_limit", 0, 0, 60000, "Train on only this many images (0: all).", "只用这么多张图像训练（0：全部）。"),
                Param.integer("seed", 42, 0, 1L << 53, "Random seed: the same seed repeats the run.", "随机种子：相同种子可复现。"));
        Param testFraction = Param.real("test_fraction", 0.2, 0.05, 0.5, "Share of the rows held out for testing.", "留作测试的比例。");
        Param limit = Param.integer("train_limit", 2000, 0, 60000, "Use only this many rows (0: all); images are flattened to 784 features.",
                "只使用这么多行（0：全部）；图像展平为 784 个特征。");
        Param seed = Param.integer("seed", 42, 0, 1L << 53, "Random seed for the split and the estimator.", "划分与模型的随机种子。");
        presets = List.of(
                new Preset("mlp", "network", "MLP (784-256-128-10)", true, null, IMAGE_SETS, net),
                new Preset("cnn", "network", "CNN (conv32-conv64-128-10)", true, null, IMAGE_SETS, net),
                new Preset("gpt", "language", "GPT (character language model)", false, NO_LM, List.of(), List.of()),
                new Preset("chat-full", "language", "Chat fine-tuning: full", false, NO_LM, List.of(), List.of()),
                new Preset("chat-freeze", "language", "Chat fine-tuning: freeze", false, NO_LM, List.of(), List.of()),
                new Preset("chat-lora", "language", "Chat fine-tuning: LoRA", false, NO_LM, List.of(), List.of()),
                new Preset("logistic", "classical", "Logistic regression", true, null, TABLE_SETS, List.of(
                        Param.real("c", 1.0, 1e-6, 1e6, "Inverse regularisation strength (scikit-learn's C).", "正则化强度的倒数（scikit-learn 的 C）。"),
                        Param.integer("max_iter", 200, 1, 10000, "Most L-BFGS iterations.", "L-BFGS 最大迭代次数。"),
                        testFraction, limit, seed)),
                new Preset("tree", "classical", "Decision tree", true, null, TABLE_SETS, List.of(
                        Param.choice("criterion", "gini", List.of("gini", "entropy"), "Split quality measure.", "划分质量指标。"),
                        Param.integer("max_depth", 8, 1, 64, "Deepest level of the tree.", "树的最大深度。"),
                        Param.integer("min_samples_split", 2, 2, 10000, "Fewest rows a node needs to be split.", "节点分裂所需的最少样本数。"),
                        testFraction, limit, seed)),
                new Preset("forest", "classical", "Random forest", true, null, TABLE_SETS, List.of(
                        Param.integer("n_estimators", 50, 1, 1000, "Number of trees.", "树的数量。"),
                        Param.integer("max_depth", 12, 1, 64, "Deepest level of each tree.", "每棵树的最大深度。"),
                        testFraction, limit, seed)));
    }

    /** Every preset, available or not. */
    public List<Preset> all() { return presets; }

    /** The preset with this id. */
    public Preset get(String id) {
        for (Preset p : presets) if (p.id().equals(id)) return p;
        throw ApiError.badRequest("preset: unknown preset '" + id + "'; expected one of " + presets.stream().map(Preset::id).toList());
    }

    /**
     * The arguments with defaults filled in, every value checked against its preset.
     *
     * @throws ApiError 400 naming the first key that is unknown, of the wrong type or out of range
     */
    public JsonObject validate(JsonObject args) {
        if (!args.has("preset") || !args.get("preset").isJsonPrimitive()) throw ApiError.badRequest("preset: missing");
        Preset preset = get(args.get("preset").getAsString());
        if (!preset.available()) throw ApiError.badRequest("preset: '" + preset.id() + "' " + preset.reason());
        JsonObject out = new JsonObject();
        out.addProperty("preset", preset.id());
        String name = string(args, "name", "");
        if (name.length() > 200) throw ApiError.badRequest("name: at most 200 characters");
        out.addProperty("name", name.isBlank() ? preset.id() : name.strip());
        String dataset = string(args, "dataset", preset.datasets().getFirst());
        if (!preset.datasets().contains(dataset))
            throw ApiError.badRequest("dataset: '" + dataset + "' does not fit preset " + preset.id() + "; expected one of " + preset.datasets());
        out.addProperty("dataset", dataset);
        if (dataset.equals(FOLDER) || dataset.equals(CSV)) {
            String path = string(args, "data_path", "");
            if (path.isBlank()) throw ApiError.badRequest("data_path: dataset '" + dataset + "' needs a path under a data root");
            out.addProperty("data_path", path);
        }
        if (args.has("resume") && !args.get("resume").isJsonNull() && !string(args, "resume", "").isBlank()) {
            if (!preset.kind().equals("network")) throw ApiError.badRequest("resume: only network presets resume from a checkpoint");
            out.addProperty("resume", string(args, "resume", ""));
        }
        List<String> known = new ArrayList<>(COMMON);
        for (Param p : preset.params()) {
            known.add(p.name());
            out.add(p.name(), value(p, args.get(p.name())));
        }
        for (Map.Entry<String, JsonElement> kv : args.entrySet())
            if (!known.contains(kv.getKey()) && !kv.getKey().startsWith("_")) // '_' keys: paths the studio resolved, resolved again
                throw ApiError.badRequest(kv.getKey() + ": not an argument of preset " + preset.id() + "; expected " + known);
        return out;
    }

    private static JsonElement value(Param p, JsonElement given) {
        if (given == null || given.isJsonNull() || (given.isJsonPrimitive() && given.getAsString().isBlank()))
            return p.value() instanceof Number n ? new JsonPrimitive(n) : new JsonPrimitive(p.value().toString());
        if (!given.isJsonPrimitive()) throw ApiError.badRequest(p.name() + ": expected a " + p.type() + ", got " + given);
        String s = given.getAsString().strip();
        switch (p.type()) {
            case "choice" -> {
                if (!p.choices().contains(s)) throw ApiError.badRequest(p.name() + ": '" + s + "' is not one of " + p.choices());
                return new JsonPrimitive(s);
            }
            case "int" -> {
                long v;
                try {
                    v = Long.parseLong(s);
                } catch (NumberFormatException ex) {
                    throw ApiError.badRequest(p.name() + ": '" + s + "' is not a whole number");
                }
                if (v < p.min() || v > p.max()) throw ApiError.badRequest(p.name() + ": " + v + " is outside [" + p.min().longValue() + ", " + p.max().longValue() + "]");
                return new JsonPrimitive(v);
            }
            default -> {
                double v;
                try {
                    v = Double.parseDouble(s);
                } catch (NumberFormatException ex) {
                    throw ApiError.badRequest(p.name() + ": '" + s + "' is not a number");
                }
                if (!(v >= p.min() && v <= p.max())) throw ApiError.badRequest(p.name() + ": " + s + " is outside [" + p.min() + ", " + p.max() + "]");
                return new JsonPrimitive(v);
            }
        }
    }

    private static String string(JsonObject o, String key, String fallback) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) return fallback;
        if (!e.isJsonPrimitive()) throw ApiError.badRequest(key + ": expected a string");
        return e.getAsString();
    }

    /**
     * The command line that does the same as these (validated) arguments: {@code ./ember train ...} for the
     * networks, {@code ./ember studio run ARGS.json} for the classical estimators, which {@code train} lacks.
     */
    public String command(JsonObject args, String dataDir, String outDir, String argsFile) {
        Preset preset = get(args.get("preset").getAsString());
        if (!preset.kind().equals("network")) return "./ember studio run " + quote(argsFile);
        StringBuilder b = new StringBuilder("./ember train --model ").append(preset.id());
        b.append(" --epochs ").append(args.get("epochs").getAsLong());
        b.append(" --batch-size ").append(args.get("batch_size").getAsLong());
        b.append(" --lr ").append(String.format(Locale.ROOT, "%s", args.get("lr").getAsDouble()));
        b.append(" --device ").append(args.get("device").getAsString());
        if (dataDir != null) b.append(" --data ").append(quote(dataDir));
        b.append(" --out ").append(quote(outDir));
        b.append(" --patience ").append(args.get("patience").getAsLong());
        b.append(" --seed ").append(args.get("seed").getAsLong());
        if (args.get("train_limit").getAsLong() > 0) b.append(" --train-limit ").append(args.get("train_limit").getAsLong());
        if (args.has("resume")) b.append(" --resume ").append(quote(args.get("resume").getAsString()));
        return b.toString();
    }

    /** A shell word: as is when plain, else in single quotes. */
    static String quote(String s) {
        if (s.matches("[A-Za-z0-9_./:=@%+-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
