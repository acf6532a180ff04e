package dev.ember.studio.runs;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.ember.data.text.TextCorpus;
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
    /** Debian's {@code fortunes} text ({@code /usr/share/games/fortunes}), the GPT's default corpus. */
    public static final String FORTUNES = "fortunes";
    /** The text bundled with Ember (the fortunes-min {@code fortunes} file), when Debian's is not installed. */
    public static final String TEXT_SAMPLE = "text-sample";
    /** A text file under a data root (records between {@code %} lines, as fortune files). */
    public static final String TEXT_FILE = "text-file";
    /** The riddles demo set: Debian's {@code riddles} fortune file when installed, else the bundled one. */
    public static final String RIDDLES = "riddles";
    /** An alpaca or sharegpt file ({@code .json} or {@code .jsonl}) under a data root. */
    public static final String INSTRUCTIONS = "instructions";
    /** The datasets that name a file or folder under a data root ({@code data_path}). */
    public static final List<String> PATH_SETS = List.of(FOLDER, CSV, TEXT_FILE, INSTRUCTIONS);

    private static final List<String> IMAGE_SETS = List.of(FASHION_SUBSET, FASHION_DEBIAN, FOLDER);
    private static final List<String> TABLE_SETS = List.of(IRIS, CSV, FASHION_SUBSET, FASHION_DEBIAN, FOLDER);
    private static final List<String> TEXT_SETS = List.of(FORTUNES, TEXT_SAMPLE, TEXT_FILE);
    private static final List<String> CHAT_SETS = List.of(RIDDLES, INSTRUCTIONS);
    private static final Set<String> COMMON = Set.of("preset", "name", "dataset", "data_path", "resume");

    private final List<Preset> presets;
    private final boolean fortunes;

    /** The presets, with {@code devices} (e.g. {@code auto, cpu, opencl}) as the device choices. */
    public Presets(List<String> devices) { this(devices, !TextCorpus.fortuneFiles(TextCorpus.FORTUNES).isEmpty()); }

    /**
     * The presets, with {@code devices} as the device choices; {@code fortunes}: whether Debian's fortunes are installed
     * (the GPT's default corpus, else the bundled text).
     */
    public Presets(List<String> devices, boolean fortunes) {
        this.fortunes = fortunes;
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
                new Preset("gpt", "language", "GPT (language model on text)", true, null, TEXT_SETS, gptParams(devices)),
                new Preset("chat", "language", "Chat fine-tuning (full / freeze / LoRA)", true, null, CHAT_SETS, chatParams(devices)),
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

    private static List<Param> gptParams(List<String> devices) {
        return List.of(
                Param.choice("device", "auto", devices, "Where to train: auto picks CUDA, else an OpenCL GPU, else the CPU.",
                        "训练设备：auto 依次选择 CUDA、OpenCL GPU、CPU。"),
                Param.choice("tokenizer", "char", List.of("char", "bpe"), "char: one id per character; bpe: byte-level BPE learned from the text "
                        + "(covers any text, so ChatML chat works).", "char：每个字符一个 id；bpe：从文本学习的字节级 BPE（可编码任何文本，因此可用 ChatML 对话）。"),
                Param.integer("vocab_size", 512, 256, 65536, "BPE ids (the 256 bytes and the learned merges).", "BPE 词表大小（256 个字节加学到的合并）。")
                        .when("tokenizer", "bpe"),
                Param.integer("layers", 4, 1, 48, "Transformer blocks.", "Transformer 块数。"),
                Param.integer("width", 128, 8, 4096, "Embedding width; a multiple of heads.", "嵌入宽度；须为头数的倍数。"),
                Param.integer("heads", 4, 1, 64, "Attention heads.", "注意力头数。"),
                Param.integer("context", 128, 8, 4096, "Context length in tokens.", "上下文长度（词元数）。"),
                Param.integer("batch_size", 32, 1, 4096, "Windows of context tokens per optimizer step.", "每个优化步的上下文窗口数。"),
                Param.integer("steps", 2000, 1, 10_000_000, "Training steps (rounded up to whole evaluations).", "训练步数（向上取整到完整的评估周期）。"),
                Param.integer("eval_every", 200, 1, 1_000_000, "Steps between validations and checkpoints.", "两次验证（及检查点）之间的步数。"),
                Param.real("lr", 3e-4, 1e-7, 1.0, "AdamW learning rate.", "AdamW 学习率。"),
                Param.real("weight_decay", 0.01, 0, 10, "AdamW weight decay.", "AdamW 权重衰减。"),
                Param.real("dropout", 0, 0, 0.9, "Dropout in the blocks.", "块内的 dropout。"),
                Param.integer("val_windows", 256, 1, 100_000, "Validation windows, spread evenly over the held-out text.", "验证窗口数，均匀分布在留出文本上。"),
                Param.integer("seed", 42, 0, 1L << 53, "Random seed: the same seed repeats the run.", "随机种子：相同种子可复现。"));
    }

    private static List<Param> chatParams(List<String> devices) {
        return List.of(
                Param.choice("device", "auto", devices, "Where to train: auto picks CUDA, else an OpenCL GPU, else the CPU.",
                        "训练设备：auto 依次选择 CUDA、OpenCL GPU、CPU。"),
                Param.choice("method", "lora", List.of("full", "freeze", "lora"), "full: every weight; freeze: only the last blocks; lora: low-rank "
                        + "adapters beside the frozen weights (an adapter folder).", "full：训练全部权重；freeze：只训练最后几个块；lora：冻结原权重，训练低秩适配器（输出适配器目录）。"),
                Param.text("base_model", "", "The model folder to start from, under a data root or the runs directory (a GPT run's id works). "
                        + "Empty: a tiny character GPT is first trained on the conversations' text.",
                        "起始模型目录，位于数据根目录或运行目录下（可填 GPT 运行的 id）。留空：先在对话文本上训练一个很小的字符级 GPT。"),
                Param.integer("base_steps", 200, 1, 100_000, "Steps of the tiny base (when no base model is given).", "小型基座的训练步数（未给出基座模型时）。"),
                Param.integer("lora_rank", 8, 1, 1024, "LoRA rank r.", "LoRA 秩 r。").when("method", "lora"),
                Param.real("lora_alpha", 16, 1e-3, 1e4, "LoRA alpha; the update is scaled by alpha / r.", "LoRA alpha；更新按 alpha / r 缩放。").when("method", "lora"),
                Param.real("lora_dropout", 0, 0, 0.9, "Dropout on the LoRA input.", "LoRA 输入上的 dropout。").when("method", "lora"),
                Param.text("lora_target", "c_attn,c_proj,c_fc", "Linear layers that get adapters, by name, comma-separated.",
                        "加适配器的线性层名称，逗号分隔。").when("method", "lora"),
                Param.integer("freeze_trainable_layers", 1, 1, 1000, "Train the last N blocks.", "训练最后 N 个块。").when("method", "freeze"),
                Param.choice("template", "chatml", List.of("chatml", "model"), "Chat template: ChatML, or the base folder's own.",
                        "对话模板：ChatML，或基座目录自带的模板。"),
                Param.integer("epochs", 3, 1, 1000, "Passes over the training conversations.", "训练对话的遍历轮数。"),
                Param.integer("batch_size", 8, 1, 4096, "Rows per step.", "每步的行数。"),
                Param.real("lr", 1e-3, 1e-7, 1.0, "AdamW learning rate.", "AdamW 学习率。"),
                Param.real("weight_decay", 0, 0, 10, "AdamW weight decay.", "AdamW 权重衰减。"),
                Param.integer("cutoff_len", 0, 0, 1_000_000, "Row length in tokens; 0: the model's context.", "每行的词元数；0：模型的上下文长度。"),
                Param.choice("packing", "true", List.of("true", "false"), "Pack short conversations into one row.", "将短对话打包到同一行。"),
                Param.integer("seed", 0, 0, 1L << 53, "Seed of the split, the shuffling and the initialisation.", "划分、打乱与初始化的种子。"));
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
        String dataset = string(args, "dataset", preset.id().equals("gpt") && !fortunes ? TEXT_SAMPLE : preset.datasets().getFirst());
        if (!preset.datasets().contains(dataset))
            throw ApiError.badRequest("dataset: '" + dataset + "' does not fit preset " + preset.id() + "; expected one of " + preset.datasets());
        out.addProperty("dataset", dataset);
        if (PATH_SETS.contains(dataset)) {
            String path = string(args, "data_path", "");
            if (path.isBlank()) throw ApiError.badRequest("data_path: dataset '" + dataset + "' needs a path under a data root");
            out.addProperty("data_path", path);
        }
        if (args.has("resume") && !args.get("resume").isJsonNull() && !string(args, "resume", "").isBlank()) {
            if (preset.kind().equals("classical")) throw ApiError.badRequest("resume: a classical estimator has no checkpoint to resume from");
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
        if (preset.id().equals("gpt") && out.get("width").getAsLong() % out.get("heads").getAsLong() != 0)
            throw ApiError.badRequest("width: " + out.get("width").getAsLong() + " is not a multiple of heads " + out.get("heads").getAsLong());
        if (preset.id().equals("chat")) {
            String targets = out.get("lora_target").getAsString();
            if (!targets.matches("[A-Za-z0-9_.]+(,[A-Za-z0-9_.]+)*"))
                throw ApiError.badRequest("lora_target: '" + targets + "' is not a comma-separated list of layer names (e.g. c_attn,c_fc)");
            if (out.get("template").getAsString().equals("model") && out.get("base_model").getAsString().isBlank())
                throw ApiError.badRequest("template: 'model' needs a base_model with its own chat template (the tiny base has none)");
        }
        return out;
    }

    private static JsonElement value(Param p, JsonElement given) {
        if (given == null || given.isJsonNull() || (given.isJsonPrimitive() && given.getAsString().isBlank()))
            return p.value() instanceof Number n ? new JsonPrimitive(n) : new JsonPrimitive(p.value().toString());
        if (!given.isJsonPrimitive()) throw ApiError.badRequest(p.name() + ": expected a " + p.type() + ", got " + given);
        String s = given.getAsString().strip();
        switch (p.type()) {
            case "text" -> {
                if (s.length() > 1000 || s.chars().anyMatch(c -> c < 0x20)) throw ApiError.badRequest(p.name() + ": at most 1000 characters, no control characters");
                return new JsonPrimitive(s);
            }
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
        if (preset.id().equals("gpt")) return gptCommand(args, dataDir, outDir);
        if (preset.id().equals("chat")) return chatCommand(args, dataDir, outDir);
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

    /**
     * {@code ./ember train --model gpt ...}; {@code textFile} is the corpus ({@code --data}), null for Debian's fortunes
     * (the command's default).
     */
    private static String gptCommand(JsonObject a, String textFile, String outDir) {
        StringBuilder b = new StringBuilder("./ember train --model gpt --tokenizer ").append(a.get("tokenizer").getAsString());
        if (a.get("tokenizer").getAsString().equals("bpe")) b.append(" --vocab-size ").append(a.get("vocab_size").getAsLong());
        for (String k : List.of("layers", "width", "heads", "context", "batch_size", "steps", "eval_every")) flag(b, a, k);
        for (String k : List.of("lr", "weight_decay", "dropout")) b.append(" --").append(k.replace('_', '-')).append(' ').append(real(a, k));
        flag(b, a, "val_windows");
        b.append(" --device ").append(a.get("device").getAsString()).append(" --seed ").append(a.get("seed").getAsLong());
        if (textFile != null) b.append(" --data ").append(quote(textFile));
        b.append(" --out ").append(quote(outDir));
        if (a.has("resume")) b.append(" --resume ").append(quote(a.get("resume").getAsString()));
        return b.toString();
    }

    /**
     * {@code ./ember tune ...} on the base model; with no base model, first the {@code ./ember train --model gpt} line of
     * the tiny base ({@link #TINY_BASE}) on the conversations' text, which the run writes to {@code OUT/base/corpus.txt}.
     * {@code dataFile} is the instruction file ({@code --data}), null for the riddles (the command's default).
     */
    private static String chatCommand(JsonObject a, String dataFile, String outDir) {
        StringBuilder b = new StringBuilder();
        String base = a.has("_base") ? a.get("_base").getAsString() : a.get("base_model").getAsString();
        if (base.isBlank()) {
            base = outDir + "/base";
            b.append("./ember train --model gpt --tokenizer char ").append(TINY_BASE).append(" --steps ").append(a.get("base_steps").getAsLong())
                    .append(" --eval-every ").append(a.get("base_steps").getAsLong()).append(" --device ").append(a.get("device").getAsString())
                    .append(" --seed ").append(a.get("seed").getAsLong()).append(" --data ").append(quote(base + "/corpus.txt"))
                    .append(" --out ").append(quote(base)).append(" && ");
        }
        String method = a.get("method").getAsString();
        b.append("./ember tune --stage sft --method ").append(method).append(" --model ").append(quote(base)).append(" --out ").append(quote(outDir));
        if (dataFile != null) b.append(" --data ").append(quote(dataFile));
        b.append(" --template ").append(a.get("template").getAsString());
        if (method.equals("lora")) {
            b.append(" --lora-rank ").append(a.get("lora_rank").getAsLong()).append(" --lora-alpha ").append(real(a, "lora_alpha"))
                    .append(" --lora-dropout ").append(real(a, "lora_dropout")).append(" --lora-target ").append(quote(a.get("lora_target").getAsString()));
        }
        if (method.equals("freeze")) b.append(" --freeze-trainable-layers ").append(a.get("freeze_trainable_layers").getAsLong());
        flag(b, a, "epochs");
        flag(b, a, "batch_size");
        b.append(" --lr ").append(real(a, "lr")).append(" --weight-decay ").append(real(a, "weight_decay"));
        if (a.get("cutoff_len").getAsLong() > 0) flag(b, a, "cutoff_len");
        if (a.get("packing").getAsString().equals("false")) b.append(" --no-packing");
        b.append(" --seed ").append(a.get("seed").getAsLong()).append(" --device ").append(a.get("device").getAsString());
        if (a.has("resume")) b.append(" --resume ").append(quote(a.get("resume").getAsString()));
        return b.toString();
    }

    /**
     * The tiny base of a chat fine-tuning run without a base model: a character GPT small enough to train in seconds,
     * with room for a riddle in ChatML.
     */
    public static final int TINY_LAYERS = 2, TINY_WIDTH = 32, TINY_HEADS = 2, TINY_CONTEXT = 256, TINY_BATCH = 8, TINY_VAL_WINDOWS = 16;
    /** The tiny base's AdamW learning rate (no weight decay, no dropout). */
    public static final double TINY_LR = 3e-3;
    private static final String TINY_BASE = String.format(Locale.ROOT, "--layers %d --width %d --heads %d --context %d --batch-size %d --lr %s "
            + "--weight-decay 0.0 --dropout 0.0 --val-windows %d", TINY_LAYERS, TINY_WIDTH, TINY_HEADS, TINY_CONTEXT, TINY_BATCH, TINY_LR, TINY_VAL_WINDOWS);

    private static void flag(StringBuilder b, JsonObject a, String key) {
        b.append(" --").append(key.replace('_', '-')).append(' ').append(a.get(key).getAsLong());
    }

    private static String real(JsonObject a, String key) { return String.format(Locale.ROOT, "%s", a.get(key).getAsDouble()); }

    /** A shell word: as is when plain, else in single quotes. */
    static String quote(String s) {
        if (s.matches("[A-Za-z0-9_./:=@%+,-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
