package dev.ember.studio.runner;

import com.google.gson.JsonObject;
import dev.ember.Device;
import dev.ember.llm.chat.ChatTemplate;
import dev.ember.llm.chat.ChatTokenizer;
import dev.ember.llm.chat.EncodedChat;
import dev.ember.llm.data.Conversation;
import dev.ember.llm.data.SftDataset;
import dev.ember.llm.data.TuningData;
import dev.ember.llm.tune.FineTune;
import dev.ember.nn.lm.Gpt2Checkpoint;
import dev.ember.studio.runs.Presets;
import dev.ember.studio.runs.RunFiles;
import dev.ember.train.GptRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The language-model presets, run exactly as the commands run them: {@code gpt} through {@link GptRun} (as
 * {@code ./ember train --model gpt}) and {@code chat} through {@link FineTune} (as {@code ./ember tune --stage sft}),
 * each with the run directory as its output folder, so the run log ({@code run.jsonl}), the checkpoints and the model
 * folder (or the LoRA adapter folder) land where the live view, Resume, Evaluate and the chat tab look.
 */
final class LanguageRun {
    private LanguageRun() {}

    /** The files besides the weights that make a GPT run's folder a model folder: config and tokenizer. */
    private static final List<String> MODEL_FILES = List.of("config.json", "chars.json", "vocab.json", "merges.txt", "tokenizer.json",
            "tokenizer_config.json", "added_tokens.json", "special_tokens_map.json");

    static JsonObject gpt(JsonObject args, RunFiles files, Consumer<JsonObject> planned) {
        int steps = args.get("steps").getAsInt(), every = args.get("eval_every").getAsInt(), context = args.get("context").getAsInt();
        int evaluations = (steps + every - 1) / every;
        JsonObject plan = new JsonObject();
        plan.addProperty("epochs", evaluations);
        plan.addProperty("steps_per_epoch", every);
        plan.addProperty("total_steps", (long) evaluations * every);
        plan.addProperty("tokens_per_sample", context);
        planned.accept(plan);

        boolean fortunes = args.get("dataset").getAsString().equals(Presets.FORTUNES);
        List<Path> text = fortunes ? List.of() : List.of(Path.of(args.get("_data").getAsString()));
        Path resume = args.has("_resume") ? Path.of(args.get("_resume").getAsString()) : null;
        // GptRun resumes with the model's config and tokenizer from its output folder: a resumed studio run is a new
        // folder, so they come from the folder of the run the checkpoint belongs to
        if (resume != null) copyModelFiles(resume.getParent().getParent(), files.dir());
        Device device = device(args);
        var o = new GptRun.Options(text, args.get("tokenizer").getAsString(), args.get("vocab_size").getAsInt(), steps, every,
                args.get("batch_size").getAsInt(), context, args.get("layers").getAsInt(), args.get("width").getAsInt(), args.get("heads").getAsInt(),
                args.get("lr").getAsDouble(), args.get("weight_decay").getAsDouble(), args.get("dropout").getAsDouble(), args.get("seed").getAsLong(),
                device, files.dir(), resume, args.get("val_windows").getAsInt(), "The ", 80, 0);
        GptRun.Result r = GptRun.run(o, System.out);
        System.out.println("sample (temperature 0.8, top-k 40):\n" + r.sample());
        JsonObject out = new JsonObject();
        out.addProperty("val_loss", r.valLoss());
        out.addProperty("val_perplexity", r.valPerplexity());
        out.addProperty("steps", r.steps());
        out.addProperty("train_tokens_per_s", r.trainTokensPerSecond());
        out.addProperty("parameters", r.parameters());
        out.addProperty("vocab", r.vocabSize());
        out.addProperty("data", r.corpusSource());
        out.addProperty("device", device.toString());
        return out;
    }

    static JsonObject chat(JsonObject args, RunFiles files, Consumer<JsonObject> planned) {
        long seed = args.get("seed").getAsLong();
        boolean riddles = args.get("dataset").getAsString().equals(Presets.RIDDLES);
        Path data = riddles ? null : Path.of(args.get("_data").getAsString());
        Path resume = args.has("_resume") ? Path.of(args.get("_resume").getAsString()) : null;
        Device device = device(args);
        TuningData conversations = TuningData.load(data, null, null, null, seed); // what FineTune loads: the same split
        Path base;
        if (args.has("_base")) {
            base = Path.of(args.get("_base").getAsString());
        } else if (resume != null && Files.isRegularFile(resume.getParent().getParent().resolve("base/model.safetensors"))) {
            base = resume.getParent().getParent().resolve("base"); // the tiny base the interrupted run tuned
        } else {
            base = tinyBase(conversations, files.dir().resolve("base"), args.get("base_steps").getAsInt(), seed, device);
        }
        String template = args.get("template").getAsString();
        int epochs = args.get("epochs").getAsInt(), batch = args.get("batch_size").getAsInt(), cutoff = args.get("cutoff_len").getAsInt();
        boolean packing = args.get("packing").getAsString().equals("true");
        planned.accept(chatPlan(base, template, conversations.train(), epochs, batch, cutoff, packing));

        String method = args.get("method").getAsString();
        List<String> targets = Arrays.asList(args.get("lora_target").getAsString().split(","));
        var o = new FineTune.Options(base, data, null, null, null, template, FineTune.Method.valueOf(method.toUpperCase(java.util.Locale.ROOT)),
                args.get("lora_rank").getAsInt(), args.get("lora_alpha").getAsDouble(), args.get("lora_dropout").getAsDouble(), targets,
                args.get("freeze_trainable_layers").getAsInt(), List.of(), epochs, batch, args.get("lr").getAsDouble(), args.get("weight_decay").getAsDouble(),
                packing, cutoff, seed, device, files.dir(), resume);
        FineTune.Result r = FineTune.run(o, System.out);
        JsonObject out = new JsonObject();
        out.addProperty("val_loss", r.valLoss());
        out.addProperty("val_perplexity", r.valPerplexity());
        out.addProperty("method", method);
        out.addProperty("trainable_parameters", r.trainable());
        out.addProperty("parameters", r.total());
        out.addProperty("rows", r.rows());
        out.addProperty("step_seconds", r.stepSeconds());
        out.addProperty("base_model", base.toString());
        out.addProperty("data", r.dataSource());
        out.addProperty("device", device.toString());
        return out;
    }

    /**
     * A tiny character GPT trained on the conversations' text as ChatML renders it, so its vocabulary holds every
     * character of the template and the answers (train and held-out), and it has seen the format. (It sees the held-out
     * answers too: the base is a stand-in so that the page works without a model download, not a measurement.)
     */
    static Path tinyBase(TuningData data, Path dir, int steps, long seed, Device device) {
        StringBuilder corpus = new StringBuilder();
        List<Conversation> all = new ArrayList<>(data.train());
        all.addAll(data.heldOut());
        // a small instruction file is repeated: GptRun validates on every tenth record, which must hold a context window
        do {
            for (Conversation c : all) corpus.append(ChatTemplate.chatml().render(c.messages(), false)).append("\n%\n");
        } while (corpus.length() < 20 * Presets.TINY_CONTEXT);
        Path text = dir.resolve("corpus.txt");
        try {
            Files.createDirectories(dir);
            Files.writeString(text, corpus, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("studio: cannot write " + text + ": " + e.getMessage(), e);
        }
        System.out.println("tiny base: a character GPT trained for " + steps + " steps on the conversations' text (" + text + ")");
        GptRun.run(new GptRun.Options(List.of(text), "char", 512, steps, steps, Presets.TINY_BATCH, Presets.TINY_CONTEXT, Presets.TINY_LAYERS,
                Presets.TINY_WIDTH, Presets.TINY_HEADS, Presets.TINY_LR, 0, 0, seed, device, dir, null, Presets.TINY_VAL_WINDOWS, "", 0, 0), System.out);
        return dir;
    }

    /**
     * The steps FineTune will take: its training rows (the conversations encoded with the template, packed or not,
     * as {@code FineTune} builds them) over the batch size, per epoch.
     */
    static JsonObject chatPlan(Path base, String template, List<Conversation> train, int epochs, int batch, int cutoff, boolean packing) {
        ChatTokenizer tokenizer = ChatTokenizer.load(base);
        ChatTemplate t = template.equals("chatml") ? ChatTemplate.chatml()
                : ChatTemplate.forModel(base).orElseThrow(() -> new IllegalArgumentException("template: " + base + " has no chat template of its own"));
        int context = Gpt2Checkpoint.readConfig(base.resolve("config.json")).contextLength();
        int length = cutoff > 0 ? Math.min(cutoff, context) : context;
        List<EncodedChat> encoded = new ArrayList<>();
        for (Conversation c : train) encoded.add(t.encode(c.messages(), tokenizer));
        int rows = SftDataset.of(encoded, length, packing).size();
        int perEpoch = (rows + batch - 1) / batch;
        JsonObject plan = new JsonObject();
        plan.addProperty("epochs", epochs);
        plan.addProperty("train_examples", rows);
        plan.addProperty("steps_per_epoch", perEpoch);
        plan.addProperty("total_steps", (long) perEpoch * epochs);
        plan.addProperty("tokens_per_sample", length);
        return plan;
    }

    private static Device device(JsonObject args) { return Device.parse(args.get("device").getAsString()); }

    private static void copyModelFiles(Path from, Path to) {
        try {
            for (String f : MODEL_FILES)
                if (Files.isRegularFile(from.resolve(f))) Files.copy(from.resolve(f), to.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("studio: cannot copy the model's config and tokenizer from " + from + ": " + e.getMessage(), e);
        }
    }
}
