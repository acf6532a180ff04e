package dev.ember.data.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.io.DataFormatException;
import dev.ember.testing.Allocation;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files, plain and gzip, and the errors for files that are not IDX or are cut short. */
class IdxReaderTest {
    @TempDir
    Path dir;

    /** A 2 x 3 x 2 unsigned-byte IDX file holding 0..11, built byte by byte. */
    private static byte[] idx() {
        byte[] b = new byte[4 + 3 * 4 + 12];
        b[2] = 0x08;
        b[3] = 3;
        b[7] = 2;
        b[11] = 3;
        b[15] = 2;
        for (int i = 0; i < 12; i++) b[16 + i] = (byte) (i == 11 ? 250 : i);
        return b;
    }

    @Test
    void readsPlainAndGzipFiles() throws Exception {
        Path plain = dir.resolve("a-idx3-ubyte");
        Files.write(plain, idx());
        var bytes = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(bytes)) { gz.write(idx()); }
        Path gzip = dir.resolve("a-idx3-ubyte.gz");
        Files.write(gzip, bytes.toByteArray());
        for (Path p : new Path[]{plain, gzip}) {
            var a = IdxReader.read(p);
            assertArrayEquals(new int[]{2, 3, 2}, a.shape());
            assertTrue((a.data()[11] & 0xff) == 250 && a.data()[5] == 5, "data bytes as written");
        }
    }

    @Test
    void wrongMagicNamesFileOffsetAndExpectation() throws Exception {
        byte[] b = idx();
        b[2] = 0x0D; // float data: not supported
        Path p = dir.resolve("floats-idx3-ubyte");
        Files.write(p, b);
        var e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("offset 2") && e.getMessage().contains("0x08"), e.getMessage());

        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello world");
        var e2 = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(text));
        assertTrue(e2.getMessage().contains("notes.txt") && e2.getMessage().contains("offset 0"), e2.getMessage());
    }

    @Test
    void truncatedFileSaysWhereItEnded() throws Exception {
        byte[] b = java.util.Arrays.copyOf(idx(), 20);
        Path p = dir.resolve("cut-idx3-ubyte");
        Files.write(p, b);
        var e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("cut-idx3-ubyte") && e.getMessage().contains("truncated at offset 20")
                && e.getMessage().contains("12 data bytes"), e.getMessage());
    }

    /** The 4-byte magic and sizes of an unsigned-byte IDX header, then {@code data} bytes. */
    private static byte[] header(int[] sizes, int dataBytes) {
        var b = java.nio.ByteBuffer.allocate(4 + 4 * sizes.length + dataBytes);
        b.put(new byte[]{0, 0, 0x08, (byte) sizes.length});
        for (int s : sizes) b.putInt(s);
        return b.array();
    }

    @Test
    void aShortFileDeclaringGigabytesFailsWithoutAllocatingThem() throws Exception {
        Path p = dir.resolve("liar-idx1-ubyte");
        Files.write(p, header(new int[]{(int) IdxReader.MAX_BYTES}, 0)); // 8 bytes that claim 2 GB of data
        long allocated = Allocation.bytesAllocatedBy(() -> {
            var e = assertThrows(DataFormatException.class, () -> IdxReader.read(p));
            assertTrue(e.getMessage().contains("truncated at offset 8") && e.getMessage().contains("ended after 0 of 2147483631"),
                    e.getMessage());
        });
        assertTrue(allocated < 16 << 20, "allocated " + allocated + " bytes for an 8-byte file");
        // the same through gzip, where the size is unknown until the stream ends
        var gz = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(gz)) { out.write(header(new int[]{1 << 29, 3}, 5000)); }
        Path g = dir.resolve("liar-idx2-ubyte.gz");
        Files.write(g, gz.toByteArray());
        long allocatedGz = Allocation.bytesAllocatedBy(() -> {
            var e = assertThrows(DataFormatException.class, () -> IdxReader.read(g));
            assertTrue(e.getMessage().contains("ended after 5000 of 1610612736"), e.getMessage());
        });
        assertTrue(allocatedGz < 16 << 20, "allocated " + allocatedGz + " bytes for 5 kB of gzip data");
        // a gzip file large enough that deflate could expand it to the size it declares (1.5 GB from 1.5 MB of
        // incompressible bytes), but which holds only those bytes: the first buffer is capped
        int random = 1_500_000;
        byte[] body = header(new int[]{1500, 1000, 1000}, random);
        byte[] noise = new byte[random];
        new java.util.Random(3).nextBytes(noise);
        System.arraycopy(noise, 0, body, 16, random);
        var big = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(big)) { out.write(body); }
        Path h = dir.resolve("liar-idx3-ubyte.gz");
        Files.write(h, big.toByteArray());
        assertTrue(Files.size(h) * IdxReader.MAX_DEFLATE_RATIO >= 1_500_000_000L, "the file could hold what it declares");
        long allocatedBig = Allocation.bytesAllocatedBy(() -> {
            var e = assertThrows(DataFormatException.class, () -> IdxReader.read(h));
            assertTrue(e.getMessage().contains("ended after " + random + " of 1500000000"), e.getMessage());
        });
        assertTrue(allocatedBig < IdxReader.TRUSTED_BUFFER + (16 << 20), "allocated " + allocatedBig + " bytes for a 1.5 MB file");
    }

    @Test
    void aFileLargeEnoughForItsDeclaredSizeIsReadIntoOneArray() throws Exception {
        int n = 10700 * 784; // 8.4 MB: doubling from 64 kB would allocate about twice this
        byte[] file = header(new int[]{10700, 28, 28}, n);
        for (int i = 0; i < n; i++) file[16 + i] = (byte) (i * 31 >>> 7);
        Path plain = dir.resolve("big-idx3-ubyte");
        Files.write(plain, file);
        var gz = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(gz)) { out.write(file); }
        Path gzip = dir.resolve("big-idx3-ubyte.gz");
        Files.write(gzip, gz.toByteArray());
        for (Path p : new Path[]{plain, gzip}) {
            IdxReader.IdxArray[] got = new IdxReader.IdxArray[1];
            long allocated = Allocation.bytesAllocatedBy(() -> got[0] = IdxReader.read(p));
            assertTrue(allocated < n + (n >> 3), p + ": allocated " + allocated + " bytes for " + n + " data bytes");
            assertArrayEquals(java.util.Arrays.copyOfRange(file, 16, 16 + n), got[0].data(), p.toString());
        }
        // cut short after a header that the file's size still allows: the same truncation error
        Path cut = dir.resolve("cut-big-idx3-ubyte");
        Files.write(cut, java.util.Arrays.copyOf(file, file.length - 1));
        var e = assertThrows(DataFormatException.class, () -> IdxReader.read(cut));
        assertTrue(e.getMessage().contains("ended after " + (n - 1) + " of " + n), e.getMessage());
    }

    @Test
    void sizesWhoseProductOverflowsAreRejected() throws Exception {
        // 65536^4 = 2^64 wraps to 0 in a long: the old reader returned an empty array of that shape
        Path p = dir.resolve("wrap-idx4-ubyte");
        Files.write(p, header(new int[]{65536, 65536, 65536, 65536}, 0));
        var e = assertThrows(DataFormatException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("wrap-idx4-ubyte") && e.getMessage().contains("offset 8")
                && e.getMessage().contains("more than 2147483631 data bytes"), e.getMessage());
        // a zero size does not hide the others
        Path z = dir.resolve("zero-idx3-ubyte");
        Files.write(z, header(new int[]{0, 65536, 65536}, 0));
        assertThrows(DataFormatException.class, () -> IdxReader.read(z));
        Path ok = dir.resolve("empty-idx3-ubyte");
        Files.write(ok, header(new int[]{0, 28, 28}, 0));
        assertArrayEquals(new int[]{0, 28, 28}, IdxReader.read(ok).shape());
    }

    @Test
    void corruptOrCutGzipDataIsAFormatErrorWithTheUncompressedOffset() throws Exception {
        var bytes = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(bytes)) { gz.write(header(new int[]{3000}, 3000)); }
        byte[] full = bytes.toByteArray();
        Path cut = dir.resolve("cut-idx1-ubyte.gz");
        Files.write(cut, java.util.Arrays.copyOf(full, full.length / 2));
        var e = assertThrows(DataFormatException.class, () -> IdxReader.read(cut));
        assertTrue(e.getMessage().contains("cut-idx1-ubyte.gz") && e.getMessage().contains("uncompressed data")
                && e.getMessage().contains("gzip"), e.getMessage());
        Path stub = dir.resolve("stub-idx1-ubyte.gz");
        Files.write(stub, new byte[]{0x1f, (byte) 0x8b, 8});
        var s = assertThrows(DataFormatException.class, () -> IdxReader.read(stub));
        assertEquals(stub, s.file());
    }
}
