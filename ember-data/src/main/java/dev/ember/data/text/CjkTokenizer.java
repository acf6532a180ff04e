package dev.ember.data.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tokenizes mixed CJK and Latin text: each Han, Hiragana or Katakana character is its own
 * token (these scripts do not separate words with spaces); runs of other letters are words
 * (lower-cased if asked), runs of digits are numbers, other non-space characters (including CJK
 * punctuation such as "，" and "。") are single tokens. Hangul runs are words, as Korean uses spaces.
 */
public final class CjkTokenizer implements Tokenizer {
    private final boolean lowerCase;

    /** Lower-cases Latin words. */
    public CjkTokenizer() { this(true); }

    /** Lower-cases Latin words if {@code lowerCase}. */
    public CjkTokenizer(boolean lowerCase) { this.lowerCase = lowerCase; }

    /** Whether {@code cp} is written without spaces between words, so is one token by itself. */
    static boolean isCjkCharacter(int cp) {
        Character.UnicodeScript s = Character.UnicodeScript.of(cp);
        return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA || s == Character.UnicodeScript.KATAKANA;
    }

    @Override
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        int i = 0, n = text.length();
        while (i < n) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            if (Character.isWhitespace(cp)) { i += len; continue; }
            if (isCjkCharacter(cp)) {
                out.add(text.substring(i, i + len));
                i += len;
            } else if (Character.isLetter(cp)) {
                int j = i;
                while (j < n) {
                    int c = text.codePointAt(j);
                    if (!(Character.isLetter(c) || Character.getType(c) == Character.NON_SPACING_MARK) || isCjkCharacter(c)) break;
                    j += Character.charCount(c);
                }
                String w = text.substring(i, j);
                out.add(lowerCase ? w.toLowerCase(Locale.ROOT) : w);
                i = j;
            } else if (Character.isDigit(cp)) {
                int j = i;
                while (j < n && Character.isDigit(text.codePointAt(j))) j += Character.charCount(text.codePointAt(j));
                out.add(text.substring(i, j));
                i = j;
            } else {
                out.add(text.substring(i, i + len));
                i += len;
            }
        }
        return out;
    }
}
