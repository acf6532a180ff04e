package dev.ember.data.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The characters of a UTF-8 file, decoded strictly 64 KiB at a time, so a reader holds a
 * buffer rather than the whole text. Invalid UTF-8 is a {@link DataFormatException} naming
 * the byte offset and line of the first bad sequence, as {@link Utf8#decode} reports it.
 */
final class Utf8Source implements Closeable {
    private static final int BUFFER = 1 << 16;

    private final Path file;
    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER).flip();
    private final CharBuffer chars = CharBuffer.allocate(BUFFER).flip();
    private long bytesBefore;    // file offset of bytes.array()[0]
    private long newlinesBefore; // '\n' bytes before it (a '\n' byte is always a line feed in UTF-8)
    private boolean endOfInput, flushed;

    private Utf8Source(Path file, InputStream in) {
        this.file = file;
        this.in = in;
    }

    /** Opens {@code file}; failing that, a {@link DataFormatException} at position "open". */
    static Utf8Source open(Path file) {
        try {
            return new Utf8Source(file, Files.newInputStream(file));
        } catch (IOException e) {
            throw new DataFormatException(file, "open", "cannot read the file: " + e, e);
        }
    }

    /** The next character, or -1 at the end of the file. */
    int read() throws IOException {
        if (!chars.hasRemaining() && !fill()) return -1;
        return chars.get();
    }

    /** The next character without consuming it, or -1 at the end of the file. */
    int peek() throws IOException {
        if (!chars.hasRemaining() && !fill()) return -1;
        return chars.get(chars.position());
    }

    private boolean fill() throws IOException {
        chars.clear();
        while (chars.position() == 0 && !flushed) {
            CoderResult r = decoder.decode(bytes, chars, endOfInput);
            if (r.isError()) throw invalid(r);
            if (r.isOverflow()) break;
            if (endOfInput) {
                decoder.flush(chars);
                flushed = true;
                break;
            }
            refill();
        }
        chars.flip();
        return chars.hasRemaining();
    }

    /** Keeps the undecoded tail (a cut multi-byte sequence) and reads more bytes after it. */
    private void refill() throws IOException {
        byte[] a = bytes.array();
        for (int i = 0; i < bytes.position(); i++) if (a[i] == '\n') newlinesBefore++;
        bytesBefore += bytes.position();
        bytes.compact();
        int n = in.read(a, bytes.position(), bytes.remaining());
        if (n < 0) endOfInput = true;
        else bytes.position(bytes.position() + n);
        bytes.flip();
    }

    private DataFormatException invalid(CoderResult r) {
        long line = newlinesBefore + 1;
        for (int i = 0; i < bytes.position(); i++) if (bytes.array()[i] == '\n') line++;
        return new DataFormatException(file, "byte " + (bytesBefore + bytes.position()) + " (line " + line + ")",
                "expected UTF-8 text, found an invalid byte sequence of length " + r.length());
    }

    @Override
    public void close() throws IOException { in.close(); }
}
