package dev.ember.data.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LemmatizerVocabularyTest {
    @TempDir Path dir;

    @Test
    void lemmatizesIrregularAndRegularFormsByPartOfSpeech() {
        Lemmatizer l = new Lemmatizer();
        String[][] verbs = {{"went", "go"}, {"was", "be"}, {"running", "run"}, {"hoped", "hope"}, {"hopping", "hop"}, {"making", "make"},
                {"studies", "study"}, {"studied", "study"}, {"watches", "watch"}, {"played", "play"}, {"added", "add"}, {"called", "call"},
                {"giving", "give"}, {"eating", "eat"}, {"visited", "visit"}, {"begins", "begin"}, {"written", "write"}, {"need", "need"}};
        String[][] nouns = {{"mice", "mouse"}, {"children", "child"}, {"cats", "cat"}, {"boxes", "box"}, {"cities", "city"}, {"glasses", "glass"},
                {"knives", "knife"}, {"sheep", "sheep"}, {"analyses", "analysis"}, {"bus", "bus"}, {"status", "status"}, {"Dogs", "dog"}};
        String[][] adjectives = {{"better", "good"}, {"best", "good"}, {"worse", "bad"}, {"bigger", "big"}, {"happiest", "happy"},
                {"nicer", "nice"}, {"taller", "tall"}, {"fastest", "fast"}};
        for (String[] c : verbs) assertEquals(c[1], l.lemmatize(c[0], PartOfSpeech.VERB), "verb " + c[0]);
        for (String[] c : nouns) assertEquals(c[1], l.lemmatize(c[0], PartOfSpeech.NOUN), "noun " + c[0]);
        for (String[] c : adjectives) assertEquals(c[1], l.lemmatize(c[0], PartOfSpeech.ADJECTIVE), "adjective " + c[0]);
        assertEquals("well", l.lemmatize("better", PartOfSpeech.ADVERB));
        assertEquals("better", l.lemmatize("better", PartOfSpeech.NOUN), "a noun 'better' (one who bets) is its own lemma");
    }

    @Test
    void aLexiconFixesWhatTheRulesCannotKnow() {
        Lemmatizer bare = new Lemmatizer();
        assertEquals("caus", bare.lemmatize("causing", PartOfSpeech.VERB));
        Lemmatizer withWords = Lemmatizer.withLexicon(Set.of("cause", "caus", "large"));
        assertEquals("caus", withWords.lemmatize("causing", PartOfSpeech.VERB), "both listed: the rules' guess stays");
        assertEquals("cause", Lemmatizer.withLexicon(Set.of("cause")).lemmatize("causing", PartOfSpeech.VERB));
        assertEquals("large", Lemmatizer.withLexicon(Set.of("large")).lemmatize("larger", PartOfSpeech.ADJECTIVE));
    }

    @Test
    void vocabularyOrdersByFrequencyHonoursMinFreqMaxSizeAndSpecials() throws Exception {
        var docs = List.of(List.of("the", "cat", "sat", "on", "the", "mat"), List.of("the", "dog", "sat"), List.of("a", "cat"));
        Vocabulary v = Vocabulary.build(docs, 2, 0);
        assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "the", "cat", "sat"), v.tokens());
        assertEquals(1, v.id("dog"));
        assertArrayEquals(new int[]{2, 4, 5, 1, 3}, v.encode(List.of("the", "cat", "zebra"), true));
        assertEquals(List.of("the", "<unk>"), v.decode(new int[]{4, 1, 0, 0}, true));
        Vocabulary small = Vocabulary.build(docs, 1, 6);
        assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "the", "cat"), small.tokens());
        Path f = dir.resolve("vocab.json");
        v.save(f);
        Vocabulary loaded = Vocabulary.load(f);
        assertEquals(v.tokens(), loaded.tokens());
        assertEquals(v.id("sat"), loaded.id("sat"));
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.build(docs, 1, 3));
    }

    @Test
    void paddingTruncatesPadsAndMasks() {
        var seqs = List.of(new int[]{5, 6, 7}, new int[]{8}, new int[]{1, 2, 3, 4, 9});
        PaddedBatch right = Padding.pad(seqs, 0);
        assertArrayEquals(new long[]{3, 5}, right.ids().shape());
        assertArrayEquals(new long[]{5, 6, 7, 0, 0, 8, 0, 0, 0, 0, 1, 2, 3, 4, 9}, right.ids().toLongArray());
        assertArrayEquals(new long[]{1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1}, right.attentionMask().toLongArray());
        PaddedBatch left = Padding.pad(seqs, 4, 0, Padding.Side.LEFT, Padding.Side.LEFT);
        assertArrayEquals(new long[]{0, 5, 6, 7, 0, 0, 0, 8, 2, 3, 4, 9}, left.ids().toLongArray());
        assertArrayEquals(new long[]{0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1}, left.attentionMask().toLongArray());
        assertArrayEquals(new int[]{3, 1, 4}, left.lengths());
        PaddedBatch cut = Padding.pad(seqs, 2, 0, Padding.Side.RIGHT, Padding.Side.RIGHT);
        assertArrayEquals(new long[]{5, 6, 8, 0, 1, 2}, cut.ids().toLongArray());
    }
}
