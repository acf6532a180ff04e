package dev.ember.llm.chat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns the bytes of a stream of tokens into text. A byte-level token can hold part of a character: its bytes wait
 * here until the character is complete, so no piece of streamed text ever ends in half a character.
 */
final class Utf8Stream {
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteArrayOutputStream carry = new ByteArrayOutputStream();

    /** The text that {@code bytes} complete (possibly empty). */
    String push(byte[] bytes) {
        carry.writeBytes(bytes);
        ByteBuffer in = ByteBuffer.wrap(carry.toByteArray());
        CharBuffer chars = CharBuffer.allocate(in.remaining() + 1);
        utf8.decode(in, chars, false);
        carry.reset();
        carry.write(in.array(), in.position(), in.remaining()); // an incomplete character waits for the next token
        return chars.flip().toString();
    }

    /** What is left at the end: an incomplete character becomes U+FFFD, as a whole decode would make it. */
    String finish() {
        ByteBuffer in = ByteBuffer.wrap(carry.toByteArray());
        CharBuffer chars = CharBuffer.allocate(2 * in.remaining() + 2);
        utf8.decode(in, chars, true);
        utf8.flush(chars);
        carry.reset();
        utf8.reset();
        return chars.flip().toString();
    }
}
