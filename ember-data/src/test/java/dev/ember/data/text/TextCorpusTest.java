package dev.ember.data.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.Batch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fortune-format corpus, its 90/10 split, the character vocabulary and the training windows. */
class TextCorpusTest {
    @TempDir
    Path tmp;

    @Test
    void recordsDropPercentLinesAndKeepNewlines() {
        assertEquals(List.of("one\n", "two\nlines\n", "\nthree after a blank\n", "last without %\n"),
                TextCorpus.records("one\n%\ntwo\nlines\n%\n%\n\nthree after a blank\n%\r\nlast without %\n\n"));
    }

    @Test
    void everyTenthRecordIsValidation() throws Exception {
        StringBuilder a = new StringBuilder();
        for (int i = 0; i < 25; i++) a.append("record ").append(i).append("\n%\n");
        Path f = tmp.resolve("a");
        Files.writeString(f, a);
        Files.writeString(tmp.resolve("b"), "record 25\n%\nrecord 26\n");
        TextCorpus c = TextCorpus.load(List.of(f, tmp.resolve("b")));
        assertEquals(27, c.records());
        assertEquals("record 9\nrecord 19\n", c.validation());
        assertTrue(c.train().startsWith("record 0\nrecord 1\n") && c.train().endsWith("record 25\nrecord 26\n"));
        assertTrue(c.source().contains("2 files"), c.source());
        var e = assertThrows(IllegalArgumentException.class, () -> TextCorpus.load(List.of(tmp.resolve("missing"))));
        assertTrue(e.getMessage().contains("--data") && e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void fortunesComeFromTheDebianPackagesOrTheEmbeddedSample() throws Exception {
        TextCorpus c = TextCorpus.fortunes();
        List<Path> files = TextCorpus.fortuneFiles(TextCorpus.FORTUNES);
        if (files.isEmpty()) {
            assertTrue(c.source().startsWith("embedded sample"), c.source());
        } else {
            assertTrue(c.source().contains(files.size() + " files in /usr/share/games/fortunes"), c.source());
            for (Path p : files) {
                String n = p.getFileName().toString();
                assertTrue(!n.endsWith(".dat") && !n.endsWith(".u8") && !Files.isSymbolicLink(p), n);
            }
            assertTrue(c.validation().length() * 8 < c.train().length() && c.validation().length() * 12 > c.train().length());
        }
        TextCorpus embedded = TextCorpus.embedded();
        assertTrue(embedded.records() > 400 && !embedded.train().contains("\n%\n"));
    }

    @Test
    void charEncoderRoundTripsAndNamesUnknownCharacters() throws Exception {
        CharEncoder enc = CharEncoder.fit("hello 😀", "wörld");
        assertEquals(10, enc.vocabSize());
        int[] ids = enc.encode("hölle 😀");
        assertEquals("hölle 😀", enc.decode(ids));
        assertArrayEquals("😀".getBytes(java.nio.charset.StandardCharsets.UTF_8), enc.tokenBytes(ids[6]));
        var e = assertThrows(IllegalArgumentException.class, () -> enc.encode("x"));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> enc.decode(new int[]{10}));
        assertTrue(e.getMessage().contains("10"), e.getMessage());
        enc.save(tmp.resolve("chars.json"));
        assertArrayEquals(ids, CharEncoder.load(tmp.resolve("chars.json")).encode("hölle 😀"));
    }

    @Test
    void windowsAreShiftedPairsThatChangeWithTheEpoch() {
        int[] ids = new int[100];
        for (int i = 0; i < 100; i++) ids[i] = i;
        TokenWindows w = TokenWindows.random(ids, 8, 5, 7);
        Batch b = w.getBatch(new int[]{0, 1, 2, 3, 4});
        long[] x = b.inputs().toLongArray(), y = b.targets().toLongArray();
        for (int i = 0; i < x.length; i++) assertEquals(x[i] + 1, y[i]);
        int[] epoch0 = new int[5], epoch1 = new int[5];
        for (int i = 0; i < 5; i++) epoch0[i] = w.start(i);
        w.setEpoch(1);
        for (int i = 0; i < 5; i++) epoch1[i] = w.start(i);
        assertNotEquals(java.util.Arrays.toString(epoch0), java.util.Arrays.toString(epoch1));
        TokenWindows again = TokenWindows.random(ids, 8, 5, 7);
        again.setEpoch(1);
        assertEquals(w.start(3), again.start(3), "another run (or a resumed one) draws the same windows in epoch 1");
        TokenWindows even = TokenWindows.evenlySpaced(ids, 8, 4);
        assertEquals(List.of(0, 30, 60, 90), List.of(even.start(0), even.start(1), even.start(2), even.start(3)));
    }
}
