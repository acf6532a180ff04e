package dev.ember.data.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A regular-expression word tokenizer. Tokens are words (letters, with inner apostrophes or
 * hyphens: "don't", "well-known"), numbers ("3", "3.14", "1,000") and single punctuation marks.
 * Options: lower-casing (default on), keeping punctuation (default on), and what to do with
 * numbers (keep, replace by {@code <num>}, or drop).
 */
public final class WordTokenizer implements Tokenizer {
    private static final Pattern TOKEN = Pattern.compile(
            "\\p{L}[\\p{L}\\p{M}]*(?:['’-][\\p{L}\\p{M}]+)*|\\p{N}+(?:[.,]\\p{N}+)*|[^\\s\\p{L}\\p{N}]");

    /** What happens to number tokens. */
    public enum Numbers {
        /** Kept as written. */
        KEEP,
        /** Each replaced by the token {@code <num>}. */
        REPLACE,
        /** Removed. */
        DROP
    }

    private final boolean lowerCase, keepPunctuation;
    private final Numbers numbers;

    /** Lower-cases, keeps punctuation and numbers. */
    public WordTokenizer() { this(true, true, Numbers.KEEP); }

    /** A tokenizer with the given options. */
    public WordTokenizer(boolean lowerCase, boolean keepPunctuation, Numbers numbers) {
        this.lowerCase = lowerCase;
        this.keepPunctuation = keepPunctuation;
        this.numbers = numbers;
    }

    @Override
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            String t = m.group();
            int first = t.codePointAt(0);
            if (Character.isDigit(first)) {
                if (numbers == Numbers.DROP) continue;
                out.add(numbers == Numbers.REPLACE ? "<num>" : t);
            } else if (Character.isLetter(first)) {
                out.add(lowerCase ? t.toLowerCase(Locale.ROOT) : t);
            } else if (keepPunctuation) {
                out.add(t);
            }
        }
        return out;
    }
}
