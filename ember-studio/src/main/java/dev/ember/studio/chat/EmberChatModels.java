package dev.ember.studio.chat;

import dev.ember.Device;
import dev.ember.serve.LocalModel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Ember's GPT for the chat tab: a model folder (config.json, model.safetensors, tokenizer, chat template) as
 * {@code ./ember train} and the chat fine-tuning write it, served by {@link LocalModel} (the same code as
 * {@code ./ember serve}). Found by the studio through {@link java.util.ServiceLoader}.
 */
public final class EmberChatModels implements ChatModelProvider {
    /** Needed by {@link java.util.ServiceLoader}. */
    public EmberChatModels() {}

    @Override
    public String name() { return "ember-gpt"; }

    /** A model folder, or its {@code config.json} or {@code model.safetensors}. */
    @Override
    public boolean accepts(Path weights) { return folder(weights) != null; }

    @Override
    public ChatModel load(Path weights, Path adapter) { return load(weights, adapter, null); }

    @Override
    public ChatModel load(Path weights, Path adapter, String chatTemplate) {
        Path dir = folder(weights);
        if (dir == null) throw new IllegalArgumentException("chat: " + weights.getFileName() + " is not a model folder (config.json, model.safetensors)");
        boolean chatml = chatTemplate != null && chatTemplate.equalsIgnoreCase("chatml");
        if (chatTemplate != null && !chatTemplate.isBlank() && !chatml)
            throw new IllegalArgumentException("chat: chat_template must be empty (the model's own) or chatml, got '" + chatTemplate + "'");
        return new EmberChatModel(LocalModel.load(dir, adapter, Device.cpu(), chatml ? LocalModel.chatTemplate("chatml") : null));
    }

    /** The model folder that {@code p} is or lies directly in, or null. */
    static Path folder(Path p) {
        Path dir = Files.isDirectory(p) ? p : p.getParent();
        if (dir == null) return null;
        return Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve("model.safetensors")) ? dir : null;
    }
}
