package dev.ember.serve;

import dev.ember.Device;
import dev.ember.data.text.Gpt2Tokenizer;
import dev.ember.data.text.TokenEncoder;
import dev.ember.llm.chat.ChatMessage;
import dev.ember.llm.chat.ChatTemplate;
import dev.ember.llm.chat.ChatTokenizer;
import dev.ember.llm.chat.GeneratedText;
import dev.ember.llm.export.ModelFolder;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.Generation;
import dev.ember.nn.lm.GenerationConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Ember's {@link GPT} served from a model folder: {@code config.json} and {@code model.safetensors} in GPT-2's
 * Hugging Face layout, the tokenizer ({@code vocab.json} + {@code merges.txt}, or {@code chars.json}, with the special
 * tokens of {@code added_tokens.json} / {@code tokenizer_config.json}, see {@link ChatTokenizer}) and, for chat, its
 * chat template ({@code chat_template.jinja} or {@code tokenizer_config.json}'s {@code chat_template}, see
 * {@link ChatTemplate#forModel}), as {@code ./ember train} and the chat fine-tuning write them. A generation ends at
 * GPT-2's {@code <|endoftext|>} when the vocabulary has it, and a chat reply also at the template's stop strings
 * (ChatML's {@code <|im_end|>}). One generation runs at a time.
 */
public final class LocalModel implements ServedModel {
    private static final String END_OF_TEXT = "<|endoftext|>";

    private final Path dir, adapter;
    private final GPT gpt;
    private final ChatTokenizer tokenizer;
    private final ChatTemplate template;
    private final int[] endTokens;

    private LocalModel(Path dir, Path adapter, GPT gpt, ChatTokenizer tokenizer, ChatTemplate template) {
        this.dir = dir;
        this.adapter = adapter;
        this.gpt = gpt;
        this.tokenizer = tokenizer;
        this.template = template;
        int eos = tokenizer.specialId(END_OF_TEXT);
        if (eos < 0 && tokenizer.base() instanceof Gpt2Tokenizer g) eos = g.id(END_OF_TEXT);
        this.endTokens = eos >= 0 ? new int[]{eos} : new int[0];
    }

    /** Loads the model folder {@code dir} onto {@code device} with the folder's own chat template (if any). */
    public static LocalModel load(Path dir, Path adapter, Device device) { return load(dir, adapter, device, null); }

    /**
     * Loads the model folder {@code dir} onto {@code device} (with {@link ModelFolder#load}). {@code adapter}, a LoRA
     * adapter folder in PEFT's layout (may be null), is merged into the weights; its folder's chat template, if any,
     * comes before the model's. {@code template} replaces both (null: the folders', if they have one).
     *
     * @throws IllegalArgumentException naming the folder or file when something is missing or does not fit
     */
    public static LocalModel load(Path dir, Path adapter, Device device, ChatTemplate template) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--model: " + dir + " is not a folder (config.json, model.safetensors, tokenizer)");
        ModelFolder folder = ModelFolder.load(dir, adapter);
        GPT gpt = folder.model();
        if (folder.adapter() != null) {
            // served, never trained: fold the adapter into the weights, so each token costs what the base costs
            folder.adapter().merge();
            folder.adapter().detach();
        }
        gpt.to(device);
        gpt.eval();
        return new LocalModel(dir, adapter, gpt, folder.tokenizer(), template != null ? template : folder.template().orElse(null));
    }

    /**
     * A chat template named on a command line: {@code chatml} (the built-in ChatML), a Hugging Face
     * {@code tokenizer_config.json}, or a Jinja file.
     */
    public static ChatTemplate chatTemplate(String spec) {
        if (spec.equalsIgnoreCase("chatml")) return ChatTemplate.chatml();
        Path file = Path.of(spec);
        if (!Files.isRegularFile(file))
            throw new IllegalArgumentException("--chat-template: '" + spec + "' is neither chatml nor a file (tokenizer_config.json or a .jinja template)");
        if (file.getFileName().toString().endsWith(".json"))
            return ChatTemplate.fromTokenizerConfig(file)
                    .orElseThrow(() -> new IllegalArgumentException("--chat-template: " + file + " has no chat_template"));
        try {
            return ChatTemplate.fromJinja(Files.readString(file, StandardCharsets.UTF_8), null, null, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("--chat-template: " + file + ": " + e.getMessage(), e);
        }
    }

    /** The folder the model came from. */
    public Path dir() { return dir; }

    /** The LoRA adapter folder merged into the weights, or null. */
    public Path adapter() { return adapter; }

    /** The network. */
    public GPT gpt() { return gpt; }

    /** The tokenizer. */
    public TokenEncoder tokenizer() { return tokenizer; }

    /** The chat template, or null when the model has none. */
    public ChatTemplate chatTemplate() { return template; }

    @Override
    public String description() {
        var c = gpt.config();
        return "GPT " + c.layers() + "x" + c.width() + " (context " + c.contextLength() + ", vocabulary " + c.vocabSize() + ", "
                + gpt.parameterCount() + " parameters" + (template == null ? ", no chat template" : "") + ") from " + dir.getFileName()
                + (adapter == null ? "" : " with adapter " + adapter.getFileName());
    }

    @Override
    public int contextLength() { return gpt.config().contextLength(); }

    @Override
    public int[] encode(String text) { return tokenizer.encode(text); }

    @Override
    public void checkIds(int[] ids) {
        int v = gpt.config().vocabSize();
        for (int i = 0; i < ids.length; i++)
            if (ids[i] < 0 || ids[i] >= v)
                throw new IllegalArgumentException("token " + i + " of the prompt is " + ids[i] + ", outside the vocabulary [0, " + v + ")");
    }

    @Override
    public ChatPrompt chatPrompt(List<ChatMessage> messages) {
        if (template == null)
            throw new IllegalArgumentException("the model in " + dir.getFileName() + " has no chat template (chat_template.jinja, or chat_template in "
                    + "tokenizer_config.json); serve it with --chat-template chatml|FILE, or use /v1/completions");
        return new ChatPrompt(template.encodePrompt(messages, tokenizer), template.stopStrings());
    }

    @Override
    public synchronized Completion generate(int[] prompt, SamplingParams p, List<String> extraStops, Consumer<String> onText,
                                            BooleanSupplier cancelled) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty; it needs at least one token");
        if (prompt.length + (long) p.maxTokens() > contextLength())
            throw new IllegalArgumentException("the prompt's " + prompt.length + " tokens and max_tokens " + p.maxTokens()
                    + " exceed the model's context length of " + contextLength());
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(p.maxTokens()).temperature(p.temperature()).topK(p.topK())
                .topP(p.topP()).repetitionPenalty(p.repetitionPenalty()).stopTokens(endTokens).seed(p.seed()).build();
        List<String> stops = new ArrayList<>(p.stop());
        stops.addAll(extraStops);
        GeneratedText text = new GeneratedText(tokenizer, stops);
        Completion.Finish finish;
        try {
            var result = Generation.generate(gpt, List.of(prompt), config, (seq, token) -> {
                if (cancelled.getAsBoolean()) throw new Halt(Completion.Finish.CANCELLED);
                send(text.push(token), onText);
                if (text.stopped()) throw new Halt(Completion.Finish.STOP);
            });
            finish = result.reasons().getFirst() == Generation.FinishReason.STOP_TOKEN ? Completion.Finish.STOP : Completion.Finish.LENGTH;
            send(text.finish(), onText);
            if (text.stopped()) finish = Completion.Finish.STOP;
        } catch (Halt h) {
            finish = h.finish;
        }
        return new Completion(text.text(), prompt.length, text.tokens(), finish);
    }

    private static void send(String piece, Consumer<String> onText) {
        if (!piece.isEmpty()) onText.accept(piece);
    }

    /** Ends a generation from inside its token listener (a stop sequence, a cancelled request). */
    private static final class Halt extends RuntimeException {
        final Completion.Finish finish;

        Halt(Completion.Finish finish) {
            super(null, null, false, false);
            this.finish = finish;
        }
    }
}
