package dev.ember.serve;

import dev.ember.llm.chat.ChatMessage;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The language model behind the server: it turns text and conversations into token ids and continues them. The
 * server calls {@link #generate} from one thread at a time; {@link LocalModel} is Ember's GPT loaded from a folder.
 */
public interface ServedModel extends AutoCloseable {
    /** What is served, for logs and pages ({@code "GPT 2x32, context 64, 97 chars"}). */
    String description();

    /** The most tokens that prompt and completion may hold together. */
    int contextLength();

    /** The token ids of {@code text}; text the tokenizer cannot encode is an {@link IllegalArgumentException} naming it. */
    int[] encode(String text);

    /** Checks token ids given by a client (a prompt of ids): each must lie in the vocabulary. */
    void checkIds(int[] ids);

    /**
     * The prompt of a conversation (rendered with the model's chat template, ending in the assistant's header) and
     * the stop strings that end the assistant's turn. A model without a chat template, or messages the template
     * refuses, is an {@link IllegalArgumentException} that says so.
     */
    ChatPrompt chatPrompt(List<ChatMessage> messages);

    /**
     * Continues {@code prompt}, calling {@code onText} with each piece of new text as soon as it is known not to be
     * part of a stop sequence ({@code params.stop()} and {@code extraStops}); ends at the model's end token, a stop
     * sequence, {@code params.maxTokens()}, or when {@code cancelled} says so (then the finish is
     * {@link Completion.Finish#CANCELLED}). {@code prompt.length + params.maxTokens()} must fit the context.
     */
    Completion generate(int[] prompt, SamplingParams params, List<String> extraStops, Consumer<String> onText, BooleanSupplier cancelled);

    @Override
    default void close() {}

    /** A rendered conversation: its token ids and the strings that end the reply. */
    record ChatPrompt(int[] ids, List<String> stops) {}
}
