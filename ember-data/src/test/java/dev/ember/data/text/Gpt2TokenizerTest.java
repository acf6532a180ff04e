package dev.ember.data.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.data.io.DataFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPT-2's byte-level BPE files ({@code vocab.json} + {@code merges.txt}) against benchmarks/reference/make_gpt2_refs.py:
 * a multilingual text (English, Chinese, emoji) encodes to the ids of the script's reference encoder (OpenAI's
 * algorithm: regex pre-split, bytes_to_unicode, merges by rank); saving writes files that load back to the same ids;
 * broken files and unknown ids are errors naming the file.
 */
class Gpt2TokenizerTest {
    @TempDir
    Path tmp;

    static Path refs() throws Exception { return Path.of(Gpt2TokenizerTest.class.getResource("/gpt2_tiny").toURI()); }

    static JsonObject reference() throws Exception {
        return JsonParser.parseString(Files.readString(refs().resolve("reference.json"), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
        return out;
    }

    @Test
    void encodesLikeTheReferenceEncoder() throws Exception {
        JsonObject ref = reference();
        Gpt2Tokenizer tok = Gpt2Tokenizer.load(refs());
        String text = ref.get("text").getAsString();
        int[] ids = tok.encode(text);
        assertArrayEquals(ints(ref.getAsJsonArray("ids")), ids);
        assertEquals(text, tok.decode(ids));
        assertEquals(475, tok.vocabSize());
        assertEquals("<|endoftext|>", tok.decode(new int[]{474}));
    }

    @Test
    void savesBackToTheSameFiles() throws Exception {
        Gpt2Tokenizer.load(refs()).save(tmp);
        TokenEncoder tok = TokenEncoder.load(tmp);
        JsonObject ref = reference();
        assertArrayEquals(ints(ref.getAsJsonArray("ids")), tok.encode(ref.get("text").getAsString()));
    }

    @Test
    void embersByteBpeSavesAsGpt2Files() {
        String corpus = "the cat sat on the mat. the cat ate. 猫が座った。 猫 😀😀 the end\n  the  end";
        ByteBpeTokenizer bpe = ByteBpeTokenizer.train(List.of(corpus, corpus), 300);
        Gpt2Tokenizer gpt2 = Gpt2Tokenizer.fromByteBpe(bpe);
        String text = "the mat sat. 猫が the cat 😀 ended  the\tend\n";
        assertArrayEquals(bpe.encode(text), gpt2.encode(text));
        gpt2.save(tmp);
        Gpt2Tokenizer loaded = Gpt2Tokenizer.load(tmp);
        assertArrayEquals(bpe.encode(text), loaded.encode(text));
        assertEquals(text, loaded.decode(loaded.encode(text)));
    }

    @Test
    void aBrokenMergeLineIsAnErrorNamingTheFileAndLine() throws Exception {
        for (String f : List.of("vocab.json", "merges.txt")) Files.copy(refs().resolve(f), tmp.resolve(f));
        List<String> lines = new ArrayList<>(Files.readAllLines(tmp.resolve("merges.txt")));
        lines.set(5, "Ġt he extra");
        Files.write(tmp.resolve("merges.txt"), lines);
        var e = assertThrows(DataFormatException.class, () -> Gpt2Tokenizer.load(tmp));
        assertTrue(e.getMessage().contains("merges.txt: line 6") && e.getMessage().contains("Ġt he extra"), e.getMessage());
    }

    @Test
    void vocabularyIdsMustBeTheIntegersBelowItsSize() throws Exception {
        Files.copy(refs().resolve("merges.txt"), tmp.resolve("merges.txt"));
        String vocab = Files.readString(refs().resolve("vocab.json"), StandardCharsets.UTF_8);
        // an id far beyond the vocabulary (which would otherwise size the id table), a fraction, a repeated id
        for (String bad : List.of("\"<|endoftext|>\": 2000000000", "\"<|endoftext|>\": 473.5", "\"<|endoftext|>\": 0")) {
            Files.writeString(tmp.resolve("vocab.json"), vocab.replace("\"<|endoftext|>\": 474", bad), StandardCharsets.UTF_8);
            var e = assertThrows(DataFormatException.class, () -> Gpt2Tokenizer.load(tmp), bad);
            assertTrue(e.getMessage().contains("vocab.json") && e.getMessage().contains("<|endoftext|>"), e.getMessage());
        }
        Files.writeString(tmp.resolve("vocab.json"), "{\"a\": 0", StandardCharsets.UTF_8);
        var e = assertThrows(DataFormatException.class, () -> Gpt2Tokenizer.load(tmp));
        assertTrue(e.getMessage().contains("vocab.json") && e.getMessage().contains("JSON"), e.getMessage());
    }

    @Test
    void anUnknownIdIsAnErrorNamingTheVocabulary() throws Exception {
        var e = assertThrows(IllegalArgumentException.class, () -> Gpt2Tokenizer.load(refs()).decode(new int[]{475}));
        assertTrue(e.getMessage().contains("475") && e.getMessage().contains("vocab.json"), e.getMessage());
    }
}
