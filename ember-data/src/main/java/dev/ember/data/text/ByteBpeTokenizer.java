package dev.ember.data.text;

import com.google.gson.Gson;
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
 * no pair occurs twice.
 */
public final class ByteBpeTokenizer implements TokenEncoder {
    private static final Pattern PIECES = Pattern.compile(
            "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    private final int[][] merges;             // merges[i] = {left, right} -> id 256 + i
    private final Map<Long, Integer> rank;    // pair -> merge index
    private final byte[][] bytesOf;           // id -> bytes
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private ByteBpeTokenizer(int[][] merges) {
        this.merges = merges;
        this.rank = new HashMap<>();
        this.bytesOf = new byte[256 + merges.length][];
        for (int b = 0; b < 256; b++) bytesOf[b] = new byte[]{(byte) b};
        for (int i = 0; i < merges.length; i++) {
            int a = merges[i][0], b = merges[i][1];
            if (a < 0 || b < 0 || a >= 256 + i || b >= 256 + i)
                throw new IllegalArgumentException("ByteBpeTokenizer: merge " + i + " refers to ids " + a + ", " + b + " not yet defined");
            rank.put(pair(a, b), i);
            byte[] joined = Arrays.copyOf(bytesOf[a], bytesOf[a].length + bytesOf[b].length);
            System.arraycopy(bytesOf[b], 0, joined, bytesOf[a].length, bytesOf[b].length);
            bytesOf[256 + i] = joined;
        }
    }

    private static long pair(int a, int b) { return ((long) a << 32) | (b & 0xFFFFFFFFL); }

    /** Learns merges from {@code corpus} until there are {@code vocabSize >= 256} ids (or no pair repeats). */
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
                if (best == -1 || c > bestCount || (c == bestCount && e.getKey() < best)) { best = e.getKey(); bestCount = c; }
            }
            if (best == -1) break;
            int a = (int) (best >>> 32), b = (int) best, id = 256 + merges.size();
            merges.add(new int[]{a, b});
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
    @Override
    public int vocabSize() { return bytesOf.length; }

    /** The ids of {@code text}. */
    @Override
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
    @Override
    public String decode(int[] ids) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int id : ids) {
            if (id < 0 || id >= bytesOf.length) throw new IllegalArgumentException("ByteBpeTokenizer.decode: id " + id + " is not in [0, " + bytesOf.length + ")");
            out.writeBytes(bytesOf[id]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The bytes id {@code id} stands for. */
    public byte[] bytes(int id) { return bytesOf[id].clone(); }

    @Override
    public byte[] tokenBytes(int id) {
        if (id < 0 || id >= bytesOf.length) throw new IllegalArgumentException("ByteBpeTokenizer: id " + id + " is not in [0, " + bytesOf.length + ")");
        return bytes(id);
    }

    /** Merge {@code i}: the pair of ids {@code {left, right}} that id {@code 256 + i} joins. */
    public int[] merge(int i) { return merges[i].clone(); }

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

    private record Saved(String type, int[][] merges) {}

    /** Reads merges written by {@link #save}. */
    public static ByteBpeTokenizer load(Path file) {
        try {
            Saved s = new Gson().fromJson(Files.readString(file), Saved.class);
            if (s == null || s.merges() == null) throw new IllegalArgumentException(file + ": expected {\"merges\": [...]}, found none");
            return new ByteBpeTokenizer(s.merges());
        } catch (IOException e) {
            throw new UncheckedIOException("ByteBpeTokenizer.load: " + file + ": " + e.getMessage(), e);
        }
    }
}
