package dev.ember.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every malformed safetensors header is one {@link SafeTensorsFormatException} that names the
 * file and the tensor at fault, from {@code read} and from {@code metadata} alike; nothing is
 * allocated from a size the file cannot back.
 */
class SafeTensorsValidationTest {
    @TempDir
    Path dir;

    /** A file of an 8-byte length, the header text as given, then {@code dataBytes} zero bytes. */
    private Path file(String name, String header, int dataBytes) throws Exception {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return file(name, json.length, json, dataBytes);
    }

    private Path file(String name, long declaredLength, byte[] json, int dataBytes) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(json);
        Path p = dir.resolve(name + ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static SafeTensorsFormatException rejected(Path p, String tensor, String... phrases) {
        var e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(p));
        var m = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.metadata(p), "metadata() checks the header too");
        assertEquals(e.getMessage(), m.getMessage());
        assertEquals(p, e.file());
        assertEquals(tensor, e.tensor());
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        if (tensor != null) assertTrue(e.getMessage().contains("'" + tensor + "'"), e.getMessage());
        for (String phrase : phrases) assertTrue(e.getMessage().contains(phrase), "'" + phrase + "' in: " + e.getMessage());
        return e;
    }

    // Each row was an NPE, ClassCastException, IllegalStateException, NumberFormatException or
    // IndexOutOfBoundsException before the header was validated as a whole.
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "entry not an object   | {\"w\":[1,2]}                                                          | w | expected an object",
        "missing dtype         | {\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}                        | w | no \"dtype\"",
        "missing shape         | {\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}                    | w | no \"shape\"",
        "missing offsets       | {\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}                             | w | no \"data_offsets\"",
        "dtype a number        | {\"w\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}            | w | \"dtype\" to be a string",
        "shape of strings      | {\"w\":{\"dtype\":\"F32\",\"shape\":[\"a\"],\"data_offsets\":[0,4]}} | w | shape[0] is STRING",
        "shape a fraction      | {\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}    | w | shape[0] is 1.5",
        "shape negative        | {\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}     | w | shape[0] is -1",
        "short offsets         | {\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}        | w | has 1 numbers",
        "offsets not array     | {\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":4}}          | w | \"data_offsets\" to be an array",
        "unknown dtype         | {\"w\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}       | w | not a safetensors dtype",
        "unsupported dtype     | {\"w\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[0,2]}}      | w | Ember does not read",
        "wrong byte count      | {\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,4]}}      | w | needs 8 bytes",
        "end before begin      | {\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}      | w | end before they begin",
        "huge dimension        | {\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296],\"data_offsets\":[0,4]}} | w | needs 17179869184 bytes",
        "too many elements     | {\"w\":{\"dtype\":\"F32\",\"shape\":[2147483648,2147483648],\"data_offsets\":[0,4]}} | w | more than 2^60 elements",
        "product hides in zero | {\"w\":{\"dtype\":\"F32\",\"shape\":[2147483648,2147483648,0],\"data_offsets\":[0,0]}} | w | more than 2^60 elements",
        "offset past long      | {\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}} | w | below 2^63",
        "offsets near 2^63     | {\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[9223372036854775803,9223372036854775807]}} | w | end beyond the data section",
        "duplicate name        | {\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}} | w | appears twice",
        "duplicate field       | {\"w\":{\"dtype\":\"F32\",\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,4]}} | w | \"dtype\" twice",
        "overlap               | {\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}} | b | overlap tensor 'a'",
        "gap                   | {\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}} | b | leave a gap after tensor 'a'",
    })
    void malformedEntriesNameTheFileAndTensor(String what, String header, String tensor, String phrase) throws Exception {
        rejected(file(what.replace(' ', '_'), header, 16), tensor, phrase);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "array header          | [1,2,3]                                      | the header to be a JSON object",
        "string header         | \"text\"                                     | the header to be a JSON object",
        "syntax error          | {\"w\":                                      | not valid JSON",
        "trailing garbage      | {} x                                         | not valid JSON",
        "lenient syntax        | {'w':1}                                      | not valid JSON",
        "metadata a string     | {\"__metadata__\":\"x\"}                     | __metadata__ to be an object",
        "metadata of numbers   | {\"__metadata__\":{\"epoch\":3}}             | expected a string",
        "metadata of objects   | {\"__metadata__\":{\"a\":{}}}                | expected a string",
    })
    void malformedHeadersNameTheFile(String what, String header, String phrase) throws Exception {
        rejected(file(what.replace(' ', '_'), header, 0), null, phrase);
    }

    @Test
    void deepNestingIsASyntaxErrorNotAStackOverflow() throws Exception {
        String header = "{\"w\":{\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}}";
        rejected(file("deep", header, 0), null, "not valid JSON");
    }

    @Test
    void headerLengthMustFitTheFileAndTheFormatLimit() throws Exception {
        byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
        rejected(file("too_long", 1L << 40, json, 0), null, "header length 1099511627776");
        rejected(file("negative", -8, json, 0), null, "header length 18446744073709551608");
        rejected(file("zero", 0, json, 0), null, "header length 0");
        // a length the file could hold but the format forbids: nothing is allocated for it
        Path big = dir.resolve("big.safetensors");
        try (var ch = java.nio.channels.FileChannel.open(big, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.SPARSE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 200_000_000L));
            ch.write(ByteBuffer.wrap(new byte[]{'{'}), 200_000_007L);
        }
        rejected(big, null, "header length 200000000", "at most 100000000");
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[]{1, 2, 3});
        rejected(tiny, null, "3 bytes");
    }

    @Test
    void invalidUtf8InTheHeaderIsAFormatError() throws Exception {
        rejected(file("utf8", 4, new byte[]{'{', (byte) 0xC3, (byte) 0x28, '}'}, 0), null, "not valid UTF-8");
    }

    @Test
    void bytesAfterTheLastTensorAndTruncationAreReported() throws Exception {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        rejected(file("trailing", header, 12), null, "4 bytes after tensor 'w' belong to no tensor");
        rejected(file("cut", header, 6), "w", "data_offsets [0, 8]", "data section of 6 bytes");
    }

    @Test
    void validFilesStillReadIncludingEmptyAndZeroSizedTensorsAndUnknownFields() throws Exception {
        String header = "{\"__metadata__\":{\"k\":\"v\"},"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[4,12],\"extra\":{\"ignored\":[1]}},"
                + "\"a\":{\"dtype\":\"BOOL\",\"shape\":[],\"data_offsets\":[0,4]}}"; // BOOL scalar: 1 byte, not 4
        rejected(file("badscalar", header, 12), "a", "needs 1 bytes");
        String good = "{\"__metadata__\":{\"k\":\"v\"},"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[1,9],\"extra\":{\"ignored\":[1]}},"
                + "\"a\":{\"dtype\":\"BOOL\",\"shape\":[],\"data_offsets\":[0,1]}}   ";
        byte[] json = good.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + 9).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).put((byte) 1).putInt(-5).putInt(7);
        Path p = dir.resolve("good.safetensors");
        Files.write(p, b.array());
        Map<String, Tensor> t = SafeTensors.read(p);
        assertEquals(java.util.List.of("z", "b", "a"), java.util.List.copyOf(t.keySet()), "header order");
        assertArrayEquals(new long[]{0, 3}, t.get("z").shape());
        assertArrayEquals(new int[]{-5, 7}, t.get("b").toIntArray());
        assertEquals(0, t.get("a").dim());
        assertTrue(t.get("a").toBooleanArray()[0]);
        assertEquals(Map.of("k", "v"), SafeTensors.metadata(p));
        Path empty = file("empty", "{}", 0);
        assertTrue(SafeTensors.read(empty).isEmpty());
        assertEquals(Map.of(), SafeTensors.metadata(empty));
    }

    @Test
    void aTensorLargerThanOneReadChunkRoundTrips() {
        float[] v = new float[(1 << 18) + 3]; // 1 MiB + 12 bytes: two chunks
        for (int i = 0; i < v.length; i++) v[i] = i * 0.5f - 7;
        Path p = dir.resolve("large.safetensors");
        SafeTensors.write(p, Map.of("v", Tensor.of(v)));
        assertArrayEquals(v, SafeTensors.read(p).get("v").toFloatArray());
    }

    @Test
    void exceptionTypeIsAnIllegalArgumentException() throws Exception {
        // callers that caught IllegalArgumentException before keep working
        Path p = file("x", "[]", 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(p));
        assertTrue(e instanceof SafeTensorsFormatException);
        assertNull(((SafeTensorsFormatException) e).tensor());
    }
}
