package dev.ember.llm.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.text.TokenEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tokens to streamed text, the one place the chat generator and the server share: stop strings split across tokens,
 * partial matches that turn out not to be stops, several stop strings, characters split across byte-level tokens, and
 * what is still held back when generation ends. Each case is checked against the whole text cut at its first stop.
 */
class GeneratedTextTest {
    /** A tokenizer whose token i is the i-th given byte string (as byte-level BPE tokens may split characters). */
    private record Pieces(List<byte[]> tokens) implements TokenEncoder {
        static Pieces of(byte[]... tokens) { return new Pieces(List.of(tokens)); }

        static Pieces of(String... tokens) {
            return new Pieces(Arrays.stream(tokens).map(t -> t.getBytes(StandardCharsets.UTF_8)).toList());
        }

        @Override public int[] encode(String text) { throw new UnsupportedOperationException(); }

        @Override public String decode(int[] ids) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int id : ids) b.writeBytes(tokens.get(id));
            return b.toString(StandardCharsets.UTF_8);
        }

        @Override public int vocabSize() { return tokens.size(); }

        @Override public byte[] tokenBytes(int id) { return tokens.get(id); }
    }

    /** What a stream of all of {@code tok}'s tokens sends, piece by piece (empty pieces dropped), then finish(). */
    private static List<String> stream(Pieces tok, List<String> stops) {
        GeneratedText text = new GeneratedText(tok, stops);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < tok.vocabSize() && !text.stopped(); i++) {
            String p = text.push(i);
            if (!p.isEmpty()) sent.add(p);
        }
        String rest = text.finish();
        if (!rest.isEmpty()) sent.add(rest);
        assertEquals(String.join("", sent), text.text());
        // independent reference: decode everything, cut at the earliest stop string
        String whole = tok.decode(java.util.stream.IntStream.range(0, tok.vocabSize()).toArray());
        int cut = whole.length();
        for (String s : stops) if (whole.contains(s)) cut = Math.min(cut, whole.indexOf(s));
        assertEquals(whole.substring(0, cut), text.text());
        return sent;
    }

    @Test
    void aStopStringSplitAcrossTokensIsNeverSent() {
        List<String> sent = stream(Pieces.of("Paris", "<|im", "_e", "nd|>", "more"), List.of("<|im_end|>"));
        assertEquals(List.of("Paris"), sent);
        GeneratedText t = new GeneratedText(Pieces.of("Paris", "<|im", "_e", "nd|>"), List.of("<|im_end|>"));
        assertEquals("Paris", t.push(0));
        assertEquals("", t.push(1)); // could begin the stop: held
        assertEquals("", t.push(2));
        assertFalse(t.stopped());
        assertEquals("", t.push(3));
        assertTrue(t.stopped());
        assertEquals(4, t.tokens());
    }

    @Test
    void aPartialMatchThatIsNotAStopIsReleasedWhenDecided() {
        GeneratedText t = new GeneratedText(Pieces.of("a <", "|i", "x", "y"), List.of("<|im_end|>"));
        assertEquals("a ", t.push(0));
        assertEquals("", t.push(1));     // "<|i" may still become the stop
        assertEquals("<|ix", t.push(2)); // not any more: all of it goes
        assertEquals("y", t.push(3));
        assertFalse(t.stopped());
        // the held text may hide a later start of the stop: "<<|" releases the first "<" only
        assertEquals(List.of("<", "<|im_end"), stream(Pieces.of("<", "<|", "im_end"), List.of("<|im_end|>")));
    }

    @Test
    void theEarliestOfSeveralStopStringsEndsTheText() {
        assertEquals(List.of("one "), stream(Pieces.of("one tw", "o\n\nthree STOP"), List.of("STOP", "\n\n", "two")));
        // one stop string is a prefix of another: the shorter, complete first, wins
        assertEquals(List.of("x"), stream(Pieces.of("xab", "c"), List.of("abc", "ab")));
        // the held text is the longest end that begins any of them
        GeneratedText t = new GeneratedText(Pieces.of("go EN", "d"), List.of("END", "ENOUGH"));
        assertEquals("go ", t.push(0));
        assertEquals("ENd", t.push(1));
    }

    @Test
    void atTheEndHeldBackTextIsReleased() {
        GeneratedText t = new GeneratedText(Pieces.of("yes <|im"), List.of("<|im_end|>"));
        assertEquals("yes ", t.push(0));
        assertEquals("<|im", t.finish()); // the token limit came first: what was held is text after all
        assertFalse(t.stopped());
        assertEquals("yes <|im", t.text());
        assertEquals("", t.finish());
        assertThrows(IllegalStateException.class, () -> t.push(0));
    }

    @Test
    void charactersSplitAcrossTokensComeOutWhole() {
        byte[] all = "é中😀".getBytes(StandardCharsets.UTF_8); // 2 + 3 + 4 bytes, one byte a token
        byte[][] bytes = new byte[all.length][];
        for (int i = 0; i < all.length; i++) bytes[i] = new byte[]{all[i]};
        List<String> sent = stream(Pieces.of(bytes), List.of());
        assertEquals(List.of("é", "中", "😀"), sent);
        // a stop string that begins with a split character
        byte[] a = "x中".getBytes(StandardCharsets.UTF_8);
        List<String> stopped = stream(Pieces.of(Arrays.copyOf(a, 2), Arrays.copyOfRange(a, 2, a.length), "!".getBytes(StandardCharsets.UTF_8)),
                List.of("中!"));
        assertEquals(List.of("x"), stopped);
        // an unfinished character at the end reads as a whole decode reads it (U+FFFD)
        GeneratedText cut = new GeneratedText(Pieces.of(Arrays.copyOf("中".getBytes(StandardCharsets.UTF_8), 2)), List.of());
        assertEquals("", cut.push(0));
        assertEquals("\uFFFD", cut.finish());
    }

    @Test
    void anEmptyStopStringIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new GeneratedText(Pieces.of("a"), List.of("x", "")));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }
}
