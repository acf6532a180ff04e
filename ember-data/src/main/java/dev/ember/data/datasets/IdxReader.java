package dev.ember.data.datasets;

import dev.ember.data.io.DataFormatException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST family's format), plain or gzip-compressed: a big-endian magic
 * {@code 0x00 0x00 <type> <rank>}, one 32-bit size per dimension, then the data. Only unsigned
 * bytes (type 0x08) are supported, which is what image and label files use.
 *
 * <p>Errors: a wrong magic, a short file, corrupt gzip data or sizes whose product exceeds
 * {@link #MAX_BYTES} throw a {@link DataFormatException} (an {@link IllegalArgumentException})
 * naming the file, the byte offset (in the uncompressed data) and what was expected; a file that
 * cannot be read is an {@link UncheckedIOException}.
 *
 * <p>Memory follows the data that can arrive, not the sizes the header declares. When the file is
 * large enough to hold the declared bytes (its own size, or {@link #MAX_DEFLATE_RATIO} times it when
 * compressed), the buffer starts at the declared size, up to {@link #TRUSTED_BUFFER}; otherwise it
 * starts at 64 kB; either way it doubles as bytes arrive, never ahead of them. So a 12-byte file that
 * declares 2 GB of data fails at its end having allocated kilobytes, a 2 MB gzip file that declares
 * 2 GB at most 64 MB before the data runs out, and Fashion-MNIST's 47 MB of training images are one
 * allocation (doubling up to them left 62 MB of short-lived multi-megabyte buffers, which on G1 are
 * collections before the first training step).
 */
public final class IdxReader {
    /** The most data bytes one file may hold (one Java array). */
    public static final long MAX_BYTES = Integer.MAX_VALUE - 16;
    /** The first buffer; it doubles as data arrives, up to the declared size. */
    private static final int INITIAL_BUFFER = 1 << 16;
    /** The largest first buffer for a declared size the file can hold: a file that lies costs at most this. */
    static final int TRUSTED_BUFFER = 64 << 20;
    /** Deflate's largest expansion: a 258-byte match costs at least 2 bits (RFC 1951), about 1032:1. */
    static final long MAX_DEFLATE_RATIO = 1032;

    private IdxReader() {}

    /** An IDX array: its dimensions and its unsigned bytes in row-major order. */
    public record IdxArray(int[] shape, byte[] data) {
        /** Number of items (the first dimension). */
        public int count() { return shape[0]; }
    }

    /** Reads {@code path}; gzip is detected from its first two bytes. */
    public static IdxArray read(Path path) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            long fileBytes = Files.size(path);
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            if (b0 != 0x1f || b1 != 0x8b) return read(raw, path.toString(), fileBytes);
            GZIPInputStream gz;
            try {
                gz = new GZIPInputStream(raw, 1 << 16);
            } catch (ZipException | EOFException ex) {
                throw new DataFormatException(path, "byte 0", "expected a gzip header, found a damaged or cut one: " + ex.getMessage(), ex);
            }
            return read(gz, path.toString(), Math.min(fileBytes, MAX_BYTES) * MAX_DEFLATE_RATIO);
        } catch (IOException ex) {
            throw new UncheckedIOException("IDX: cannot read " + path + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Reads an IDX stream (uncompressed, or a {@link GZIPInputStream}); {@code name} is used in
     * error messages.
     *
     * @throws DataFormatException if the data is not a complete IDX array of unsigned bytes
     * @throws IOException if the stream fails for another reason
     */
    public static IdxArray read(InputStream in, String name) throws IOException {
        return read(in, name, 0);
    }

    /**
     * As {@link #read(InputStream, String)}, for a stream that can hold at most {@code streamBytes}
     * bytes: for a declared size within that bound the buffer starts at that size (at most
     * {@link #TRUSTED_BUFFER}).
     */
    static IdxArray read(InputStream in, String name, long streamBytes) throws IOException {
        byte[] magic = readFully(in, 4, name, 0, "a 4-byte magic number 0x0000<type><rank>");
        if (magic[0] != 0 || magic[1] != 0)
            throw error(name, 0, "expected magic bytes 0x00 0x00, got 0x" + hex(magic[0]) + " 0x" + hex(magic[1])
                    + " (not an IDX file, or still compressed)");
        if (magic[2] != 0x08) throw error(name, 2, "expected data type 0x08 (unsigned byte), got 0x" + hex(magic[2]));
        int rank = magic[3] & 0xff;
        if (rank < 1 || rank > 4) throw error(name, 3, "expected a rank of 1 to 4, got " + rank);
        int[] shape = new int[rank];
        long nonZeroProduct = 1; // a zero size does not excuse the others: the tensor's strides still multiply them
        for (int i = 0; i < rank; i++) {
            byte[] b = readFully(in, 4, name, 4 + 4L * i, "the size of dimension " + i);
            shape[i] = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            if (shape[i] < 0) throw error(name, 4 + 4L * i, "expected a size below 2^31, got " + Integer.toUnsignedString(shape[i]));
            if (shape[i] > 0) {
                nonZeroProduct *= shape[i]; // both factors are below 2^31: no overflow
                if (nonZeroProduct > MAX_BYTES)
                    throw error(name, 4 + 4L * i, "sizes " + Arrays.toString(Arrays.copyOf(shape, i + 1)) + " make more than "
                            + MAX_BYTES + " data bytes, more than one array holds");
            }
        }
        long total = 1;
        for (int s : shape) total *= s;
        byte[] data = readGrowing(in, (int) total, total <= streamBytes - 4 - 4L * rank, name, 4 + 4L * rank,
                total + " data bytes for shape " + Arrays.toString(shape));
        return new IdxArray(shape, data);
    }

    private static byte[] readFully(InputStream in, int n, String name, long offset, String what) throws IOException {
        byte[] b = new byte[n];
        int got = read(in, b, 0, n, name, offset);
        if (got < n) throw truncated(name, offset, got, n, what);
        return b;
    }

    /**
     * Reads {@code n} bytes into a buffer that doubles as they arrive, never ahead of them, starting at
     * {@code n} (at most {@link #TRUSTED_BUFFER}) when the stream can hold them ({@code fits}).
     */
    private static byte[] readGrowing(InputStream in, int n, boolean fits, String name, long offset, String what) throws IOException {
        byte[] b = new byte[Math.min(n, fits ? TRUSTED_BUFFER : INITIAL_BUFFER)];
        int got = 0;
        while (got < n) {
            if (got == b.length) b = Arrays.copyOf(b, (int) Math.min(n, 2L * b.length));
            int r = read(in, b, got, b.length - got, name, offset + got);
            if (r == 0) throw truncated(name, offset, got, n, what);
            got += r;
        }
        return b;
    }

    /** Like {@link InputStream#readNBytes}, with a corrupt or cut gzip stream reported as a format error. */
    private static int read(InputStream in, byte[] b, int off, int len, String name, long offset) throws IOException {
        try {
            return in.readNBytes(b, off, len);
        } catch (ZipException | EOFException ex) { // thrown by GZIPInputStream (EOFException: "Unexpected end of ZLIB input stream")
            throw new DataFormatException(name, "offset " + offset + " of the uncompressed data",
                    "the gzip data is corrupt or cut short: " + ex.getMessage(), ex);
        }
    }

    private static DataFormatException truncated(String name, long offset, int got, int n, String what) {
        return new DataFormatException(name, "offset " + (offset + got), "the file is truncated at offset " + (offset + got)
                + ": expected " + what + " from offset " + offset + ", but the file ended after " + got + " of " + n + " bytes", null);
    }

    private static DataFormatException error(String name, long offset, String problem) {
        return new DataFormatException(name, "offset " + offset, problem, null);
    }

    private static String hex(byte b) { return String.format("%02x", b & 0xff); }
}
