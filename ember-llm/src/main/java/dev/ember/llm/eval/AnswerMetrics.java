package dev.ember.llm.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * SQuAD's answer metrics (the official v1.1 evaluation script): both texts are normalised (lower case, punctuation
 * removed, the articles a/an/the removed, whitespace collapsed); exact match is 1 when the normalised texts are
 * equal; F1 is the harmonic mean of precision and recall of their common tokens (counted with multiplicity), 0 when
 * either has no token in common with the other (an empty text included).
 */
public final class AnswerMetrics {
    private AnswerMetrics() {}

    /** SQuAD's {@code normalize_answer}. */
    public static String normalize(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        StringBuilder noPunct = new StringBuilder(lower.length());
        lower.codePoints().forEach(c -> {
            if (!isPunctuation(c)) noPunct.appendCodePoint(c);
        });
        String noArticles = noPunct.toString().replaceAll("\\b(a|an|the)\\b", " ");
        return String.join(" ", tokens(noArticles));
    }

    /** Python's {@code string.punctuation}: the ASCII punctuation characters, which SQuAD removes. */
    private static boolean isPunctuation(int c) { return c < 128 && "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".indexOf(c) >= 0; }

    /** Python's {@code str.split()}: runs of whitespace separate, ends ignored. */
    private static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        for (String t : s.strip().split("\\s+")) if (!t.isEmpty()) out.add(t);
        return out;
    }

    /** 1 when the normalised texts are equal, else 0. */
    public static double exactMatch(String prediction, String truth) { return normalize(prediction).equals(normalize(truth)) ? 1 : 0; }

    /** SQuAD's token F1 of the normalised texts. */
    public static double f1(String prediction, String truth) {
        List<String> p = tokens(normalize(prediction)), t = tokens(normalize(truth));
        Map<String, Integer> counts = new HashMap<>();
        for (String w : t) counts.merge(w, 1, Integer::sum);
        int common = 0;
        for (String w : p) {
            Integer n = counts.get(w);
            if (n != null && n > 0) {
                common++;
                counts.put(w, n - 1);
            }
        }
        if (common == 0) return 0;
        double precision = (double) common / p.size(), recall = (double) common / t.size();
        return 2 * precision * recall / (precision + recall);
    }
}
