package dev.ember.studio.insight;

import com.google.gson.JsonObject;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.data.text.TextCorpus;
import dev.ember.data.text.TokenEncoder;
import dev.ember.data.text.TokenWindows;
import dev.ember.io.SafeTensors;
import dev.ember.llm.chat.ChatGenerator;
import dev.ember.llm.chat.ChatTemplate;
import dev.ember.llm.data.Conversation;
import dev.ember.llm.data.TuningData;
import dev.ember.llm.eval.ChatEvaluation;
import dev.ember.llm.export.ModelFolder;
import dev.ember.metrics.Perplexity;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.Gpt2Checkpoint;
import dev.ember.studio.ApiError;
import dev.ember.studio.runs.Presets;
import dev.ember.studio.runs.RunFiles;
import dev.ember.studio.runs.RunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluation of the language-model runs: the perplexity of held-out data. A GPT run: its validation text (the same
 * corpus split as training), in evenly spaced windows, under the final model or a checkpoint. A chat fine-tuning run:
 * the assistant tokens of the held-out conversations (the same split as training), and greedy answers to them scored
 * by exact match and token F1 ({@link ChatEvaluation}).
 */
final class LanguageEvaluator {
    private LanguageEvaluator() {}

    /** Answers are cut at this many tokens. */
    static final int ANSWER_TOKENS = 48;

    static boolean isLanguage(JsonObject args) {
        String p = args.get("preset").getAsString();
        return p.equals("gpt") || p.equals("chat");
    }

    static Map<String, Object> evaluate(String id, JsonObject args, RunFiles f, String checkpoint, int limit) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("run", id);
        out.put("checkpoint", checkpoint);
        out.put("kind", "language");
        out.put("metrics", args.get("preset").getAsString().equals("gpt") ? gpt(args, f, checkpoint, limit) : chat(args, f, checkpoint, limit, out));
        return out;
    }

    /** Mean nats per token and perplexity over {@code limit} windows of the validation text. */
    private static Map<String, Object> gpt(JsonObject args, RunFiles f, String checkpoint, int limit) {
        if (!Files.isRegularFile(f.dir().resolve("config.json"))) throw ApiError.notFound("checkpoint: run has no model yet");
        GPT model = switch (checkpoint) {
            case "model" -> {
                if (!Files.exists(f.model())) throw ApiError.notFound("checkpoint: the run has not written its final model yet");
                yield Gpt2Checkpoint.load(f.dir());
            }
            case "best", "last" -> {
                Path file = f.checkpoints().resolve(checkpoint + ".safetensors");
                if (!Files.exists(file)) throw ApiError.notFound("checkpoint: the run has no " + checkpoint + " checkpoint yet");
                GPT m = new GPT(Gpt2Checkpoint.readConfig(f.dir().resolve("config.json")));
                Map<String, Tensor> state = new LinkedHashMap<>();
                SafeTensors.read(file).forEach((k, v) -> { if (k.startsWith("model.")) state.put(k.substring(6), v); }); // the Trainer's layout
                m.loadStateDict(state);
                yield m;
            }
            default -> throw ApiError.badRequest("checkpoint: 'model', 'best' or 'last', got '" + checkpoint + "'");
        };
        TokenEncoder tokenizer = TokenEncoder.load(f.dir());
        TextCorpus corpus = args.get("dataset").getAsString().equals(Presets.FORTUNES) ? TextCorpus.fortunes()
                : TextCorpus.load(List.of(Path.of(args.get("_data").getAsString())));
        int context = model.config().contextLength();
        TokenWindows windows = TokenWindows.evenlySpaced(tokenizer.encode(corpus.validation()), context, limit);
        Perplexity ppl = new Perplexity();
        model.eval();
        try (var ignored = Ember.noGrad()) {
            for (Batch b : DataLoader.builder(windows).batchSize(16).build()) ppl.update(model.forward(b.inputs()), b.targets());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("windows", windows.size());
        m.put("tokens", ppl.tokens());
        m.put("loss", ppl.meanNats());
        m.put("perplexity", ppl.compute());
        return m;
    }

    /** Perplexity of the held-out answers and the greedy answers' exact match and F1 (at most {@code limit} conversations). */
    private static Map<String, Object> chat(JsonObject args, RunFiles f, String checkpoint, int limit, Map<String, Object> out) {
        if (!checkpoint.equals("model"))
            throw ApiError.badRequest("checkpoint: a chat fine-tuning run is evaluated on its final model ('model'); its checkpoints are for Resume");
        Map<String, String> chat = RunStore.chatModel(args, f)
                .orElseThrow(() -> ApiError.notFound("checkpoint: the run has not written its model or adapter yet"));
        Path weights = Path.of(chat.get("weights")), adapter = chat.get("adapter").isEmpty() ? null : Path.of(chat.get("adapter"));
        ModelFolder m = ModelFolder.load(weights, adapter);
        ChatTemplate template = ChatTemplate.forModel(f.dir()).orElse(ChatTemplate.chatml()); // the template it was tuned with
        boolean riddles = args.get("dataset").getAsString().equals(Presets.RIDDLES);
        TuningData data = TuningData.load(riddles ? null : Path.of(args.get("_data").getAsString()), null, null, null, args.get("seed").getAsLong());
        List<Conversation> held = data.heldOut().subList(0, Math.min(limit, data.heldOut().size()));
        ChatEvaluation.Report r = ChatEvaluation.evaluate(new ChatGenerator(m.model(), m.tokenizer(), template), held, ANSWER_TOKENS);
        List<Map<String, Object>> samples = new ArrayList<>();
        for (ChatEvaluation.Sample s : r.samples()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("question", s.question());
            row.put("reference", s.reference());
            row.put("answer", s.answer());
            row.put("f1", s.f1());
            samples.add(row);
        }
        out.put("samples", samples);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("conversations", held.size());
        metrics.put("loss", Math.log(r.perplexity()));
        metrics.put("perplexity", r.perplexity());
        metrics.put("exact_match", r.exactMatch());
        metrics.put("f1", r.f1());
        return metrics;
    }
}
