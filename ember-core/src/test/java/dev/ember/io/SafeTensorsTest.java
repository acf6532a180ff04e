package dev.ember.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.DType;
import dev.ember.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ember reads safetensors written by hand in Python, and Python reads what Ember writes. */
class SafeTensorsTest {
    @TempDir
    Path dir;

    private static Path pythonWritten() throws Exception {
        return Path.of(SafeTensorsTest.class.getResource("/torch_nn/python_written.safetensors").toURI());
    }

    @Test
    void readsAFileWrittenByPython() throws Exception {
        Map<String, Tensor> t = SafeTensors.read(pythonWritten());
        assertEquals(java.util.List.of("weight", "double", "ints", "longs", "mask", "scalar"), java.util.List.copyOf(t.keySet()));
        assertArrayEquals(new long[]{2, 3}, t.get("weight").shape());
        assertArrayEquals(new float[]{0.5f, -1.25f, 3.0f, 1e-3f, -7.5f, 2.0f}, t.get("weight").toFloatArray());
        assertEquals(DType.FLOAT64, t.get("double").dtype());
        assertArrayEquals(new double[]{Math.PI, -Math.E, 1e-300}, t.get("double").toDoubleArray());
        assertArrayEquals(new int[]{1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE}, t.get("ints").toIntArray());
        assertArrayEquals(new long[]{-(1L << 62), 5}, t.get("longs").toLongArray());
        assertArrayEquals(new boolean[]{true, false, true}, t.get("mask").toBooleanArray());
        assertEquals(0, t.get("scalar").dim());
        assertEquals(4.5, t.get("scalar").item());
        assertEquals("make_nn_refs.py", SafeTensors.metadata(pythonWritten()).get("writer"));
    }

    @Test
    void roundTripsEveryDtype() {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("f", Tensor.of(new float[]{1.5f, -2f, 3f, 4f}, 2, 2));
        in.put("d", Tensor.of(new double[]{1e-200, 2}));
        in.put("i", Tensor.of(new int[]{-1, 7}));
        in.put("l", Tensor.of(new long[]{Long.MIN_VALUE, Long.MAX_VALUE}));
        in.put("b", Tensor.of(new boolean[]{false, true}));
        in.put("s", Tensor.scalar(3, DType.INT64));
        Path p = dir.resolve("x.safetensors");
        SafeTensors.write(p, in);
        Map<String, Tensor> out = SafeTensors.read(p);
        for (var e : in.entrySet()) {
            Tensor got = out.get(e.getKey());
            assertEquals(e.getValue().dtype(), got.dtype(), e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            assertArrayEquals(e.getValue().toDoubleArray(), got.toDoubleArray(), e.getKey());
        }
    }

    @Test
    void pythonReadsWhatEmberWrites() throws Exception {
        Path script = Path.of("../benchmarks/reference/make_nn_refs.py");
        assumeTrue(Files.isRegularFile(script) && Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3 and the reference script");
        Path p = dir.resolve("ember.safetensors");
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("w", Tensor.of(new float[]{0.25f, -8f, 1e-7f}, 3, 1));
        in.put("n", Tensor.of(new long[]{42, -3}));
        SafeTensors.write(p, in, Map.of("who", "ember"));
        // The script imports torch only after this flag, so the check needs just the standard library.
        Process proc = new ProcessBuilder("/usr/bin/python3", script.toString(), "--read-safetensors", p.toString()).redirectErrorStream(true).start();
        String output = new String(proc.getInputStream().readAllBytes());
        assertEquals(0, proc.waitFor(), output);
        JsonObject got = JsonParser.parseString(output).getAsJsonObject();
        JsonObject w = got.getAsJsonObject("w");
        assertEquals("F32", w.get("dtype").getAsString());
        assertEquals("[3,1]", w.get("shape").toString());
        assertEquals(0.25, w.getAsJsonArray("data").get(0).getAsDouble());
        assertEquals(-8, w.getAsJsonArray("data").get(1).getAsDouble());
        assertEquals(1e-7f, w.getAsJsonArray("data").get(2).getAsFloat());
        assertEquals("I64", got.getAsJsonObject("n").get("dtype").getAsString());
        assertEquals("[42,-3]", got.getAsJsonObject("n").getAsJsonArray("data").toString());
    }

    @Test
    void corruptFilesFailWithTheFileNamed() throws Exception {
        Path shortFile = dir.resolve("short.safetensors");
        Files.write(shortFile, new byte[]{1, 2, 3});
        var e1 = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(shortFile));
        assertTrue(e1.getMessage().contains("short.safetensors"), e1.getMessage());

        byte[] good = Files.readAllBytes(pythonWritten());
        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length - 5));
        var e2 = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(truncated));
        assertTrue(e2.getMessage().contains("truncated.safetensors") && e2.getMessage().contains("data_offsets"), e2.getMessage());
    }
}
