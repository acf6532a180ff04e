package dev.ember.llm.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Stop sequences found across streamed pieces of text (tokens to text: {@link GeneratedTextTest}). */
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
}
