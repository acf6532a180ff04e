package dev.ember.studio.chat;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A language model the chat tab talks to. The studio streams each token to the page as the model produces it.
 * Implementations come from a {@link ChatModelProvider}; Ember's GPT is {@link EmberChatModels}.
 */
public interface ChatModel extends AutoCloseable {
    /** What is loaded, for the page (e.g. {@code "gpt 4x128, adapter lora-r8"}). */
    String description();

    /**
     * Generates the assistant's reply to {@code messages}, calling {@code onToken} with each piece of text as it
     * is produced, until the reply ends, {@code sampling.maxNewTokens()} is reached or {@code cancelled} says so.
     *
     * @return the number of tokens generated
     */
    int generate(List<ChatMessage> messages, Sampling sampling, Consumer<String> onToken, BooleanSupplier cancelled);

    /**
     * Writes the model with its adapter merged in, as a model folder {@code dir} (config, safetensors weights, tokenizer,
     * chat template) that the chat tab and {@code ./ember serve} load back; only where {@link #canExport} says so.
     */
    void exportMerged(Path dir);

    /** Whether {@link #exportMerged} works for this model (the page shows its Export button only then). */
    default boolean canExport() { return false; }

    @Override
    default void close() {}
}
