package dev.ember.serve;

/**
 * What one generation produced.
 *
 * @param text             the new text (stop sequence excluded)
 * @param promptTokens     tokens of the prompt
 * @param completionTokens tokens generated (a stop sequence's tokens included, as OpenAI counts them)
 * @param finish           why it ended
 */
public record Completion(String text, int promptTokens, int completionTokens, Finish finish) {
    /** Why a generation ended. */
    public enum Finish {
        /** The model's end token or a stop sequence: OpenAI's {@code "stop"}. */
        STOP,
        /** {@code max_tokens} (or the context) was reached: OpenAI's {@code "length"}. */
        LENGTH,
        /** The client went away, or the server is stopping; nothing is answered. */
        CANCELLED;

        /** OpenAI's {@code finish_reason}. */
        public String openAi() { return this == LENGTH ? "length" : "stop"; }
    }
}
