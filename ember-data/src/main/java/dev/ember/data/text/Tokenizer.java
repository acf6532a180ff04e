package dev.ember.data.text;

import java.util.List;

/** Splits text into string tokens. */
@FunctionalInterface
public interface Tokenizer {
    /** The tokens of {@code text}, in order. */
    List<String> tokenize(String text);
}
