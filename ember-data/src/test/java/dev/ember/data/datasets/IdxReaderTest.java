package dev.ember.data.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
