package dev.ember.llm.chat;

import java.util.Objects;

/**
 * One turn of a conversation: a role ({@code "system"}, {@code "user"}, {@code "assistant"}, or any other role a
 * template knows, such as {@code "tool"}) and its text, as in Hugging Face's and OpenAI's message lists.
 *
 * @param role    who speaks; not blank
 * @param content what is said (may be empty)
 */
public record ChatMessage(String role, String content) {
    /** The system role: instructions that frame the conversation. */
    public static final String SYSTEM = "system";
    /** The user role. */
    public static final String USER = "user";
    /** The assistant role: the model's turns, the only ones supervised fine-tuning trains on. */
    public static final String ASSISTANT = "assistant";

    /** Checks that the role is not blank and the content not null. */
    public ChatMessage {
        Objects.requireNonNull(role, "ChatMessage: role is null");
        Objects.requireNonNull(content, "ChatMessage: content is null (use \"\" for an empty turn)");
        if (role.isBlank()) throw new IllegalArgumentException("ChatMessage: role is blank");
    }

    /** A system message. */
    public static ChatMessage system(String content) { return new ChatMessage(SYSTEM, content); }

    /** A user message. */
    public static ChatMessage user(String content) { return new ChatMessage(USER, content); }

    /** An assistant message. */
    public static ChatMessage assistant(String content) { return new ChatMessage(ASSISTANT, content); }

    /** Whether this is an assistant turn. */
    public boolean isAssistant() { return role.equals(ASSISTANT); }
}
