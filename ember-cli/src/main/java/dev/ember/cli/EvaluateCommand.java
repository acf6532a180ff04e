package dev.ember.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ember.Device;
import dev.ember.llm.chat.ChatGenerator;
import dev.ember.llm.chat.ChatTemplate;
import dev.ember.llm.data.InstructionFormat;
import dev.ember.llm.data.TuningData;
import dev.ember.llm.eval.ChatEvaluation;
import dev.ember.llm.export.ModelFolder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./ember evaluate --model DIR [--adapter DIR]}: the perplexity of the held-out answers and the exact match and
 * F1 of greedy answers to the held-out questions (the riddles' 10 %, or an instruction file's), also on the training
 * questions to show what was learned by heart.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, version = "Ember " + dev.ember.Ember.VERSION, description = {"Evaluate a chat model on held-out data: answer perplexity, exact match and token F1 (SQuAD) of greedy answers.",
        "Example: ./ember evaluate --model sft-full     ./ember evaluate --model base --template chatml"})
public final class EvaluateCommand implements Runnable {
    @Option(names = "--model", required = true, description = "Model folder.")
    Path model;

    @Option(names = "--adapter", description = "A LoRA adapter folder on top of --model.")
    Path adapter;

    @Option(names = "--template", description = "model or chatml (a base model has no template of its own) (default ${DEFAULT-VALUE}).",
            defaultValue = "model")
    String template;

    @Option(names = "--data", description = "An alpaca or sharegpt file, split 90/10 as tune splits it; default: the riddles.")
    Path data;

    @Option(names = "--format", description = "alpaca or sharegpt (default: detected).")
    InstructionFormat format;

    @Option(names = "--riddles", description = "A fortune file of Q:/A: riddles (default: Debian's when installed, else the bundled set).")
    Path riddles;

    @Option(names = "--system", description = "System prompt (as tune was given).")
    String system;

    @Option(names = "--seed", description = "Seed of the 90/10 split, as tune was given (default ${DEFAULT-VALUE}).", defaultValue = "0")
    long seed;

    @Option(names = "--max-new-tokens", description = "Most tokens per answer (default ${DEFAULT-VALUE}).", defaultValue = "48")
    int maxNewTokens;

    @Option(names = "--train-samples", description = "Also answer this many training questions (default ${DEFAULT-VALUE}).", defaultValue = "20")
    int trainSamples;

    @Option(names = "--show", description = "Print this many held-out answers (default ${DEFAULT-VALUE}).", defaultValue = "5")
    int show;

    @Option(names = "--json", description = "Write the figures and every answer to this file.")
    Path json;

    @Option(names = "--device", description = "cpu, cuda, opencl or auto (default ${DEFAULT-VALUE}).", defaultValue = "cpu")
    String device;

    @Override
    public void run() { evaluate(System.out); }

    void evaluate(PrintStream out) {
        ModelFolder m = ModelFolder.load(model, adapter);
        ChatTemplate t = switch (template) {
            case "model" -> m.requireTemplate(model);
            case "chatml" -> ChatTemplate.chatml();
            default -> throw new IllegalArgumentException("--template must be model or chatml, got '" + template + "'");
        };
        m.model().to(Device.parse(device));
        TuningData d = TuningData.load(data, format, riddles, system, seed);
        out.println("data: " + d.describe());
        ChatGenerator gen = new ChatGenerator(m.model(), m.tokenizer(), t);
        ChatEvaluation.Report held = ChatEvaluation.evaluate(gen, d.heldOut(), maxNewTokens);
        ChatEvaluation.Report train = ChatEvaluation.evaluate(gen, d.train().subList(0, Math.min(trainSamples, d.train().size())), maxNewTokens);
        for (int i = 0; i < Math.min(show, held.size()); i++) {
            ChatEvaluation.Sample s = held.samples().get(i);
            out.printf("  Q: %s%n  reference: %s%n  answer:    %s%n", s.question(), s.reference(), s.answer());
        }
        out.printf("held-out (%d): perplexity %.2f, exact match %.3f, F1 %.3f; training (%d): perplexity %.2f, exact match %.3f, F1 %.3f%n",
                held.size(), held.perplexity(), held.exactMatch(), held.f1(), train.size(), train.perplexity(), train.exactMatch(), train.f1());
        if (json != null) write(json, held, train);
    }

    private void write(Path file, ChatEvaluation.Report held, ChatEvaluation.Report train) {
        JsonObject o = new JsonObject();
        o.addProperty("model", model.toString());
        if (adapter != null) o.addProperty("adapter", adapter.toString());
        o.add("held_out", report(held));
        o.add("train", report(train));
        try {
            Files.writeString(file, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().disableHtmlEscaping().create().toJson(o));
        } catch (IOException e) {
            throw new UncheckedIOException("--json: " + file + ": " + e.getMessage(), e);
        }
    }

    private static JsonObject report(ChatEvaluation.Report r) {
        JsonObject o = new JsonObject();
        o.addProperty("perplexity", r.perplexity());
        o.addProperty("exact_match", r.exactMatch());
        o.addProperty("f1", r.f1());
        JsonArray samples = new JsonArray();
        for (ChatEvaluation.Sample s : r.samples()) {
            JsonObject x = new JsonObject();
            x.addProperty("question", s.question());
            x.addProperty("reference", s.reference());
            x.addProperty("answer", s.answer());
            x.addProperty("exact_match", s.exactMatch());
            x.addProperty("f1", s.f1());
            samples.add(x);
        }
        o.add("samples", samples);
        return o;
    }
}
