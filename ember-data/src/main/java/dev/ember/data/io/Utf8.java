package dev.ember.data.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Strict UTF-8 decoding that reports where invalid bytes are. */
final class Utf8 {
    private Utf8() {}

    static String decode(Path file, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, (long) bytes.length + 1));
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            long line = 1;
            for (int i = 0; i < in.position(); i++) if (bytes[i] == '\n') line++;
            throw new DataFormatException(file, "byte " + in.position() + " (line " + line + ")",
                    "expected UTF-8 text, found an invalid byte sequence of length " + r.length());
        }
        decoder.flush(out);
        out.flip();
        return out.toString();
    }
}
