package dev.ember.data.text;

import com.google.gson.Gson;
import com.google.gson.stream.JsonToken;
import dev.ember.data.io.DataFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A byte-level BPE tokenizer, as GPT-2's: text is UTF-8 bytes, ids 0..255 are the single bytes,
 * and each learned merge of two adjacent ids adds one id. Text is first split GPT-2 style (words
 * with their leading space, numbers, punctuation runs, whitespace) and merges never cross those
 * pieces. Since every byte has an id, any text, in any script, encodes and decodes back exactly.
 *
 * <p>{@link #train} learns merges from a corpus until the vocabulary reaches a size: each step
 * merges the most frequent adjacent pair (ties: the smallest pair of ids), stopping early when
 * no pair occurs twice. A token holds at most {@link #MAX_TOKEN_BYTES} bytes; {@link #load}
 * refuses files whose merges would build longer ones (a few doubling merges describe a token of
 * terabytes) with a {@link DataFormatException}.
 */
public final class ByteBpeTokenizer {
    private static final Pattern PIECES = Pattern.compile(
            "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    /** The longest token, in bytes; merges that would make a longer one are not learned, and a file with one is refused. */
    public static final int MAX_TOKEN_BYTES = 1 << 16;
    /** Tokens up to this many bytes keep their bytes; longer ones are expanded from their two parts when needed. */
    private static final int KEPT_BYTES = 64;

    private final int[][] merges;             // merges[i] = {left, right} -> id 256 + i
    private final Map<Long, Integer> rank;    // pair -> merge index
    private final int[] lengthOf;             // id -> number of bytes
    private final byte[][] keptBytes;         // id -> bytes, for tokens of at most KEPT_BYTES (null above)
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * The tokenizer of {@code merges}. Memory is a few words per merge plus the bytes of the
     * short tokens, never the (possibly exponential) total length of long ones.
     *
     * @throws IllegalArgumentException if a merge refers to an id not yet defined, repeats an
     *     earlier pair, or makes a token longer than {@link #MAX_TOKEN_BYTES}
     */
    private ByteBpeTokenizer(int[][] merges) {
        this.merges = merges;
        this.rank = new HashMap<>();
        this.lengthOf = new int[256 + merges.length];
        this.keptBytes = new byte[256 + merges.length][];
        for (int b = 0; b < 256; b++) {
            lengthOf[b] = 1;
            keptBytes[b] = new byte[]{(byte) b};
        }
        for (int i = 0; i < merges.length; i++) {
            if (merges[i] == null || merges[i].length != 2)
                throw new IllegalArgumentException("ByteBpeTokenizer: merge " + i + " is not a pair of ids");
            int a = merges[i][0], b = merges[i][1];
            if (a < 0 || b < 0 || a >= 256 + i || b >= 256 + i)
                throw new IllegalArgumentException("ByteBpeTokenizer: merge " + i + " refers to ids " + a + ", " + b + " not yet defined");
            if (rank.putIfAbsent(pair(a, b), i) != null)
                throw new IllegalArgumentException("ByteBpeTokenizer: merge " + i + " repeats the pair (" + a + ", " + b + ") of merge " + rank.get(pair(a, b)));
            long length = (long) lengthOf[a] + lengthOf[b];
            if (length > MAX_TOKEN_BYTES)
                throw new IllegalArgumentException("ByteBpeTokenizer: merge " + i + " joins tokens of " + lengthOf[a] + " and " + lengthOf[b]
                        + " bytes, longer than the limit of " + MAX_TOKEN_BYTES);
            lengthOf[256 + i] = (int) length;
            if (length <= KEPT_BYTES) {
                byte[] joined = Arrays.copyOf(keptBytes[a], (int) length);
                System.arraycopy(keptBytes[b], 0, joined, lengthOf[a], lengthOf[b]);
                keptBytes[256 + i] = joined;
            }
        }
    }

    private static long pair(int a, int b) { return ((long) a << 32) | (b & 0xFFFFFFFFL); }

    /**
     * Learns merges from {@code corpus} until there are {@code vocabSize >= 256} ids (or no pair
     * repeats); pairs that would make a token longer than {@link #MAX_TOKEN_BYTES} are not merged.
     */
    public static ByteBpeTokenizer train(List<String> corpus, int vocabSize) {
        if (vocabSize < 256) throw new IllegalArgumentException("ByteBpeTokenizer.train: vocabSize must be >= 256 (the byte alphabet), got " + vocabSize);
        Map<String, Integer> pieceCounts = new HashMap<>();
        for (String text : corpus) for (String p : pieces(text)) pieceCounts.merge(p, 1, Integer::sum);
        List<int[]> words = new ArrayList<>(pieceCounts.size());
        List<Integer> counts = new ArrayList<>(pieceCounts.size());
        pieceCounts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            byte[] b = e.getKey().getBytes(StandardCharsets.UTF_8);
            int[] ids = new int[b.length];
            for (int i = 0; i < b.length; i++) ids[i] = b[i] & 0xFF;
            words.add(ids);
            counts.add(e.getValue());
        });
        List<int[]> merges = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        for (int b = 0; b < 256; b++) lengths.add(1);
        while (256 + merges.size() < vocabSize) {
            Map<Long, Long> pairCounts = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                int[] ids = words.get(w);
                for (int i = 0; i + 1 < ids.length; i++) pairCounts.merge(pair(ids[i], ids[i + 1]), (long) counts.get(w), Long::sum);
            }
            long best = -1, bestCount = 0;
            for (var e : pairCounts.entrySet()) {
                long c = e.getValue();
                if (c < 2) continue; // a pair seen once compresses nothing
                if (lengths.get((int) (e.getKey() >>> 32)) + lengths.get((int) (long) e.getKey()) > MAX_TOKEN_BYTES) continue;
                if (best == -1 || c > bestCount || (c == bestCount && e.getKey() < best)) { best = e.getKey(); bestCount = c; }
            }
            if (best == -1) break;
            int a = (int) (best >>> 32), b = (int) best, id = 256 + merges.size();
            merges.add(new int[]{a, b});
            lengths.add(lengths.get(a) + lengths.get(b));
            for (int w = 0; w < words.size(); w++) words.set(w, applyMerge(words.get(w), a, b, id));
        }
        return new ByteBpeTokenizer(merges.toArray(new int[0][]));
    }

    private static int[] applyMerge(int[] ids, int a, int b, int id) {
        int[] out = null;
        int o = 0;
        for (int i = 0; i < ids.length; i++) {
            if (i + 1 < ids.length && ids[i] == a && ids[i + 1] == b) {
                if (out == null) { out = new int[ids.length]; System.arraycopy(ids, 0, out, 0, i); o = i; }
                out[o++] = id;
                i++;
            } else if (out != null) {
                out[o++] = ids[i];
            }
        }
        return out == null ? ids : Arrays.copyOf(out, o);
    }

    private static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PIECES.matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }

    /** Number of ids: 256 bytes plus one per merge. */
    public int vocabSize() { return lengthOf.length; }

    /** The ids of {@code text}. */
    public int[] encode(String text) {
        List<int[]> parts = new ArrayList<>();
        int total = 0;
        for (String piece : pieces(text)) {
            int[] ids = cache.computeIfAbsent(piece, this::encodePiece);
            parts.add(ids);
            total += ids.length;
        }
        int[] out = new int[total];
        int o = 0;
        for (int[] p : parts) { System.arraycopy(p, 0, out, o, p.length); o += p.length; }
        return out;
    }

    private int[] encodePiece(String piece) {
        byte[] b = piece.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) ids[i] = b[i] & 0xFF;
        while (ids.length > 1) {
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < ids.length; i++) {
                Integer r = rank.get(pair(ids[i], ids[i + 1]));
                if (r != null && r < bestRank) bestRank = r;
            }
            if (bestRank == Integer.MAX_VALUE) break;
            ids = applyMerge(ids, merges[bestRank][0], merges[bestRank][1], 256 + bestRank);
        }
        return ids;
    }

    /** The text of {@code ids}; invalid UTF-8 (only possible for id sequences not made by {@link #encode}) becomes U+FFFD. */
    public String decode(int[] ids) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int id : ids) writeBytes(checkId("decode", id), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The bytes id {@code id} stands for. */
    public byte[] bytes(int id) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(lengthOf[checkId("bytes", id)]);
        writeBytes(id, out);
        return out.toByteArray();
    }

    private int checkId(String op, int id) {
        if (id < 0 || id >= lengthOf.length) throw new IllegalArgumentException("ByteBpeTokenizer." + op + ": id " + id + " is not in [0, " + lengthOf.length + ")");
        return id;
    }

    /** Writes a token's bytes, expanding a long one from its parts with an explicit stack (no recursion). */
    private void writeBytes(int id, java.io.ByteArrayOutputStream out) {
        if (keptBytes[id] != null) {
            out.writeBytes(keptBytes[id]);
            return;
        }
        int[] stack = new int[16];
        int top = 0;
        stack[top++] = id;
        while (top > 0) {
            int t = stack[--top];
            if (keptBytes[t] != null) {
                out.writeBytes(keptBytes[t]);
                continue;
            }
            if (top + 2 > stack.length) stack = Arrays.copyOf(stack, stack.length * 2);
            stack[top++] = merges[t - 256][1];
            stack[top++] = merges[t - 256][0];
        }
    }

    /** Writes the merges as JSON: {@code {"merges": [[left, right], ...]}}. */
    public void save(Path file) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("type", "byte-bpe");
        json.put("merges", merges);
        try {
            Files.writeString(file, new Gson().toJson(json));
        } catch (IOException e) {
            throw new UncheckedIOException("ByteBpeTokenizer.save: " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads merges written by {@link #save}: strict JSON {@code {"type": "byte-bpe", "merges":
     * [[left, right], ...]}} whose merges each join two ids defined before them, no pair twice,
     * into tokens of at most {@link #MAX_TOKEN_BYTES} bytes. Memory follows the file (a few words
     * per merge), whatever lengths the merges would build.
     *
     * @throws DataFormatException if the file is not such a tokenizer, naming it and the JSON path
     * @throws UncheckedIOException if it cannot be read
     */
    public static ByteBpeTokenizer load(Path file) {
        int[][] merges = JsonInput.read(file, "ByteBpeTokenizer.load", json -> {
            json.expect(JsonToken.BEGIN_OBJECT, "an object {\"type\": \"byte-bpe\", \"merges\": [...]}");
            json.in.beginObject();
            int[][] found = null;
            while (json.in.hasNext()) {
                switch (json.in.nextName()) {
                    case "type" -> {
                        String type = json.string("\"type\" to be a string");
                        if (!type.equals("byte-bpe")) throw json.error("expected the type \"byte-bpe\", found \"" + type + "\"");
                    }
                    case "merges" -> {
                        if (found != null) throw json.error("\"merges\" appears twice");
                        found = readMerges(json);
                    }
                    default -> json.in.skipValue();
                }
            }
            json.in.endObject();
            if (found == null) throw json.error("expected {\"merges\": [...]}, found no \"merges\"");
            return found;
        });
        try {
            return new ByteBpeTokenizer(merges);
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, "\"merges\"", e.getMessage(), e);
        }
    }

    /** The merges array; each id must be defined by an earlier merge (checked here so the error names the JSON path). */
    private static int[][] readMerges(JsonInput json) throws IOException {
        json.expect(JsonToken.BEGIN_ARRAY, "\"merges\" to be an array of [left, right] pairs");
        json.in.beginArray();
        int[][] out = new int[16][];
        int n = 0;
        while (json.in.hasNext()) {
            json.expect(JsonToken.BEGIN_ARRAY, "a pair [left, right]");
            json.in.beginArray();
            int maxId = (int) Math.min(Integer.MAX_VALUE, 255L + n);
            int a = json.integer("an id defined before this merge", 0, maxId);
            if (!json.in.hasNext()) throw json.error("expected a pair [left, right], found one id");
            int b = json.integer("an id defined before this merge", 0, maxId);
            if (json.in.hasNext()) throw json.error("expected a pair [left, right], found more ids");
            json.in.endArray();
            if (n == out.length) out = Arrays.copyOf(out, n * 2); // grows with the file, never ahead of it
            out[n++] = new int[]{a, b};
        }
        json.in.endArray();
        return Arrays.copyOf(out, n);
    }
}
