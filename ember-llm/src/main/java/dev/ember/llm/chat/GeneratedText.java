package dev.ember.llm.chat;

import dev.ember.data.text.TokenEncoder;
import java.util.List;
import java.util.Objects;

/**
 * The text of generated tokens as it may be streamed: the tokens' bytes decoded as far as they are whole characters
 * ({@link Utf8Stream}), and text that might begin a stop string held back until later tokens decide
 * ({@link StopStrings}), so that a stream never shows half a character or any part of a stop string. The one place
 * where the chat generator and the server turn tokens into streamed text.
 *
 * <pre>{@code
 * var text = new GeneratedText(tokenizer, List.of("<|im_end|>"));
 * // for each generated token:   send(text.push(token)); if (text.stopped()) end generation
 * // when generation ends:       send(text.finish())
 * }</pre>
 */
public final class GeneratedText {
    private final TokenEncoder tokenizer;
    private final Utf8Stream utf8 = new Utf8Stream();
    private final StopStrings stops;
    private final StringBuilder released = new StringBuilder();
    private int tokens;
    private boolean finished;

    /** Text of {@code tokenizer}'s tokens that ends at the first of {@code stops} (empty: none). */
    public GeneratedText(TokenEncoder tokenizer, List<String> stops) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "GeneratedText: tokenizer is null");
        for (String s : stops)
            if (s == null || s.isEmpty()) throw new IllegalArgumentException("GeneratedText: a stop string is empty: " + stops);
        this.stops = new StopStrings(stops);
    }

    /**
     * Adds a generated token; returns the text that may be sent now (possibly empty). Once a stop string has appeared
     * ({@link #stopped()}), that is the text before it, and later tokens add nothing.
     */
    public String push(int token) {
        if (finished) throw new IllegalStateException("GeneratedText: push after finish");
        tokens++;
        return release(stops.push(utf8.push(tokenizer.tokenBytes(token))));
    }

    /** Whether a stop string has appeared; generation should end. */
    public boolean stopped() { return stops.matched(); }

    /**
     * At the end of generation: the text still held back (an unfinished character as U+FFFD, as a whole decode reads
     * it; text that only began a stop string), or the text before a stop string that those last bytes complete.
     */
    public String finish() {
        if (finished) return "";
        finished = true;
        String rest = stops.push(utf8.finish());
        if (!stops.matched()) rest += stops.flush();
        return release(rest);
    }

    /** All the text released so far (the answer, once {@link #finish} has been called). */
    public String text() { return released.toString(); }

    /** How many tokens were pushed. */
    public int tokens() { return tokens; }

    private String release(String piece) {
        released.append(piece);
        return piece;
    }
}
