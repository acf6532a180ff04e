package dev.ember.data.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {
    @TempDir Path dir;

    private static List<String> corpus() throws Exception {
        try (var in = TokenizersTest.class.getResourceAsStream("/data/bpe_corpus.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    @Test
    void wordTokenizerHandlesCasePunctuationAndNumbers() {
        String text = "Don't panic: the well-known answer is 42, or 3.14 (roughly)!";
        assertEquals(List.of("don't", "panic", ":", "the", "well-known", "answer", "is", "42", ",", "or", "3.14", "(", "roughly", ")", "!"),
                new WordTokenizer().tokenize(text));
        assertEquals(List.of("Don't", "panic", "the", "well-known", "answer", "is", "<num>", "or", "<num>", "roughly"),
                new WordTokenizer(false, false, WordTokenizer.Numbers.REPLACE).tokenize(text));
        assertEquals(List.of("café", "naïve", "1,000"), new WordTokenizer().tokenize("Café naïve 1,000"));
    }

    @Test
    void charTokenizerKeepsSupplementaryCharactersWhole() {
        assertEquals(List.of("a", " ", "中", "😀"), new CharTokenizer().tokenize("a 中😀"));
    }

    @Test
    void cjkTokenizerSplitsHanCharactersAndKeepsLatinWords() {
        assertEquals(List.of("我", "爱", "java", "和", "pytorch", "2", "个", "月", "。"),
                new CjkTokenizer().tokenize("我爱Java和PyTorch 2个月。"));
        assertEquals(List.of("東", "京", "は", "tokyo", "で", "す"), new CjkTokenizer().tokenize("東京はTokyoです"));
        assertEquals(List.of("한국어", "text"), new CjkTokenizer().tokenize("한국어 text"));
    }

    @Test
    void byteBpeRoundTripsEnglishChineseAndUnseenTextLosslessly() throws Exception {
        List<String> corpus = corpus();
        ByteBpeTokenizer bpe = ByteBpeTokenizer.train(corpus, 400);
        assertEquals(400, bpe.vocabSize());
        String joined = String.join("\n", corpus);
        int[] ids = bpe.encode(joined);
        assertEquals(joined, bpe.decode(ids));
        int bytes = joined.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(ids.length < bytes * 0.6, "merges compress the training text: " + ids.length + " ids for " + bytes + " bytes");
        for (String unseen : List.of("Zebras quietly juxtapose 12345 quokkas!", "机器学习很有趣，对吧？", "mixed 中文 and English\ttabs\n\nnewlines",
                "emoji 😀👍🏽 and combining é (e + U+0301)", "", "   leading and trailing   "))
            assertEquals(unseen, bpe.decode(bpe.encode(unseen)), unseen);
        int[] chinese = bpe.encode("训练数据");
        assertTrue(chinese.length < "训练数据".getBytes(StandardCharsets.UTF_8).length, "Chinese pieces get merged too");
    }

    @Test
    void byteBpeSavesAndLoadsTheSameMerges() throws Exception {
        ByteBpeTokenizer bpe = ByteBpeTokenizer.train(corpus(), 300);
        Path f = dir.resolve("bpe.json");
        bpe.save(f);
        ByteBpeTokenizer loaded = ByteBpeTokenizer.load(f);
        String text = "The tokenizer 分词器 merges bytes.";
        assertArrayEquals(bpe.encode(text), loaded.encode(text));
        assertEquals(300, loaded.vocabSize());
        assertThrows(IllegalArgumentException.class, () -> ByteBpeTokenizer.train(corpus(), 100));
    }

    @Test
    void bpeFirstMergeIsTheMostFrequentPair() {
        // "ab" occurs 3 times as a piece; " ab" pieces contribute (' ', 'a') and ('a', 'b'): ('a','b') occurs 6 times in all
        ByteBpeTokenizer bpe = ByteBpeTokenizer.train(List.of("ab ab ab", "ab ab ab"), 257);
        assertArrayEquals("ab".getBytes(StandardCharsets.UTF_8), bpe.bytes(256));
    }
}
