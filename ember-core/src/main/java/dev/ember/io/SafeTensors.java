package dev.ember.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.DType;
import dev.ember.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the safetensors format (the Hugging Face weight format): an 8-byte
 * little-endian header length, a JSON header {@code {name: {dtype, shape, data_offsets}}},
 * then the raw little-endian tensor bytes. Supports F32, F64, I32, I64 and BOOL. Writes go to
 * a temporary file that is then renamed, so a crash never leaves a half-written file.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** Writes {@code tensors} (copied to the host) to {@code path}. */
    public static void write(Path path, Map<String, Tensor> tensors) { write(path, tensors, Map.of()); }

    /** Writes {@code tensors} with string {@code metadata} in the header's {@code __metadata__}. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("safetensors: '__metadata__' is reserved");
            byte[] bytes = toBytes(e.getKey(), e.getValue());
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", code(e.getValue().dtype()));
            JsonArray shape = new JsonArray();
            for (long s : e.getValue().shape()) shape.add(s);
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes.length);
            entry.add("data_offsets", offsets);
            header.add(e.getKey(), entry);
            blobs.put(e.getKey(), bytes);
            offset += bytes.length;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // the reference writer pads the header with spaces to 8 bytes
        try {
            Path dir = path.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
            try {
                try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
                    out.write(json);
                    for (int i = json.length; i < padded; i++) out.write(' ');
                    for (byte[] b : blobs.values()) out.write(b);
                }
                try { // createTempFile makes the file owner-only; weights are ordinary files
                    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                } catch (UnsupportedOperationException ignored) { /* not a POSIX file system */ }
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally { // a failed write (disk full, target a directory, ...) leaves no temporary file; after the move there is none
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) { /* keep the write's own error */ }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("safetensors: cannot write " + path + ": " + ex.getMessage(), ex);
        }
    }

    /** Reads every tensor of a safetensors file, in header order, onto the CPU. */
    public static Map<String, Tensor> read(Path path) {
        byte[] all;
        try {
            all = Files.readAllBytes(path);
        } catch (IOException ex) {
            throw new UncheckedIOException("safetensors: cannot read " + path + ": " + ex.getMessage(), ex);
        }
        if (all.length < 8) throw new IllegalArgumentException("safetensors: " + path + " is " + all.length + " bytes, shorter than the 8-byte header length");
        long headerLen = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLen < 2 || headerLen > all.length - 8)
            throw new IllegalArgumentException("safetensors: " + path + " at offset 0: header length " + headerLen + " does not fit in a file of "
                    + all.length + " bytes");
        JsonObject header;
        try {
            header = JsonParser.parseString(new String(all, 8, (int) headerLen, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException("safetensors: " + path + " at offset 8: the header is not a JSON object: " + ex.getMessage(), ex);
        }
        long dataStart = 8 + headerLen;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) continue;
            JsonObject entry = e.getValue().getAsJsonObject();
            DType dtype = dtype(path, e.getKey(), entry.get("dtype").getAsString());
            JsonArray shapeJson = entry.getAsJsonArray("shape");
            long[] shape = new long[shapeJson.size()];
            long numel = 1;
            for (int i = 0; i < shape.length; i++) numel *= shape[i] = shapeJson.get(i).getAsLong();
            JsonArray off = entry.getAsJsonArray("data_offsets");
            long begin = off.get(0).getAsLong(), end = off.get(1).getAsLong();
            long expected = numel * width(dtype);
            if (end - begin != expected || begin < 0 || dataStart + end > all.length)
                throw new IllegalArgumentException("safetensors: " + path + ": tensor '" + e.getKey() + "' " + java.util.Arrays.toString(shape)
                        + " " + dtype + " needs " + expected + " bytes but its data_offsets are [" + begin + ", " + end + "] in a data section of "
                        + (all.length - dataStart) + " bytes");
            ByteBuffer buf = ByteBuffer.wrap(all, (int) (dataStart + begin), (int) expected).slice().order(ByteOrder.LITTLE_ENDIAN);
            Tensor t = fromBytes(buf, dtype, (int) numel, shape);
            out.put(e.getKey(), shape.length == 0 ? t.reshape() : t); // Tensor.of makes 1-D; a 0-d entry stays 0-d
        }
        return out;
    }

    /** The {@code __metadata__} strings of a file's header (empty if none). */
    public static Map<String, String> metadata(Path path) {
        try (var in = Files.newInputStream(path)) {
            byte[] len = in.readNBytes(8);
            long headerLen = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            JsonObject header = JsonParser.parseString(new String(in.readNBytes((int) headerLen), StandardCharsets.UTF_8)).getAsJsonObject();
            Map<String, String> out = new LinkedHashMap<>();
            if (header.has("__metadata__")) header.getAsJsonObject("__metadata__").entrySet().forEach(e -> out.put(e.getKey(), e.getValue().getAsString()));
            return out;
        } catch (IOException ex) {
            throw new UncheckedIOException("safetensors: cannot read " + path + ": " + ex.getMessage(), ex);
        }
    }

    private static String code(DType d) {
        return switch (d) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT32 -> "I32";
            case INT64 -> "I64";
            case BOOL -> "BOOL";
            default -> throw new IllegalArgumentException("safetensors: dtype " + d + " is not supported");
        };
    }

    private static DType dtype(Path path, String name, String code) {
        return switch (code) {
            case "F32" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            case "I32" -> DType.INT32;
            case "I64" -> DType.INT64;
            case "BOOL" -> DType.BOOL;
            default -> throw new IllegalArgumentException("safetensors: " + path + ": tensor '" + name + "' has dtype " + code
                    + ", supported are F32, F64, I32, I64, BOOL");
        };
    }

    private static int width(DType d) {
        return switch (d) {
            case FLOAT32, INT32 -> 4;
            case FLOAT64, INT64 -> 8;
            case BOOL -> 1;
            default -> throw new IllegalArgumentException("safetensors: dtype " + d + " is not supported");
        };
    }

    private static byte[] toBytes(String name, Tensor t) {
        int n = (int) t.numel();
        ByteBuffer buf = ByteBuffer.allocate(n * width(t.dtype())).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case FLOAT32 -> buf.asFloatBuffer().put(t.toFloatArray());
            case FLOAT64 -> buf.asDoubleBuffer().put(t.toDoubleArray());
            case INT32 -> buf.asIntBuffer().put(t.toIntArray());
            case INT64 -> buf.asLongBuffer().put(t.toLongArray());
            case BOOL -> { boolean[] b = t.toBooleanArray(); for (int i = 0; i < n; i++) buf.put(i, (byte) (b[i] ? 1 : 0)); }
            default -> throw new IllegalArgumentException("safetensors: tensor '" + name + "' has unsupported dtype " + t.dtype());
        }
        return buf.array();
    }

    private static Tensor fromBytes(ByteBuffer buf, DType dtype, int n, long[] shape) {
        return switch (dtype) {
            case FLOAT32 -> { float[] a = new float[n]; buf.asFloatBuffer().get(a); yield Tensor.of(a, shape); }
            case FLOAT64 -> { double[] a = new double[n]; buf.asDoubleBuffer().get(a); yield Tensor.of(a, shape); }
            case INT32 -> { int[] a = new int[n]; buf.asIntBuffer().get(a); yield Tensor.of(a, shape); }
            case INT64 -> { long[] a = new long[n]; buf.asLongBuffer().get(a); yield Tensor.of(a, shape); }
            case BOOL -> { boolean[] a = new boolean[n]; for (int i = 0; i < n; i++) a[i] = buf.get(i) != 0; yield Tensor.of(a, shape); }
            default -> throw new IllegalArgumentException("safetensors: unsupported dtype " + dtype);
        };
    }
}
