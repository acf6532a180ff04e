package dev.ember.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.testing.FuzzTargets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz target: {@link SafeTensors#read} and {@link SafeTensors#metadata} on arbitrary bytes.
 * Documented failure: {@link SafeTensorsFormatException}. A file that reads must also survive a
 * write/read round trip unchanged. Seeds: {@code SafeTensorsFuzzTestInputs/read/} (see {@link #seeds}).
 */
public class SafeTensorsFuzzTest {
    private static final List<Class<? extends Exception>> DOCUMENTED = List.of(SafeTensorsFormatException.class);

    @BeforeAll
    static void warmUp() throws Exception {
        for (byte[] seed : seeds().values()) check(seed); // class loading and the tensor backend are not the input's doing
    }

    @DictionaryEntries({"\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F32\"", "\"F64\"", "\"I32\"", "\"I64\"", "\"BOOL\"", "\"F16\"", "[0,4]", "9223372036854775807"})
    @FuzzTest(maxDuration = "20s")
    void read(byte[] data) throws Exception {
        check(data);
    }

    private static void check(byte[] data) throws Exception {
        Path p = FuzzTargets.file("input.safetensors", data);
        long budget = (16 << 20) + 16L * data.length;
        Map<String, Tensor> tensors = FuzzTargets.read(() -> SafeTensors.read(p), budget, DOCUMENTED);
        Map<String, String> metadata = FuzzTargets.read(() -> SafeTensors.metadata(p), budget, DOCUMENTED);
        assertEquals(tensors == null, metadata == null, "read and metadata disagree on whether the header is valid");
        if (tensors == null) return;
        Path again = FuzzTargets.file("again.safetensors", new byte[0]);
        SafeTensors.write(again, tensors, metadata);
        Map<String, Tensor> back = SafeTensors.read(again);
        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(back.keySet()));
        assertEquals(metadata, SafeTensors.metadata(again));
        for (var e : tensors.entrySet()) {
            Tensor a = e.getValue(), b = back.get(e.getKey());
            assertEquals(a.dtype(), b.dtype());
            assertArrayEquals(a.shape(), b.shape());
            switch (a.dtype()) {
                case FLOAT32 -> assertArrayEquals(a.toFloatArray(), b.toFloatArray());
                case FLOAT64 -> assertArrayEquals(a.toDoubleArray(), b.toDoubleArray());
                case INT32 -> assertArrayEquals(a.toIntArray(), b.toIntArray());
                case INT64 -> assertArrayEquals(a.toLongArray(), b.toLongArray());
                case BOOL -> assertArrayEquals(a.toBooleanArray(), b.toBooleanArray());
            }
        }
    }

    /** The committed seeds: files Ember and Python wrote, and the format's edge cases. */
    public static Map<String, byte[]> seeds() throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        Path dir = Files.createTempDirectory("seeds");
        Map<String, Tensor> all = new LinkedHashMap<>();
        all.put("weight", Tensor.of(new float[]{0.5f, -1.25f, Float.NaN, 3e38f, -0f, 1e-45f}, 2, 3));
        all.put("double", Tensor.of(new double[]{Math.PI, Double.NEGATIVE_INFINITY}));
        all.put("ints", Tensor.of(new int[]{1, -2, Integer.MAX_VALUE}));
        all.put("longs", Tensor.of(new long[]{Long.MIN_VALUE, 5}));
        all.put("mask", Tensor.of(new boolean[]{true, false, true}));
        all.put("scalar", Tensor.scalar(4.5, DType.FLOAT64));
        all.put("empty", Tensor.zeros(0, 3));
        Path f = dir.resolve("all.safetensors");
        SafeTensors.write(f, all, Map.of("format", "pt", "note", "µ-unicode ✓"));
        out.put("all_dtypes.safetensors", Files.readAllBytes(f));
        SafeTensors.write(f, Map.of());
        out.put("empty.safetensors", Files.readAllBytes(f));
        SafeTensors.write(f, Map.of("x", Tensor.of(new float[]{1, 2}), "y", Tensor.of(new long[]{3})), Map.of());
        out.put("two.safetensors", Files.readAllBytes(f));
        out.put("python_written.safetensors",
                Files.readAllBytes(Path.of(SafeTensorsFuzzTest.class.getResource("/torch_nn/python_written.safetensors").toURI())));
        out.put("unknown_field.safetensors", handWritten("{\"a\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":[{}]}}", 4));
        out.put("f16.safetensors", handWritten("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4));
        return out;
    }

    private static byte[] handWritten(String header, int dataBytes) {
        byte[] json = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return java.nio.ByteBuffer.allocate(8 + json.length + dataBytes).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).array();
    }
}
