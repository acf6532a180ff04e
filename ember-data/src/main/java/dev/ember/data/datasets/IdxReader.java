package dev.ember.data.datasets;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST family's format), plain or gzip-compressed: a big-endian magic
 * {@code 0x00 0x00 <type> <rank>}, one 32-bit size per dimension, then the data. Only unsigned
 * bytes (type 0x08) are supported, which is what image and label files use. A wrong magic or a
 * short file throws {@link IllegalArgumentException} naming the file, the byte offset and what was expected.
 */
public final class IdxReader {
    private IdxReader() {}

    /** An IDX array: its dimensions and its unsigned bytes in row-major order. */
    public record IdxArray(int[] shape, byte[] data) {
        /** Number of items (the first dimension). */
        public int count() { return shape[0]; }
    }

    /** Reads {@code path}; gzip is detected from its first two bytes. */
    public static IdxArray read(Path path) {
        try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(raw, 1 << 16) : raw;
            return read(in, path.toString());
        } catch (IOException ex) {
            throw new UncheckedIOException("IDX: cannot read " + path + ": " + ex.getMessage(), ex);
        }
    }

    /** Reads an uncompressed IDX stream; {@code name} is used in error messages. */
    public static IdxArray read(InputStream stream, String name) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        byte[] magic = readFully(in, 4, name, 0, "a 4-byte magic number 0x0000<type><rank>");
        if (magic[0] != 0 || magic[1] != 0)
            throw new IllegalArgumentException("IDX: " + name + " at offset 0: expected magic bytes 0x00 0x00, got 0x"
                    + hex(magic[0]) + " 0x" + hex(magic[1]) + " (not an IDX file, or still compressed)");
        if (magic[2] != 0x08)
            throw new IllegalArgumentException("IDX: " + name + " at offset 2: expected data type 0x08 (unsigned byte), got 0x" + hex(magic[2]));
        int rank = magic[3] & 0xff;
        if (rank < 1 || rank > 4) throw new IllegalArgumentException("IDX: " + name + " at offset 3: expected a rank of 1 to 4, got " + rank);
        int[] shape = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++) {
            byte[] b = readFully(in, 4, name, 4 + 4L * i, "the size of dimension " + i);
            shape[i] = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            if (shape[i] < 0) throw new IllegalArgumentException("IDX: " + name + " at offset " + (4 + 4 * i) + ": negative size " + shape[i]);
            total *= shape[i];
        }
        if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("IDX: " + name + ": " + total + " bytes of data is too large");
        byte[] data = readFully(in, (int) total, name, 4 + 4L * rank, total + " data bytes for shape " + java.util.Arrays.toString(shape));
        return new IdxArray(shape, data);
    }

    private static byte[] readFully(DataInputStream in, int n, String name, long offset, String what) throws IOException {
        byte[] b = new byte[n];
        int got = in.readNBytes(b, 0, n);
        if (got < n)
            throw new IllegalArgumentException("IDX: " + name + " is truncated at offset " + (offset + got) + ": expected " + what
                    + " from offset " + offset + ", but the file ended after " + got + " of " + n + " bytes");
        return b;
    }

    private static String hex(byte b) { return String.format("%02x", b & 0xff); }

}
