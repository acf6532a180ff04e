package dev.ember.data.text;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.data.io.DataFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level BPE tokenizer, read from Hugging Face's {@code vocab.json} (token string -> id) and
 * {@code merges.txt} (one merge per line, in rank order, after an optional {@code #version} line).
 *
 * <p>As OpenAI's {@code encoder.py}: the text is split by GPT-2's pattern (contractions, letters with an optional
 * leading space, numbers, other symbols, whitespace); each piece's UTF-8 bytes are mapped to printable characters
 * ({@code bytes_to_unicode}: the printable Latin-1 bytes stand for themselves, the others for U+0100 onwards, so a
 * space is {@code Ġ}); then the adjacent pair of lowest merge rank is merged, everywhere in the piece, until no
 * ranked pair remains; the resulting token strings are looked up in the vocabulary. Decoding maps the characters back
 * to bytes and reads them as UTF-8. Special tokens such as {@code <|endoftext|>} decode to their text but are not
 * recognised inside text being encoded (as {@code encoder.py}).
 */
public final class Gpt2Tokenizer implements TokenEncoder {
    /** GPT-2's pre-tokenisation pattern; {@code \s} is Unicode whitespace, as in Python's {@code regex} module. */
    private static final Pattern PIECES = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final Map<Character, Integer> CHAR_TO_BYTE = new HashMap<>();

    static {
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) printable[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) printable[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) printable[b] = true;
        int n = 0;
        for (int b = 0; b < 256; b++) {
            BYTE_TO_CHAR[b] = printable[b] ? (char) b : (char) (256 + n++);
            CHAR_TO_BYTE.put(BYTE_TO_CHAR[b], b);
        }
    }

    private final Map<String, Integer> vocab;
    private final String[] tokens;              // id -> token string
    private final Map<String, Integer> ranks;   // "left right" -> rank
    private final List<String[]> merges;
    private final String vocabSource;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /** {@code vocab}'s ids are checked by the caller to be distinct and in {@code [0, vocab.size())}. */
    private Gpt2Tokenizer(Map<String, Integer> vocab, List<String[]> merges, String vocabSource) {
        this.vocab = vocab;
        this.merges = merges;
        this.vocabSource = vocabSource;
        tokens = new String[vocab.size()];
        for (var e : vocab.entrySet()) tokens[e.getValue()] = e.getKey();
        ranks = new HashMap<>();
        for (int i = 0; i < merges.size(); i++) ranks.putIfAbsent(merges.get(i)[0] + " " + merges.get(i)[1], i);
    }

    /** Reads {@code vocab.json} and {@code merges.txt} from {@code dir}. */
    public static Gpt2Tokenizer load(Path dir) { return load(dir.resolve("vocab.json"), dir.resolve("merges.txt")); }

    /**
     * Reads the two files. A malformed entry is a {@link DataFormatException} naming the file and the token or line:
     * ids must be the integers {@code 0..n-1} of the {@code n} tokens, each once (so a hostile id cannot size an
     * array), and every merge must join two tokens into one that the vocabulary has.
     */
    public static Gpt2Tokenizer load(Path vocabJson, Path mergesTxt) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        try {
            JsonElement root = JsonParser.parseString(Files.readString(vocabJson, StandardCharsets.UTF_8));
            if (!root.isJsonObject()) throw new DataFormatException(vocabJson, "top level", "expected a JSON object {token: id}");
            int n = root.getAsJsonObject().size();
            String[] seen = new String[n];
            for (var e : root.getAsJsonObject().entrySet()) {
                JsonElement v = e.getValue();
                int id = v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber() && isInt(v.getAsDouble()) ? (int) v.getAsDouble() : -1;
                if (id < 0 || id >= n)
                    throw new DataFormatException(vocabJson, "token '" + e.getKey() + "'", "its id must be an integer in [0, " + n
                            + ") (one per token), got " + v);
                if (seen[id] != null)
                    throw new DataFormatException(vocabJson, "token '" + e.getKey() + "'", "id " + id + " is also given to '" + seen[id] + "'");
                seen[id] = e.getKey();
                vocab.put(e.getKey(), id);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(vocabJson + ": " + e.getMessage(), e);
        } catch (com.google.gson.JsonParseException e) {
            throw new DataFormatException(vocabJson, "parse", "not valid JSON: " + e.getMessage(), e);
        }
        List<String[]> merges = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(mergesTxt, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(mergesTxt + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) continue;
            String[] parts = line.split(" ", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty())
                throw new DataFormatException(mergesTxt, "line " + (i + 1), "expected two tokens separated by one space, got '" + line + "'");
            merges.add(parts);
        }
        Gpt2Tokenizer t = new Gpt2Tokenizer(vocab, merges, vocabJson.toString());
        for (int i = 0; i < merges.size(); i++) {
            String joined = merges.get(i)[0] + merges.get(i)[1];
            if (!vocab.containsKey(joined))
                throw new DataFormatException(mergesTxt, "merge " + (i + 1), "'" + merges.get(i)[0] + " " + merges.get(i)[1] + "' makes '" + joined
                        + "', which " + vocabJson + " does not have");
        }
        return t;
    }

    private static boolean isInt(double v) { return v == Math.rint(v) && Math.abs(v) < Integer.MAX_VALUE; }

    /**
     * The same tokenizer as Ember's {@link ByteBpeTokenizer} (ids {@code 0..255} the bytes, then one per merge) in GPT-2's
     * form, so that models trained with it are saved with {@code vocab.json} and {@code merges.txt}. Both split text by
     * the same pattern and apply merges by rank, so they give the same ids (for text whose whitespace is ASCII).
     */
    public static Gpt2Tokenizer fromByteBpe(ByteBpeTokenizer bpe) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<String[]> merges = new ArrayList<>();
        String[] str = new String[bpe.vocabSize()];
        for (int id = 0; id < bpe.vocabSize(); id++) {
            byte[] bytes = bpe.bytes(id);
            StringBuilder sb = new StringBuilder();
            for (byte b : bytes) sb.append(BYTE_TO_CHAR[b & 0xFF]);
            str[id] = sb.toString();
            if (vocab.putIfAbsent(str[id], id) != null)
                throw new IllegalArgumentException("Gpt2Tokenizer.fromByteBpe: ids " + vocab.get(str[id]) + " and " + id + " stand for the same bytes");
            if (id >= 256) {
                int[] pair = bpe.merge(id - 256);
                merges.add(new String[]{str[pair[0]], str[pair[1]]});
            }
        }
        return new Gpt2Tokenizer(vocab, merges, "(converted from ByteBpeTokenizer)");
    }

    /** Writes {@code vocab.json} and {@code merges.txt} into {@code dir}. */
    public void save(Path dir) {
        JsonObject v = new JsonObject();
        for (int id = 0; id < tokens.length; id++) if (tokens[id] != null) v.addProperty(tokens[id], id);
        StringBuilder m = new StringBuilder("#version: 0.2\n");
        for (String[] p : merges) m.append(p[0]).append(' ').append(p[1]).append('\n');
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("vocab.json"), v.toString(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("merges.txt"), m.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Gpt2Tokenizer.save: " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int[] encode(String text) {
        List<int[]> parts = new ArrayList<>();
        int total = 0;
        Matcher m = PIECES.matcher(text);
        while (m.find()) {
            int[] ids = cache.computeIfAbsent(m.group(), this::encodePiece);
            parts.add(ids);
            total += ids.length;
        }
        int[] out = new int[total];
        int o = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    private int[] encodePiece(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        List<String> word = new ArrayList<>(bytes.length);
        for (byte b : bytes) word.add(String.valueOf(BYTE_TO_CHAR[b & 0xFF]));
        while (word.size() > 1) {
            int best = Integer.MAX_VALUE;
            String first = null, second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer r = ranks.get(word.get(i) + " " + word.get(i + 1));
                if (r != null && r < best) {
                    best = r;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) break;
            List<String> merged = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); i++) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i++;
                } else {
                    merged.add(word.get(i));
                }
            }
            word = merged;
        }
        int[] ids = new int[word.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = vocab.get(word.get(i));
            if (id == null)
                throw new IllegalArgumentException("Gpt2Tokenizer: token '" + word.get(i) + "' (from the text '" + piece + "') is not in " + vocabSource);
            ids[i] = id;
        }
        return ids;
    }

    @Override
    public byte[] tokenBytes(int id) {
        if (id < 0 || id >= tokens.length || tokens[id] == null)
            throw new IllegalArgumentException("Gpt2Tokenizer: token id " + id + " is not in the vocabulary (" + vocabSource + ", " + tokens.length + " ids)");
        String t = tokens[id];
        ByteArrayOutputStream out = new ByteArrayOutputStream(t.length());
        for (int i = 0; i < t.length(); i++) {
            Integer b = CHAR_TO_BYTE.get(t.charAt(i));
            if (b == null) out.writeBytes(String.valueOf(t.charAt(i)).getBytes(StandardCharsets.UTF_8)); // not a byte character
            else out.write(b);
        }
        return out.toByteArray();
    }

    @Override
    public int vocabSize() { return tokens.length; }

    /** The id of a token string (as in {@code vocab.json}), or -1. */
    public int id(String token) { return vocab.getOrDefault(token, -1); }

    /** Number of merges. */
    public int mergeCount() { return merges.size(); }
}
