package dev.ember.data.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.io.DataFormatException;
import dev.ember.testing.Allocation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Vocabulary and BPE merge files: every malformed file is a {@link DataFormatException} naming
 * the file and JSON path (not an NPE, a Gson exception or a silently coerced value), and a
 * small merge file cannot build tokens of gigabytes.
 */
class TokenizerFilesTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    // Each row was an NPE, a JsonSyntaxException, an IllegalStateException or an accepted file before.
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "null token        | {\"specials\":[\"<unk>\"],\"tokens\":[\"<unk>\",null]}  | a string in \"tokens\"",
        "number token      | {\"specials\":[\"<unk>\"],\"tokens\":[\"<unk>\",5]}     | found NUMBER",
        "tokens a string   | {\"specials\":[\"<unk>\"],\"tokens\":\"x\"}             | \"tokens\" to be an array",
        "not an object     | [1,2]                                                    | expected an object",
        "no tokens         | {\"specials\":[\"<unk>\"]}                              | found no \"tokens\"",
        "lenient syntax    | {specials:[\"<unk>\"],tokens:[\"<unk>\"]}               | not valid JSON",
        "two values        | {\"specials\":[\"<unk>\"],\"tokens\":[\"<unk>\"]} {}    | not valid JSON",
        "cut short         | {\"specials\":[\"<unk>\"],\"tokens\":[\"<unk>\"         | not valid JSON",
        "duplicate token   | {\"specials\":[\"<unk>\"],\"tokens\":[\"<unk>\",\"a\",\"a\"]} | appears twice",
        "no unk            | {\"specials\":[\"<pad>\"],\"tokens\":[\"<pad>\",\"a\"]}  | must include <unk>",
        "specials not first| {\"specials\":[\"<unk>\"],\"tokens\":[\"a\",\"<unk>\"]}  | must be the specials",
    })
    void malformedVocabularyFilesAreFormatErrors(String what, String json, String phrase) throws Exception {
        Path p = write(what.strip().replace(' ', '_') + ".json", json);
        var e = assertThrows(DataFormatException.class, () -> Vocabulary.load(p));
        assertEquals(p, e.file());
        assertTrue(e.getMessage().contains(phrase), "'" + phrase + "' in " + e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "merges a string | {\"type\":\"byte-bpe\",\"merges\":\"x\"}       | \"merges\" to be an array",
        "short pair      | {\"merges\":[[97]]}                              | found one id",
        "long pair       | {\"merges\":[[97,98,99]]}                        | found more ids",
        "null id         | {\"merges\":[[97,null]]}                         | found NULL",
        "fraction id     | {\"merges\":[[97,1.5]]}                          | found 1.5",
        "future id       | {\"merges\":[[97,256]]}                          | in [0, 255], found 256",
        "negative id     | {\"merges\":[[-1,97]]}                           | in [0, 255], found -1",
        "pair twice      | {\"merges\":[[97,98],[97,98]]}                   | repeats the pair",
        "wrong type      | {\"type\":\"wordpiece\",\"merges\":[]}           | \"byte-bpe\"",
        "no merges       | {\"type\":\"byte-bpe\"}                          | no \"merges\"",
    })
    void malformedMergeFilesAreFormatErrors(String what, String json, String phrase) throws Exception {
        Path p = write(what.strip().replace(' ', '_') + ".json", json);
        var e = assertThrows(DataFormatException.class, () -> ByteBpeTokenizer.load(p));
        assertEquals(p, e.file());
        assertTrue(e.getMessage().contains(phrase), "'" + phrase + "' in " + e.getMessage());
    }

    @Test
    void aSmallMergeFileCannotBuildHugeTokens() throws Exception {
        // each merge doubles the last token: 40 merges of a 300-byte file describe a 1 TB token,
        // which the old constructor began to materialise (2 GB by merge 31)
        StringBuilder sb = new StringBuilder("{\"merges\":[[97,97]");
        for (int i = 0; i < 40; i++) sb.append(",[").append(256 + i).append(',').append(256 + i).append(']');
        Path p = write("doubling.json", sb.append("]}").toString());
        long allocated = Allocation.bytesAllocatedBy(() -> {
            var e = assertThrows(DataFormatException.class, () -> ByteBpeTokenizer.load(p));
            assertTrue(e.getMessage().contains("merge 16 joins tokens of 65536 and 65536 bytes")
                    && e.getMessage().contains("limit of " + ByteBpeTokenizer.MAX_TOKEN_BYTES), e.getMessage());
        });
        assertTrue(allocated < 16 << 20, "allocated " + allocated + " bytes for a " + Files.size(p) + "-byte file");
    }

    @Test
    void longTokensAreExpandedOnDemandAndTrainingRespectsTheLimit() throws Exception {
        // a 100,000-byte piece seen twice: doubling merges would reach 98,304-byte tokens
        String dashes = "-".repeat(100_000);
        ByteBpeTokenizer bpe = ByteBpeTokenizer.train(List.of(dashes, dashes, "a long line"), 300);
        int longest = 0;
        for (int id = 1; id < bpe.vocabSize(); id++) if (bpe.bytes(id).length > bpe.bytes(longest).length) longest = id;
        assertEquals(ByteBpeTokenizer.MAX_TOKEN_BYTES, bpe.bytes(longest).length, "tokens grow to the limit and no further");
        String text = dashes + " a long line " + "-".repeat(70);
        int[] ids = bpe.encode(text);
        assertEquals(text, bpe.decode(ids));
        assertTrue(ids.length < 20, "long runs become few tokens: " + ids.length);
        Path f = dir.resolve("long.json");
        bpe.save(f);
        ByteBpeTokenizer loaded = ByteBpeTokenizer.load(f);
        assertArrayEquals(ids, loaded.encode(text));
        assertEquals(text, loaded.decode(ids));
        assertArrayEquals("-".repeat(65_536).getBytes(StandardCharsets.UTF_8), loaded.bytes(longest));
        assertThrows(IllegalArgumentException.class, () -> loaded.bytes(loaded.vocabSize()));
    }

    @Test
    void invalidUtf8IsAFormatErrorAndAMissingFileAnIoError() throws Exception {
        Path p = dir.resolve("bad.json");
        Files.write(p, new byte[]{'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'});
        assertThrows(DataFormatException.class, () -> Vocabulary.load(p));
        assertThrows(DataFormatException.class, () -> ByteBpeTokenizer.load(p));
        assertThrows(java.io.UncheckedIOException.class, () -> Vocabulary.load(dir.resolve("missing.json")));
    }
}
