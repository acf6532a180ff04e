package dev.ember.llm.data;

/**
 * A question and its answer, one demo example of instruction tuning.
 *
 * @param question the Q: text (whitespace collapsed)
 * @param answer   the A: text (whitespace collapsed)
 */
public record Riddle(String question, String answer) {
    /** Checks neither text is blank. */
    public Riddle {
        if (question == null || question.isBlank()) throw new IllegalArgumentException("Riddle: the question is blank");
        if (answer == null || answer.isBlank()) throw new IllegalArgumentException("Riddle: the answer is blank");
    }

    /** The riddle as a conversation: {@code system} (null or empty: none), the question, the answer. */
    public Conversation conversation(String system) { return Conversation.of(system, question, answer); }
}
