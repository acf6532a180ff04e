package dev.ember.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stop sequences found across streamed pieces, and UTF-8 characters split across tokens. */
class StopStringsTest {
    /** Feeds {@code pieces} and returns what was released, with "|" after each push. */
    private static String feed(StopStrings s, String... pieces) {
        StringBuilder sb = new StringBuilder();
        for (String p : pieces) sb.append(s.push(p)).append('|');
        return sb.toString();
    }

    @Test
    void textThatMayStartAStopSequenceIsHeldUntilDecided() {
        StopStrings s = new StopStrings(List.of("END"));
        assertEquals("ab|EcN|", feed(s, "abE", "cN")); // "E" is held until "c" shows it is not "END"
        assertFalse(s.matched());
        StopStrings t = new StopStrings(List.of("END"));
        assertEquals("ab||", feed(t, "abE", "N"));     // "EN" could still become "END"
        assertEquals("", t.push("D"));                 // it did: nothing of it is released
        assertTrue(t.matched());
        assertEquals("", t.push("more"));              // nothing after a match
    }

    @Test
    void theEarliestOfSeveralStopsWinsAndTextBeforeItIsReleased() {
        StopStrings s = new StopStrings(List.of("xyz", "\n\n"));
        assertEquals("hello", s.push("hello\n\nworld xyz"));
        assertTrue(s.matched());
    }

    @Test
    void withoutAMatchFlushReleasesTheHeldText() {
        StopStrings s = new StopStrings(List.of("stop!"));
        assertEquals("go |", feed(s, "go sto"));
        assertFalse(s.matched());
        assertEquals("sto", s.flush());
        StopStrings none = new StopStrings(List.of());
        assertEquals("a|b|", feed(none, "a", "b"));
        assertEquals("", none.flush());
    }

    @Test
    void utf8CharactersSplitAcrossTokensComeOutWhole() {
        byte[] bytes = "é中😀".getBytes(StandardCharsets.UTF_8); // 2 + 3 + 4 bytes
        Utf8Stream u = new Utf8Stream();
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            String piece = u.push(new byte[]{b});
            assertFalse(!piece.isEmpty() && Character.isHighSurrogate(piece.charAt(piece.length() - 1)), "half a surrogate pair: " + piece);
            out.append(piece);
        }
        out.append(u.finish());
        assertEquals("é中😀", out.toString());
        Utf8Stream cut = new Utf8Stream();
        byte[] half = Arrays.copyOf("中".getBytes(StandardCharsets.UTF_8), 2);
        assertEquals("", cut.push(half));
        assertEquals(new String(half, StandardCharsets.UTF_8), cut.finish(), "an unfinished character at the end reads as a whole decode reads it");
    }
}
