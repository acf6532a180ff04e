package dev.ember.llm.data;

import dev.ember.llm.chat.ChatMessage;
import java.util.List;

/**
 * One training example of a chat model: a conversation in which the assistant turns are what the model learns to
 * write. Both of LLaMA-Factory's instruction formats are read into this form ({@link InstructionData}).
 *
 * @param messages the turns, in order (copied; not empty)
 */
public record Conversation(List<ChatMessage> messages) {
    /** Copies the list and checks it is not empty. */
    public Conversation {
        messages = List.copyOf(messages);
        if (messages.isEmpty()) throw new IllegalArgumentException("Conversation: no messages");
    }

    /** A single exchange: an optional system prompt (null or empty: none), a user turn and the assistant's answer. */
    public static Conversation of(String system, String user, String assistant) {
        return system == null || system.isEmpty() ? new Conversation(List.of(ChatMessage.user(user), ChatMessage.assistant(assistant)))
                : new Conversation(List.of(ChatMessage.system(system), ChatMessage.user(user), ChatMessage.assistant(assistant)));
    }

    /** The messages before the last assistant turn: the prompt a model answers in evaluation. */
    public List<ChatMessage> prompt() {
        int last = messages.size() - 1;
        while (last >= 0 && !messages.get(last).isAssistant()) last--;
        return messages.subList(0, Math.max(0, last));
    }

    /** The content of the last assistant turn, or null. */
    public String answer() {
        for (int i = messages.size() - 1; i >= 0; i--) if (messages.get(i).isAssistant()) return messages.get(i).content();
        return null;
    }
}
