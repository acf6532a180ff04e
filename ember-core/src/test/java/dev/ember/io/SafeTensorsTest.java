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

    /**
     * Tensors of several write chunks (1 MiB each), a transposed (non-contiguous) one among them, and the same written and
     * read with every storage off the heap: the bytes on disk are the row-major little-endian elements, read back equal.
     */
    @Test
    void writesAndReadsTensorsChunkByChunk() throws Exception {
        Tensor wide = Tensor.arange(0.0, 420_000.0, 1.0).reshape(600, 700).transpose(0, 1); // 1.68 MB, strided
        Tensor longs = Tensor.arange(300_000).mul(3L); // 2.4 MB of INT64
        Path file = dir.resolve("chunks.safetensors");
        SafeTensors.write(file, Map.of("wide", wide));
        java.nio.ByteBuffer raw = java.nio.ByteBuffer.wrap(Files.readAllBytes(file)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long headerLen = raw.getLong(0);
        float[] expect = wide.toFloatArray();
        for (int i : new int[]{0, 1, 262_143, 262_144, 419_999}) // around the first chunk edge and the end
            assertEquals(expect[i], raw.getFloat((int) (8 + headerLen + 4L * i)), "element " + i + " on disk");
        dev.ember.backend.cpu.OffHeap.run(16, 6, () -> {
            Path off = dir.resolve("offheap.safetensors");
            SafeTensors.write(off, Map.of("wide", Tensor.zeros(700, 600).copyFrom(wide), "longs", Tensor.zeros(DType.INT64, 300_000).copyFrom(longs)));
            Map<String, Tensor> back = SafeTensors.read(off);
            assertArrayEquals(expect, back.get("wide").toFloatArray());
            assertArrayEquals(longs.toLongArray(), back.get("longs").toLongArray());
        });
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
    void tensorsLargerThanOneReadChunkRoundTrip() {
        // The reader copies 1 MiB chunks into place: sizes that end mid-chunk, on a chunk edge and across several.
        var r = new java.util.SplittableRandom(5);
        Map<String, Tensor> in = new LinkedHashMap<>();
        float[] f = new float[((1 << 18) + 7) * 3];
        for (int i = 0; i < f.length; i++) f[i] = (float) r.nextGaussian();
        in.put("f", Tensor.of(f, 3, f.length / 3));
        double[] d = new double[1 << 17];
        for (int i = 0; i < d.length; i++) d[i] = r.nextDouble();
        in.put("d", Tensor.of(d));
        long[] l = new long[(1 << 17) + 1];
        for (int i = 0; i < l.length; i++) l[i] = r.nextLong();
        in.put("l", Tensor.of(l));
        boolean[] b = new boolean[(1 << 20) * 2 + 3];
        for (int i = 0; i < b.length; i++) b[i] = r.nextBoolean();
        in.put("b", Tensor.of(b));
        short[] h = new short[(1 << 19) + 5];
        for (int i = 0; i < h.length; i++) h[i] = (short) (r.nextInt(0x7f00) | (r.nextBoolean() ? 0x8000 : 0));
        in.put("h", Tensor.ofBits(h, DType.BFLOAT16, h.length));
        in.put("empty", Tensor.zeros(DType.FLOAT32, 0, 5));
        in.put("scalar", Tensor.scalar(2.5, DType.FLOAT32));
        Path p = dir.resolve("big.safetensors");
        SafeTensors.write(p, in);
        Map<String, Tensor> out = SafeTensors.read(p);
        assertEquals(in.keySet(), out.keySet());
        for (var e : in.entrySet()) {
            Tensor want = e.getValue(), got = out.get(e.getKey());
            assertEquals(want.dtype(), got.dtype(), e.getKey());
            assertArrayEquals(want.shape(), got.shape(), e.getKey());
            if (want.dtype() == DType.BFLOAT16) assertArrayEquals(want.toBits(), got.toBits(), e.getKey());
            else assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), e.getKey());
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

    private static int[] floatBits(Tensor t) {
        float[] f = t.toFloatArray();
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) out[i] = Float.floatToRawIntBits(f[i]);
        return out;
    }

    @Test
    void readsFloat16AndBfloat16WrittenByTorch() throws Exception {
        // benchmarks/reference/make_half_refs.py wrote each 16-bit tensor beside torch's float32 view of it
        Map<String, Tensor> t = SafeTensors.read(Path.of(SafeTensorsTest.class.getResource("/half/torch_half.safetensors").toURI()));
        for (String key : new String[]{"f16", "bf16", "bf16_scalar"}) {
            Tensor half = t.get(key), f32 = t.get(key + "_as_f32");
            assertEquals(key.startsWith("f16") ? DType.FLOAT16 : DType.BFLOAT16, half.dtype(), key);
            assertArrayEquals(f32.shape(), half.shape(), key + ": shape");
            assertArrayEquals(floatBits(f32), floatBits(half.to(DType.FLOAT32)), key + ": values, bit for bit (NaN, infinities, subnormals)");
        }
        assertEquals(0, t.get("bf16_scalar").dim());
        assertEquals(-0.75, t.get("bf16_scalar").item());
    }

    @Test
    void roundTripsHalfPrecisionBitPatterns() {
        // NaN payloads and signalling NaNs survive: the bits are written, not values
        short[] bits = {0x0000, (short) 0x8000, 0x3c00, 0x7bff, 0x0001, 0x7c00, (short) 0xfc00, 0x7c01, (short) 0xfe12, 0x7fff};
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("h", Tensor.ofBits(bits, DType.FLOAT16, 2, 5));
        in.put("b", Tensor.ofBits(bits, DType.BFLOAT16, 5, 2).transpose(0, 1)); // a strided view is written in row-major order
        Path p = dir.resolve("half.safetensors");
        SafeTensors.write(p, in);
        Map<String, Tensor> out = SafeTensors.read(p);
        assertEquals(DType.FLOAT16, out.get("h").dtype());
        assertArrayEquals(bits, out.get("h").toBits());
        assertEquals(DType.BFLOAT16, out.get("b").dtype());
        assertArrayEquals(new long[]{2, 5}, out.get("b").shape());
        assertArrayEquals(in.get("b").toBits(), out.get("b").toBits());
    }

    @Test
    void torchReadsHalfPrecisionEmberWrites() throws Exception {
        Path script = Path.of("../benchmarks/reference/make_half_refs.py");
        assumeTrue(Files.isRegularFile(script) && Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3 (torch) and the reference script");
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("h", Tensor.of(new float[]{0.1f, -65504f, 6e-8f, Float.NaN, Float.NEGATIVE_INFINITY, 1f}, 2, 3).to(DType.FLOAT16));
        in.put("b", Tensor.of(new float[]{0.1f, 3e38f, 1e-40f, -2f}).to(DType.BFLOAT16));
        Path p = dir.resolve("ember_half.safetensors");
        SafeTensors.write(p, in);
        Process proc = new ProcessBuilder("/usr/bin/python3", script.toString(), "--read-safetensors", p.toString()).redirectErrorStream(true).start();
        String output = new String(proc.getInputStream().readAllBytes());
        assertEquals(0, proc.waitFor(), output);
        JsonObject got = JsonParser.parseString(output).getAsJsonObject();
        for (var e : in.entrySet()) {
            JsonObject o = got.getAsJsonObject(e.getKey());
            assertEquals(e.getValue().dtype() == DType.FLOAT16 ? "F16" : "BF16", o.get("dtype").getAsString());
            int[] torchBits = new int[o.getAsJsonArray("bits").size()];
            for (int i = 0; i < torchBits.length; i++) torchBits[i] = o.getAsJsonArray("bits").get(i).getAsInt();
            assertArrayEquals(floatBits(e.getValue()), torchBits, e.getKey() + ": torch's float32 values of Ember's 16-bit tensor");
        }
        assertEquals("[2,3]", got.getAsJsonObject("h").get("shape").toString());
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
