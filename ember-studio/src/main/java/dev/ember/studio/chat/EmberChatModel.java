package dev.ember.studio.chat;

import dev.ember.llm.export.ModelFolder;
import dev.ember.serve.Completion;
import dev.ember.serve.LocalModel;
import dev.ember.serve.OpenAiError;
import dev.ember.serve.SamplingParams;
import dev.ember.serve.ServedModel.ChatPrompt;
import dev.ember.studio.ApiError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A loaded {@link LocalModel} behind the chat tab: the conversation is rendered with the model's chat template, the
 * reply streamed piece by piece and cut at the template's stop strings, and {@code max_new_tokens} clamped to what the
 * context has left.
 */
final class EmberChatModel implements ChatModel {
    private final LocalModel model;

    EmberChatModel(LocalModel model) { this.model = model; }

    @Override
    public String description() { return model.description(); }

    /** The folder it came from. */
    Path dir() { return model.dir(); }

    @Override
    public int generate(List<ChatMessage> messages, Sampling sampling, Consumer<String> onToken, BooleanSupplier cancelled) {
        List<dev.ember.llm.chat.ChatMessage> turns = new ArrayList<>();
        for (ChatMessage m : messages) turns.add(new dev.ember.llm.chat.ChatMessage(m.role(), m.content()));
        ChatPrompt prompt;
        try {
            prompt = model.chatPrompt(turns);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("chat: " + e.getMessage() + (model.chatTemplate() == null ? " (or load it with the ChatML template)" : ""));
        }
        int room = model.contextLength() - prompt.ids().length;
        if (room < 1)
            throw ApiError.badRequest("chat: the conversation is " + prompt.ids().length + " tokens, the whole context of " + model.contextLength()
                    + " tokens; start a new chat");
        SamplingParams params;
        try {
            params = new SamplingParams(Math.min(sampling.maxNewTokens(), room), sampling.temperature(), sampling.topP(), sampling.topK(), 1,
                    List.of(), sampling.seed());
        } catch (OpenAiError e) {
            throw ApiError.badRequest("chat: " + e.getMessage());
        }
        Completion c = model.generate(prompt.ids(), params, prompt.stops(), onToken, cancelled);
        return c.completionTokens();
    }

    /** A model loaded with a LoRA adapter can be exported with the adapter merged in. */
    @Override
    public boolean canExport() { return model.adapter() != null; }

    /** Writes the base with the adapter merged in as a model folder ({@link ModelFolder#exportMerged}). */
    @Override
    public void exportMerged(Path dir) {
        if (model.adapter() == null) throw ApiError.conflict("chat: export merges an adapter into its base; this model was loaded without one");
        ModelFolder.exportMerged(model.dir(), model.adapter(), dir);
    }
}
