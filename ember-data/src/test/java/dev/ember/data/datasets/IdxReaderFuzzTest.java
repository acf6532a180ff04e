package dev.ember.data.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ember.data.io.DataFormatException;
import dev.ember.testing.FuzzTargets;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz target: {@link IdxReader#read(Path)} on arbitrary bytes, plain or gzip. Documented
 * failure: {@link DataFormatException}. An array that reads holds exactly the bytes its shape
 * declares. Allocation may follow gzip's expansion (at most 1,032:1) but not the header's claims.
 */
public class IdxReaderFuzzTest {
    private static final List<Class<? extends Exception>> DOCUMENTED = List.of(DataFormatException.class);

    @BeforeAll
    static void warmUp() throws Exception {
        for (byte[] seed : seeds().values()) check(seed);
    }

    @FuzzTest(maxDuration = "20s")
    void read(byte[] data) throws Exception {
        check(data);
    }

    private static void check(byte[] data) throws Exception {
        Path p = FuzzTargets.file("input-idx-ubyte", data);
        IdxReader.IdxArray a = FuzzTargets.read(() -> IdxReader.read(p), (16 << 20) + 4096L * data.length, DOCUMENTED);
        if (a == null) return;
        long n = 1;
        for (int s : a.shape()) n *= s;
        assertEquals(n, a.data().length, "data bytes for shape " + java.util.Arrays.toString(a.shape()));
    }

    /** The committed seeds: images and labels, plain and gzip, and the smallest arrays. */
    public static Map<String, byte[]> seeds() throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        byte[] images = idx(new int[]{2, 3, 3}), labels = idx(new int[]{4}), empty = idx(new int[]{0, 28, 28});
        out.put("images-idx3-ubyte", images);
        out.put("labels-idx1-ubyte", labels);
        out.put("empty-idx3-ubyte", empty);
        out.put("rank4-idx4-ubyte", idx(new int[]{1, 2, 1, 2}));
        out.put("images-idx3-ubyte.gz", gzip(images));
        out.put("labels-idx1-ubyte.gz", gzip(labels));
        return out;
    }

    private static byte[] idx(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * shape.length + n).put(new byte[]{0, 0, 8, (byte) shape.length});
        for (int s : shape) b.putInt(s);
        for (int i = 0; i < n; i++) b.put((byte) (i * 37));
        return b.array();
    }

    private static byte[] gzip(byte[] b) throws Exception {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) { gz.write(b); }
        return out.toByteArray();
    }
}
