package dev.ember.studio.chat;

import java.nio.file.Path;

/**
 * Loads {@link ChatModel}s; found with {@link java.util.ServiceLoader}, so the language-model module can plug in
 * without the studio depending on it.
 */
public interface ChatModelProvider {
    /** A short name ({@code "ember-gpt"}). */
    String name();

    /** Whether this provider reads {@code weights} (a checkpoint or safetensors file). */
    boolean accepts(Path weights);

    /** Loads {@code weights}, with {@code adapter} (LoRA weights, may be null) applied. */
    ChatModel load(Path weights, Path adapter);

    /**
     * Loads {@code weights} with {@code adapter} and the chat template {@code chatTemplate} ({@code "chatml"}; null or
     * empty: the model's own). Providers without templates ignore it.
     */
    default ChatModel load(Path weights, Path adapter, String chatTemplate) { return load(weights, adapter); }
}
