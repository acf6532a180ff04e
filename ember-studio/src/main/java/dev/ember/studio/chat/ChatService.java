package dev.ember.studio.chat;

import dev.ember.studio.ApiError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** The one chat model the studio holds at a time: loaded from a provider, used for streaming replies and export. */
public final class ChatService {
    private final List<ChatModelProvider> providers;
    private ChatModel model;

    /** The providers found on the class or module path. */
    public ChatService() {
        this(ServiceLoader.load(ChatModelProvider.class).stream().map(ServiceLoader.Provider::get).toList());
    }

    /** Explicit providers (tests). */
    public ChatService(List<ChatModelProvider> providers) { this.providers = List.copyOf(providers); }

    /** The providers' names. */
    public List<String> providers() {
        List<String> out = new ArrayList<>();
        for (ChatModelProvider p : providers) out.add(p.name());
        return out;
    }

    /** What is loaded, or null. */
    public synchronized String loaded() { return model == null ? null : model.description(); }

    /** Loads {@code weights} (and {@code adapter}) with the first provider that accepts it, replacing the model held. */
    public String load(Path weights, Path adapter) { return load(weights, adapter, null); }

    /**
     * Loads {@code weights} (and {@code adapter}, with chat template {@code chatTemplate}: null for the model's own)
     * with the first provider that accepts it, replacing the model held.
     */
    public synchronized String load(Path weights, Path adapter, String chatTemplate) {
        if (providers.isEmpty())
            throw new ApiError(501, "chat: this build has no language model provider");
        for (ChatModelProvider p : providers) {
            if (!p.accepts(weights)) continue;
            ChatModel m = p.load(weights, adapter, chatTemplate);
            if (model != null) model.close();
            model = m;
            return m.description();
        }
        throw ApiError.badRequest("chat: no provider reads " + weights.getFileName() + " (providers: " + providers() + ")");
    }

    /** Streams a reply from the loaded model. */
    public int generate(List<ChatMessage> messages, Sampling sampling, Consumer<String> onToken, BooleanSupplier cancelled) {
        ChatModel m;
        synchronized (this) {
            m = model;
        }
        if (m == null) throw ApiError.conflict("chat: load a model first");
        if (messages.isEmpty()) throw ApiError.badRequest("chat: no messages");
        return m.generate(messages, sampling, onToken, cancelled);
    }

    /** Whether the loaded model can export merged weights. */
    public synchronized boolean canExport() { return model != null && model.canExport(); }

    /** Writes the loaded model with its adapter merged in, as the model folder {@code dir}. */
    public synchronized void exportMerged(Path dir) {
        if (model == null) throw ApiError.conflict("chat: load a model first");
        model.exportMerged(dir);
    }
}
