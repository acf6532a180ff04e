package dev.ember.data.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Fuzz target: {@link ByteBpeTokenizer#load} on arbitrary bytes. Documented failure:
 * {@link DataFormatException}. A tokenizer that loads encodes and decodes text losslessly, and
 * its newest tokens stay within {@link ByteBpeTokenizer#MAX_TOKEN_BYTES}.
 */
public class ByteBpeTokenizerFuzzTest {
    private static final List<Class<? extends Exception>> DOCUMENTED = List.of(DataFormatException.class);
    private static final String TEXT = "The tokenizer 分词器 merges bytes: aaaa bbbb 😀 \t\n  ";

    @BeforeAll
    static void warmUp() throws Exception {
        for (byte[] seed : seeds().values()) check(seed);
    }

    @DictionaryEntries({"\"merges\"", "\"type\"", "\"byte-bpe\"", "[256,256]", "[97,98]"})
    @FuzzTest(maxDuration = "20s")
    void load(byte[] data) throws Exception {
        check(data);
    }

    private static void check(byte[] data) throws Exception {
        Path p = FuzzTargets.file("bpe.json", data);
        ByteBpeTokenizer t = FuzzTargets.read(() -> ByteBpeTokenizer.load(p), (16 << 20) + 256L * data.length, DOCUMENTED);
        if (t == null) return;
        assertEquals(TEXT, t.decode(t.encode(TEXT)));
        for (int id = Math.max(0, t.vocabSize() - 8); id < t.vocabSize(); id++)
            assertTrue(t.bytes(id).length <= ByteBpeTokenizer.MAX_TOKEN_BYTES, "token " + id);
    }

    /** The committed seeds: trained tokenizers, the empty one and hand-written chains. */
    public static Map<String, byte[]> seeds() throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        Path f = Files.createTempFile("bpe", ".json");
        ByteBpeTokenizer.train(List.of("aaaa bbbb aaaa bbbb the the the", "分词器 分词器"), 280).save(f);
        out.put("trained.json", Files.readAllBytes(f));
        ByteBpeTokenizer.train(List.of("x"), 256).save(f);
        out.put("no_merges.json", Files.readAllBytes(f));
        out.put("chain.json", "{\"type\":\"byte-bpe\",\"merges\":[[97,97],[256,256],[257,97],[32,258]]}".getBytes(StandardCharsets.UTF_8));
        return out;
    }
}
