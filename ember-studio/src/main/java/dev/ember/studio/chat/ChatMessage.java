package dev.ember.studio.chat;

/**
 * One turn of a conversation.
 *
 * @param role    {@code system}, {@code user} or {@code assistant}
 * @param content the text
 */
public record ChatMessage(String role, String content) {
    /** Checks the role and that the content is present. */
    public ChatMessage {
        if (!java.util.Set.of("system", "user", "assistant").contains(role))
            throw new IllegalArgumentException("chat: role must be system, user or assistant, got '" + role + "'");
        if (content == null) throw new IllegalArgumentException("chat: a message needs content");
    }
}
