package dev.ember.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ember.DType;
import dev.ember.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the safetensors format (the Hugging Face weight format): an 8-byte
 * little-endian header length, a JSON header {@code {name: {dtype, shape, data_offsets}}},
 * then the raw little-endian tensor bytes. Supports F32, F64, F16, BF16, I32, I64 and BOOL; 16-bit
 * floats are read and written as their bit patterns, never through a float32 copy. Writes go to
 * a temporary file that is then renamed, so a crash never leaves a half-written file.
 *
 * <p>Reading checks the whole header before it allocates anything, with the reference
 * implementation's rules: a header length of 2 bytes to 100 MB that fits in the file; a JSON
 * object (strict syntax, no duplicate names) whose {@code __metadata__}, if present, maps
 * strings to strings and whose other entries each have a known {@code dtype}, a {@code shape}
 * of non-negative integers and {@code data_offsets} {@code [begin, end]} spanning exactly
 * dtype-size x elements bytes; and entries that, sorted by offset, tile the data section with
 * no gap, overlap or trailing bytes. Ember's own limit applies too: at most 2^60 elements a
 * tensor. Every violation is a {@link SafeTensorsFormatException} naming the file
 * and the tensor; a file that cannot be read at all is an {@link UncheckedIOException}.
 */
public final class SafeTensors {
    /** Bytes read per call when filling a tensor (a multiple of every dtype's width). */
    private static final int READ_CHUNK = 1 << 20;

    private SafeTensors() {}

    /** Writes {@code tensors} (copied to the host) to {@code path}. */
    public static void write(Path path, Map<String, Tensor> tensors) { write(path, tensors, Map.of()); }

    /** Writes {@code tensors} with string {@code metadata} in the header's {@code __metadata__}. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("safetensors: '__metadata__' is reserved");
            long bytes = e.getValue().numel() * SafeTensorsHeader.width(e.getValue().dtype());
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", code(e.getValue().dtype()));
            JsonArray shape = new JsonArray();
            for (long s : e.getValue().shape()) shape.add(s);
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes);
            entry.add("data_offsets", offsets);
            header.add(e.getKey(), entry);
            offset += bytes;
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
                    for (Tensor t : tensors.values()) writeData(out, t);
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

    /**
     * Reads every tensor of a safetensors file, in header order, onto the CPU.
     *
     * <p>The whole header is checked before any tensor is allocated (see the class comment), and
     * each tensor is then read straight into its array, so memory follows what the file holds.
     *
     * @throws SafeTensorsFormatException if the file breaks the format, naming the file and tensor
     * @throws UncheckedIOException if the file cannot be read
     */
    public static Map<String, Tensor> read(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            SafeTensorsHeader header = SafeTensorsHeader.read(path, ch);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (SafeTensorsHeader.Entry e : header.entries()) {
                out.put(e.name(), readTensor(path, ch, header.dataStart(), e));
            }
            return out;
        } catch (IOException ex) {
            throw new UncheckedIOException("safetensors: cannot read " + path + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The {@code __metadata__} strings of a file's header (empty if none). The header is checked
     * as by {@link #read}, but no tensor is read.
     *
     * @throws SafeTensorsFormatException if the file breaks the format
     * @throws UncheckedIOException if the file cannot be read
     */
    public static Map<String, String> metadata(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return SafeTensorsHeader.read(path, ch).metadata();
        } catch (IOException ex) {
            throw new UncheckedIOException("safetensors: cannot read " + path + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Reads one checked entry into a new tensor, a chunk at a time: each chunk is decoded into a small host array
     * and copied into its place, so loading needs the tensor's memory plus one chunk (a whole-tensor host array
     * copied into storage afterwards held every tensor twice at its peak).
     */
    private static Tensor readTensor(Path path, FileChannel ch, long dataStart, SafeTensorsHeader.Entry e) throws IOException {
        long n = e.numel(); // checked against Tensor.MAX_ELEMENTS
        int width = SafeTensorsHeader.width(e.dtype());
        Tensor out = Tensor.zeros(e.dtype(), e.shape()), flat = out.reshape(n); // the caller owns out (closing it releases it)
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(READ_CHUNK, n * width)).order(ByteOrder.LITTLE_ENDIAN);
        long position = dataStart + e.begin();
        for (long done = 0; done < n; ) {
            int count = (int) Math.min(n - done, buf.capacity() / width);
            buf.clear().limit(count * width);
            SafeTensorsHeader.readFully(path, ch, buf, position);
            buf.flip();
            try (Tensor part = decode(buf, e.dtype(), count)) {
                flat.narrow(0, done, count).copyFrom(part);
            }
            position += (long) count * width;
            done += count;
        }
        return out;
    }

    /** The first {@code count} little-endian values of {@code buf} as a 1-D tensor of {@code dtype}. */
    private static Tensor decode(ByteBuffer buf, DType dtype, int count) {
        return switch (dtype) {
            case FLOAT32 -> { float[] a = new float[count]; buf.asFloatBuffer().get(a); yield Tensor.of(a); }
            case FLOAT64 -> { double[] a = new double[count]; buf.asDoubleBuffer().get(a); yield Tensor.of(a); }
            case INT32 -> { int[] a = new int[count]; buf.asIntBuffer().get(a); yield Tensor.of(a); }
            case INT64 -> { long[] a = new long[count]; buf.asLongBuffer().get(a); yield Tensor.of(a); }
            case BOOL -> { boolean[] a = new boolean[count]; for (int i = 0; i < count; i++) a[i] = buf.get(i) != 0; yield Tensor.of(a); }
            case FLOAT16, BFLOAT16 -> { short[] a = new short[count]; buf.asShortBuffer().get(a); yield Tensor.ofBits(a, dtype, count); }
        };
    }

    private static String code(DType d) {
        return switch (d) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT32 -> "I32";
            case INT64 -> "I64";
            case BOOL -> "BOOL";
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
        };
    }

    /**
     * Streams a tensor's elements, little-endian in row-major order, a chunk at a time: the writer holds one chunk, not
     * the file (a tensor past 2^31 elements, whose bytes no Java array holds, writes too).
     */
    private static void writeData(java.io.OutputStream out, Tensor t) throws IOException {
        long n = t.numel();
        int width = SafeTensorsHeader.width(t.dtype());
        Tensor flat = t.reshape(n); // a view when t is contiguous
        for (long done = 0; done < n; ) {
            int count = (int) Math.min(n - done, READ_CHUNK / width);
            out.write(toBytes(flat.narrow(0, done, count)));
            done += count;
        }
    }

    private static byte[] toBytes(Tensor t) {
        int n = (int) t.numel(); // one chunk
        ByteBuffer buf = ByteBuffer.allocate(n * SafeTensorsHeader.width(t.dtype())).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case FLOAT32 -> buf.asFloatBuffer().put(t.toFloatArray());
            case FLOAT64 -> buf.asDoubleBuffer().put(t.toDoubleArray());
            case INT32 -> buf.asIntBuffer().put(t.toIntArray());
            case INT64 -> buf.asLongBuffer().put(t.toLongArray());
            case BOOL -> { boolean[] b = t.toBooleanArray(); for (int i = 0; i < n; i++) buf.put(i, (byte) (b[i] ? 1 : 0)); }
            case FLOAT16, BFLOAT16 -> buf.asShortBuffer().put(t.toBits());
        }
        return buf.array();
    }

}
