package dev.ember.data.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The Porter stemmer against Snowball's implementation of the original algorithm: word/stem pairs
 * made by benchmarks/reference/make_porter_refs.py with {@code stemwords -l porter} over every
 * lower-case word of /usr/share/dict/american-english.
 */
class PorterStemmerTest {
    @Test
    void matchesSnowballPorterOnEveryWordOfTheWamericanList() throws Exception {
        PorterStemmer stemmer = new PorterStemmer();
        List<String> mismatches = new ArrayList<>();
        int pairs = 0;
        try (var in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                getClass().getResourceAsStream("/data/porter_pairs.tsv.gz")), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                int tab = line.indexOf('\t');
                String word = line.substring(0, tab), expected = line.substring(tab + 1);
                String got = stemmer.stem(word);
                if (!got.equals(expected)) mismatches.add(word + " -> " + got + " (expected " + expected + ")");
                pairs++;
            }
        }
        assertTrue(pairs >= 20000, "reference list too short: " + pairs);
        assertEquals(List.of(), mismatches.subList(0, Math.min(30, mismatches.size())), mismatches.size() + " of " + pairs + " words differ");
    }

    @Test
    void examplesFromPortersPaper() {
        PorterStemmer s = new PorterStemmer();
        String[][] cases = {{"caresses", "caress"}, {"ponies", "poni"}, {"feed", "feed"}, {"agreed", "agre"}, {"plastered", "plaster"},
                {"motoring", "motor"}, {"sing", "sing"}, {"conflated", "conflat"}, {"hopping", "hop"}, {"filing", "file"},
                {"happy", "happi"}, {"relational", "relat"}, {"conditional", "condit"}, {"generalization", "gener"},
                {"electriciti", "electr"}, {"revival", "reviv"}, {"adjustment", "adjust"}, {"controll", "control"}, {"roll", "roll"}};
        for (String[] c : cases) assertEquals(c[1], s.stem(c[0]), c[0]);
    }
}
