package dev.ember.io;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.ember.DType;
import dev.ember.Tensor;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors header, parsed and checked as a whole before any tensor is allocated: the
 * 8-byte length, the JSON (streamed with Gson's strict reader, so no tree of the whole header
 * is built), every entry's dtype, shape and {@code data_offsets}, and the layout of the data
 * section. The layout rules are those of the reference implementation (Hugging Face's
 * {@code safetensors} crate): the entries, sorted by offset, tile the data section exactly,
 * with no gap, no overlap and nothing after the last one.
 */
record SafeTensorsHeader(long dataStart, List<Entry> entries, Map<String, String> metadata) {
    /** The reference implementation's limit on the JSON header (100 MB). */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    /** Dtype codes the format defines that Ember does not read; other codes are not safetensors at all. */
    private static final Set<String> KNOWN_UNSUPPORTED = Set.of("U8", "I8", "I16", "U16", "U32", "U64",
            "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4");

    /** One tensor of the header: its dtype, shape and byte range in the data section. */
    record Entry(String name, DType dtype, long[] shape, long numel, long begin, long end) {}

    /** Reads and checks the header of the file open on {@code ch}. */
    static SafeTensorsHeader read(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8)
            throw new SafeTensorsFormatException(file, null, "the file is " + size + " bytes, shorter than the 8-byte header length");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, lenBuf, 0);
        long headerLen = lenBuf.getLong(0); // unsigned 64-bit in the format: negative means above 2^63
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8)
            throw new SafeTensorsFormatException(file, null, "at offset 0: header length " + Long.toUnsignedString(headerLen)
                    + " is not between 2 and " + Math.min(MAX_HEADER_BYTES, size - 8) + " (a file of " + size
                    + " bytes; the format allows at most " + MAX_HEADER_BYTES + ")");
        ByteBuffer json = ByteBuffer.allocate((int) headerLen);
        readFully(file, ch, json, 8);
        json.flip();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(json).toString();
        } catch (CharacterCodingException ex) {
            throw new SafeTensorsFormatException(file, null, "at offset 8: the header is not valid UTF-8", ex);
        }
        long dataStart = 8 + headerLen;
        var parsed = new Parser(file, text).parse();
        validateLayout(file, parsed.entries, size - dataStart);
        return new SafeTensorsHeader(dataStart, List.copyOf(parsed.entries), Collections.unmodifiableMap(parsed.metadata));
    }

    /** Fills {@code buf} from {@code position}; a file that ends first is truncated. */
    static void readFully(Path file, FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position);
            if (n < 0)
                throw new SafeTensorsFormatException(file, null, "is truncated at offset " + position + ": expected "
                        + buf.remaining() + " more bytes");
            position += n;
        }
    }

    /** Sorted by offset, the entries must tile {@code [0, dataLen)} exactly, as the reference reader requires. */
    private static void validateLayout(Path file, List<Entry> entries, long dataLen) {
        for (Entry e : entries)
            if (e.end() > dataLen)
                throw new SafeTensorsFormatException(file, e.name(), describe(e) + ": data_offsets [" + e.begin() + ", " + e.end()
                        + "] end beyond the data section of " + dataLen + " bytes (is the file truncated?)");
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() != at)
                throw new SafeTensorsFormatException(file, e.name(), "data_offsets [" + e.begin() + ", " + e.end() + "] "
                        + (e.begin() < at ? "overlap" : "leave a gap after") + " "
                        + (previous == null ? "the start of the data section" : "tensor '" + previous.name() + "' ending at " + at)
                        + "; tensors must tile the data section in order");
            at = e.end();
            previous = e;
        }
        if (at != dataLen)
            throw new SafeTensorsFormatException(file, null, "the tensors cover " + at + " bytes of a data section of " + dataLen
                    + "; the " + (dataLen - at) + " bytes after " + (previous == null ? "the header" : "tensor '" + previous.name() + "'")
                    + " belong to no tensor");
    }

    static String describe(Entry e) { return Arrays.toString(e.shape()) + " " + e.dtype(); }

    static int width(DType d) {
        return switch (d) {
            case FLOAT32, INT32 -> 4;
            case FLOAT64, INT64 -> 8;
            case FLOAT16, BFLOAT16 -> 2;
            case BOOL -> 1;
        };
    }

    /** A single pass over the JSON with a strict streaming reader. */
    private static final class Parser {
        private final Path file;
        private final JsonReader in;
        private final List<Entry> entries = new ArrayList<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        Parser(Path file, String text) {
            this.file = file;
            this.in = new JsonReader(new StringReader(text));
            in.setStrictness(Strictness.STRICT);
        }

        Parser parse() {
            try {
                expect(null, JsonToken.BEGIN_OBJECT, "the header to be a JSON object");
                in.beginObject();
                Set<String> names = new HashSet<>();
                while (in.hasNext()) {
                    String name = in.nextName();
                    if (!names.add(name)) throw error(name, "appears twice in the header");
                    if (name.equals("__metadata__")) readMetadata();
                    else entries.add(readEntry(name));
                }
                in.endObject();
                if (in.peek() != JsonToken.END_DOCUMENT) throw error(null, "unexpected data after the header object at " + in.getPath());
                return this;
            } catch (IOException | IllegalStateException ex) {
                // MalformedJsonException (syntax, nesting deeper than Gson's limit) and Gson's own type errors
                throw new SafeTensorsFormatException(file, null, "the header is not valid JSON: " + ex.getMessage(), ex);
            }
        }

        private void readMetadata() throws IOException {
            if (in.peek() == JsonToken.NULL) { in.nextNull(); return; }
            expect(null, JsonToken.BEGIN_OBJECT, "__metadata__ to be an object of string values");
            in.beginObject();
            while (in.hasNext()) {
                String key = in.nextName();
                if (in.peek() != JsonToken.STRING)
                    throw error(null, "__metadata__ '" + key + "' is " + in.peek() + ", expected a string (metadata maps strings to strings)");
                if (metadata.put(key, in.nextString()) != null) throw error(null, "__metadata__ '" + key + "' appears twice");
            }
            in.endObject();
        }

        private Entry readEntry(String name) throws IOException {
            expect(name, JsonToken.BEGIN_OBJECT, "an object {\"dtype\", \"shape\", \"data_offsets\"}");
            in.beginObject();
            String code = null;
            long[] shape = null, offsets = null;
            while (in.hasNext()) {
                String field = in.nextName();
                switch (field) {
                    case "dtype" -> {
                        if (code != null) throw error(name, "has \"dtype\" twice");
                        expect(name, JsonToken.STRING, "\"dtype\" to be a string");
                        code = in.nextString();
                    }
                    case "shape" -> {
                        if (shape != null) throw error(name, "has \"shape\" twice");
                        shape = readIntegers(name, "shape");
                    }
                    case "data_offsets" -> {
                        if (offsets != null) throw error(name, "has \"data_offsets\" twice");
                        offsets = readIntegers(name, "data_offsets");
                    }
                    default -> in.skipValue(); // the reference reader ignores unknown fields too
                }
            }
            in.endObject();
            if (code == null) throw error(name, "has no \"dtype\"");
            if (shape == null) throw error(name, "has no \"shape\"");
            if (offsets == null) throw error(name, "has no \"data_offsets\"");
            DType dtype = dtype(name, code);
            if (offsets.length != 2)
                throw error(name, "data_offsets " + Arrays.toString(offsets) + " has " + offsets.length + " numbers, expected [begin, end]");
            long numel = numel(name, shape);
            long begin = offsets[0], end = offsets[1];
            if (end < begin) throw error(name, "data_offsets [" + begin + ", " + end + "] end before they begin");
            long bytes = numel * width(dtype); // numel <= 2^60, width <= 8: no overflow
            if (end - begin != bytes)
                throw error(name, Arrays.toString(shape) + " " + dtype + " needs " + bytes + " bytes but its data_offsets [" + begin
                        + ", " + end + "] hold " + (end - begin));
            return new Entry(name, dtype, shape, numel, begin, end);
        }

        /** A JSON array of non-negative integers that fit a long (no fractions, no exponents). */
        private long[] readIntegers(String name, String field) throws IOException {
            expect(name, JsonToken.BEGIN_ARRAY, "\"" + field + "\" to be an array of integers");
            in.beginArray();
            long[] out = new long[4];
            int n = 0;
            while (in.hasNext()) {
                if (in.peek() != JsonToken.NUMBER) throw error(name, field + "[" + n + "] is " + in.peek() + ", expected a non-negative integer");
                String literal = in.nextString();
                long v;
                try {
                    v = Long.parseLong(literal);
                } catch (NumberFormatException ex) {
                    throw error(name, field + "[" + n + "] is " + literal + ", expected a non-negative integer below 2^63");
                }
                if (v < 0) throw error(name, field + "[" + n + "] is " + v + ", expected a non-negative integer");
                if (n == out.length) out = Arrays.copyOf(out, n * 2); // grows with the text read, never ahead of it
                out[n++] = v;
            }
            in.endArray();
            return Arrays.copyOf(out, n);
        }

        private long numel(String name, long[] shape) {
            // A zero dimension does not excuse the others: strides still multiply them.
            long product = 1;
            for (long size : shape) {
                if (size != 0 && product > Tensor.MAX_ELEMENTS / size) // compared before multiplying: no overflow
                    throw error(name, "shape " + Arrays.toString(shape) + " has more than 2^60 elements, more than one tensor holds");
                if (size != 0) product *= size;
            }
            for (long s : shape) if (s == 0) return 0;
            return product;
        }

        private DType dtype(String name, String code) {
            return switch (code) {
                case "F32" -> DType.FLOAT32;
                case "F64" -> DType.FLOAT64;
                case "I32" -> DType.INT32;
                case "I64" -> DType.INT64;
                case "BOOL" -> DType.BOOL;
                case "F16" -> DType.FLOAT16;
                case "BF16" -> DType.BFLOAT16;
                default -> throw error(name, "has dtype '" + code + "', "
                        + (KNOWN_UNSUPPORTED.contains(code) ? "which Ember does not read" : "which is not a safetensors dtype")
                        + "; supported are F32, F64, F16, BF16, I32, I64, BOOL");
            };
        }

        private void expect(String name, JsonToken token, String what) throws IOException {
            JsonToken got = in.peek();
            if (got != token) throw error(name, "expected " + what + ", found " + got + " at " + in.getPath());
        }

        private SafeTensorsFormatException error(String tensor, String problem) {
            return new SafeTensorsFormatException(file, tensor, problem);
        }
    }
}
