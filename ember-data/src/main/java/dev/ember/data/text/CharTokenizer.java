package dev.ember.data.text;

import java.util.ArrayList;
import java.util.List;

/** One token per Unicode code point (so a character outside the BMP stays whole), whitespace included. */
public final class CharTokenizer implements Tokenizer {
    /** A character tokenizer. */
    public CharTokenizer() {}

    @Override
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>(text.length());
        text.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
        return out;
    }
}
