package dev.ember.llm.chat;

import dev.ember.data.text.TokenEncoder;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.Generation;
import dev.ember.nn.lm.GenerationConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Answers conversations with a chat model: renders the messages with the template and its generation prompt,
 * generates, and stops at the template's stop strings, whether they are one special token (given to generation as
 * stop tokens) or text that the base vocabulary spells in several tokens (matched in the decoded text). The answer is
 * streamed as text pieces that never include any part of a stop string: text that might begin one is held back until
 * the next tokens decide, and a character split across byte-level tokens is passed on whole ({@link GeneratedText}).
 *
 * <p>A conversation longer than the context leaves its oldest turns out (system messages stay), so that the prompt
 * and {@code maxNewTokens} fit; one that cannot fit even so is an error.
 */
public final class ChatGenerator {
    private final GPT model;
    private final TokenEncoder tokenizer;
    private final ChatTemplate template;
    private final List<String> stops;
    private final int[] stopIds;

    /** A generator for {@code model} with its tokenizer and chat template. */
    public ChatGenerator(GPT model, TokenEncoder tokenizer, ChatTemplate template) {
        this.model = Objects.requireNonNull(model, "ChatGenerator: model is null");
        this.tokenizer = Objects.requireNonNull(tokenizer, "ChatGenerator: tokenizer is null");
        this.template = Objects.requireNonNull(template, "ChatGenerator: template is null");
        this.stops = template.stopStrings();
        this.stopIds = template.stopTokenIds(tokenizer);
        if (tokenizer.vocabSize() > model.config().vocabSize())
            throw new IllegalArgumentException("ChatGenerator: the tokenizer has " + tokenizer.vocabSize() + " ids but the model only "
                    + model.config().vocabSize());
    }

    /** Why an answer ended: a stop string, the token limit, or the model's context. */
    public enum FinishReason { STOP, LENGTH, CONTEXT }

    /** An answer: its text (no stop string), the prompt and answer token counts, why it ended. */
    public record Reply(String text, int promptTokens, int completionTokens, FinishReason finishReason) {}

    /** The template. */
    public ChatTemplate template() { return template; }

    /** The tokenizer. */
    public TokenEncoder tokenizer() { return tokenizer; }

    /** The model. */
    public GPT model() { return model; }

    /**
     * The assistant's answer to {@code messages}, streamed to {@code onText} (null: not streamed) as it is generated.
     * The config's own stop tokens apply besides the template's; an exception thrown by {@code onText} ends
     * generation and propagates (a client that went away).
     */
    public Reply reply(List<ChatMessage> messages, GenerationConfig config, Consumer<String> onText) {
        int[] prompt = fit(messages, config.maxNewTokens());
        Set<Integer> ids = new LinkedHashSet<>();
        for (int s : config.stopTokens()) ids.add(s);
        for (int s : stopIds) ids.add(s);
        GenerationConfig g = new GenerationConfig(config.maxNewTokens(), config.temperature(), config.topK(), config.topP(),
                config.repetitionPenalty(), ids.stream().mapToInt(Integer::intValue).toArray(), config.seed());
        GeneratedText text = new GeneratedText(tokenizer, stops);
        FinishReason why;
        try {
            Generation.Result r = Generation.generate(model, List.of(prompt), g, (seq, token) -> {
                emit(text.push(token), onText);
                if (text.stopped()) throw new StopString();
            });
            why = switch (r.reasons().getFirst()) {
                case STOP_TOKEN -> FinishReason.STOP;
                case MAX_TOKENS -> FinishReason.LENGTH;
                case CONTEXT -> FinishReason.CONTEXT;
            };
            emit(text.finish(), onText);
            if (text.stopped()) why = FinishReason.STOP; // the last bytes completed a stop string
        } catch (StopString s) {
            why = FinishReason.STOP;
        }
        return new Reply(text.text(), prompt.length, text.tokens(), why);
    }

    private static void emit(String piece, Consumer<String> onText) {
        if (!piece.isEmpty() && onText != null) onText.accept(piece);
    }

    /** The prompt ids of {@code messages}, leaving out the oldest non-system turns until {@code room} new tokens fit. */
    public int[] fit(List<ChatMessage> messages, int room) {
        int ctx = model.config().contextLength();
        if (room >= ctx) throw new IllegalArgumentException("chat: max new tokens (" + room + ") must be less than the context length " + ctx);
        List<ChatMessage> kept = new ArrayList<>(messages);
        while (true) {
            int[] prompt = template.encodePrompt(kept, tokenizer);
            if (prompt.length + room <= ctx) return prompt;
            int drop = -1;
            for (int i = 0; i < kept.size() - 1 && drop < 0; i++) if (!kept.get(i).role().equals(ChatMessage.SYSTEM)) drop = i;
            if (drop < 0)
                throw new IllegalArgumentException("chat: the prompt has " + prompt.length + " tokens; with " + room + " new tokens it exceeds the "
                        + "context length " + ctx + " even without earlier turns");
            kept.remove(drop);
        }
    }

    /** Ends generation at a stop string found in the text (generation has no other way to stop early). */
    private static final class StopString extends RuntimeException {
        StopString() { super(null, null, false, false); }
    }
}
