package dev.ember.cli;

import dev.ember.Device;
import dev.ember.llm.chat.ChatGenerator;
import dev.ember.llm.chat.ChatMessage;
import dev.ember.llm.chat.ChatTemplate;
import dev.ember.llm.export.ModelFolder;
import dev.ember.nn.lm.GenerationConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./ember chat --model DIR [--adapter DIR]}: a conversation in the terminal. Each line read is a user turn; the
 * answer streams as it is generated; the history is kept (the oldest turns leave when the context is full);
 * {@code /reset} starts over, {@code /exit} or the end of input ends.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, version = "Ember " + dev.ember.Ember.VERSION, description = {"Chat with a model folder in the terminal (streaming; history; /reset starts over, /exit or end of input quits).",
        "Example: ./ember chat --model sft-full     ./ember chat --model base --adapter sft-lora"})
public final class ChatCommand implements Runnable {
    @Option(names = "--model", required = true, description = "Model folder (config.json, model.safetensors, tokenizer, tokenizer_config.json).")
    Path model;

    @Option(names = "--adapter", description = "A LoRA adapter folder (adapter_config.json, adapter_model.safetensors) on top of --model.")
    Path adapter;

    @Option(names = "--template", description = "model (the folder's chat_template) or chatml (default ${DEFAULT-VALUE}).", defaultValue = "model")
    String template;

    @Option(names = "--system", description = "A system prompt for the conversation.")
    String system;

    @Option(names = "--max-new-tokens", description = "Most tokens per answer (default ${DEFAULT-VALUE}).", defaultValue = "64")
    int maxNewTokens;

    @Option(names = "--temperature", description = "0 for greedy decoding, else the sampling temperature (default ${DEFAULT-VALUE}).",
            defaultValue = "0.7")
    double temperature;

    @Option(names = "--top-k", description = "Sample among the k most likely tokens; 0: all (default ${DEFAULT-VALUE}).", defaultValue = "40")
    int topK;

    @Option(names = "--top-p", description = "Nucleus sampling threshold; 1: off (default ${DEFAULT-VALUE}).", defaultValue = "0.95")
    double topP;

    @Option(names = "--repetition-penalty", description = "Penalty for repeated tokens; 1: off (default ${DEFAULT-VALUE}).", defaultValue = "1.1")
    double repetitionPenalty;

    @Option(names = "--seed", description = "Sampling seed (default ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed;

    @Option(names = "--device", description = "cpu, cuda, opencl or auto (default ${DEFAULT-VALUE}).", defaultValue = "cpu")
    String device;

    @Override
    public void run() {
        chat(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out, System.console() != null);
    }

    /** Runs the conversation on {@code in}, writing to {@code out}; {@code interactive} prints a prompt before each line. */
    void chat(BufferedReader in, PrintStream out, boolean interactive) {
        ModelFolder m = ModelFolder.load(model, adapter);
        ChatTemplate t = switch (template) {
            case "model" -> m.requireTemplate(adapter != null && m.template().isEmpty() ? adapter : model);
            case "chatml" -> ChatTemplate.chatml();
            default -> throw new IllegalArgumentException("--template must be model or chatml, got '" + template + "'");
        };
        m.model().to(Device.parse(device));
        ChatGenerator gen = new ChatGenerator(m.model(), m.tokenizer(), t);
        GenerationConfig base = GenerationConfig.builder().maxNewTokens(maxNewTokens).temperature(temperature).topK(topK).topP(topP)
                .repetitionPenalty(repetitionPenalty).seed(seed).build();
        int context = m.model().config().contextLength();
        if (maxNewTokens >= context) // said before the first question, not after 'assistant> '
            throw new IllegalArgumentException("--max-new-tokens (" + maxNewTokens + ") must be less than the model's context length " + context);
        out.printf("chat: %s%s, %s; /reset starts over, /exit quits%n", model, adapter != null ? " + adapter " + adapter : "", m.model());
        List<ChatMessage> history = new ArrayList<>();
        if (system != null) history.add(ChatMessage.system(system));
        int turn = 0;
        while (true) {
            if (interactive) {
                out.print("user> ");
                out.flush();
            }
            String line;
            try {
                line = in.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException("chat: reading the input: " + e.getMessage(), e);
            }
            if (line == null || line.strip().equals("/exit")) break;
            if (line.isBlank()) continue;
            if (line.strip().equals("/reset")) {
                history.removeIf(msg -> !msg.role().equals(ChatMessage.SYSTEM));
                out.println("(history cleared)");
                continue;
            }
            if (!interactive) out.println("user> " + line);
            history.add(ChatMessage.user(line));
            out.print("assistant> ");
            out.flush();
            GenerationConfig g = new GenerationConfig(base.maxNewTokens(), base.temperature(), base.topK(), base.topP(), base.repetitionPenalty(),
                    base.stopTokens(), base.seed() + turn++);
            ChatGenerator.Reply r = gen.reply(history, g, piece -> {
                out.print(piece);
                out.flush();
            });
            out.println(r.finishReason() == ChatGenerator.FinishReason.STOP ? "" : "  [" + r.finishReason().name().toLowerCase() + "]");
            history.add(ChatMessage.assistant(r.text()));
        }
    }
}
