package dev.ember.data.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ember.data.io.DataFormatException;
import dev.ember.testing.FuzzTargets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz target: {@link Vocabulary#load} on arbitrary bytes. Documented failure:
 * {@link DataFormatException}. A vocabulary that loads maps every token to its own id.
 */
public class VocabularyFuzzTest {
    private static final List<Class<? extends Exception>> DOCUMENTED = List.of(DataFormatException.class);

    @BeforeAll
    static void warmUp() throws Exception {
        for (byte[] seed : seeds().values()) check(seed);
    }

    @DictionaryEntries({"\"specials\"", "\"tokens\"", "\"<unk>\"", "\"<pad>\"", "\\u0000", "null"})
    @FuzzTest(maxDuration = "20s")
    void load(byte[] data) throws Exception {
        check(data);
    }

    private static void check(byte[] data) throws Exception {
        Path p = FuzzTargets.file("vocab.json", data);
        Vocabulary v = FuzzTargets.read(() -> Vocabulary.load(p), (16 << 20) + 64L * data.length, DOCUMENTED);
        if (v == null) return;
        for (int i = 0; i < v.size(); i++) assertEquals(i, v.id(v.token(i)));
        assertEquals(v.id(Vocabulary.UNK), v.id("\u0000 surely not a token \u0000"));
    }

    /** The committed seeds: saved vocabularies with default and custom specials, and unicode tokens. */
    public static Map<String, byte[]> seeds() throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        Path f = Files.createTempFile("vocab", ".json");
        Vocabulary.build(List.of(List.of("the", "cat", "the", "分词", "😀")), 1, 0).save(f);
        out.put("default_specials.json", Files.readAllBytes(f));
        Vocabulary.build(List.of(List.of("a", "b")), 1, 0, List.of("<unk>", "[SEP]")).save(f);
        out.put("custom_specials.json", Files.readAllBytes(f));
        out.put("compact.json", "{\"specials\":[\"<unk>\"],\"tokens\":[\"<unk>\",\"x\\u00e9\\\"\"],\"extra\":{\"n\":[1,2]}}"
                .getBytes(StandardCharsets.UTF_8));
        return out;
    }
}
