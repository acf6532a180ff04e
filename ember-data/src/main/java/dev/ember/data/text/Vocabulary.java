package dev.ember.data.text;

import com.google.gson.GsonBuilder;
import com.google.gson.stream.JsonToken;
import dev.ember.data.io.DataFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A token {@literal <->} id mapping. The special tokens come first ({@code <pad>}=0, {@code <unk>}=1,
 * {@code <bos>}=2, {@code <eos>}=3 by default), then tokens by falling frequency (ties in
 * alphabetical order), keeping those seen at least {@code minFreq} times, up to {@code maxSize}
 * ids in all. Unknown tokens map to {@code <unk>}. Saved and loaded as JSON; a malformed file is
 * a {@link DataFormatException} naming it and the JSON path.
 */
public final class Vocabulary {
    /** Padding token. */
    public static final String PAD = "<pad>";
    /** Unknown-token token. */
    public static final String UNK = "<unk>";
    /** Beginning-of-sequence token. */
    public static final String BOS = "<bos>";
    /** End-of-sequence token. */
    public static final String EOS = "<eos>";
    /** The default special tokens, in id order. */
    public static final List<String> DEFAULT_SPECIALS = List.of(PAD, UNK, BOS, EOS);

    private final List<String> specials;
    private final List<String> tokens;
    private final Map<String, Integer> ids = new HashMap<>();

    private Vocabulary(List<String> specials, List<String> tokens) {
        if (!specials.contains(UNK)) throw new IllegalArgumentException("Vocabulary: the specials must include " + UNK + ", got " + specials);
        this.specials = List.copyOf(specials);
        this.tokens = List.copyOf(tokens);
        for (int i = 0; i < this.tokens.size(); i++)
            if (ids.put(this.tokens.get(i), i) != null) throw new IllegalArgumentException("Vocabulary: token '" + this.tokens.get(i) + "' appears twice");
    }

    /** Builds from tokenized documents with the default specials; {@code maxSize <= 0} means no limit. */
    public static Vocabulary build(Iterable<? extends List<String>> documents, int minFreq, int maxSize) {
        return build(documents, minFreq, maxSize, DEFAULT_SPECIALS);
    }

    /** Builds from tokenized documents with the given specials (which must include {@code <unk>}). */
    public static Vocabulary build(Iterable<? extends List<String>> documents, int minFreq, int maxSize, List<String> specials) {
        if (minFreq < 1) throw new IllegalArgumentException("Vocabulary.build: minFreq must be >= 1, got " + minFreq);
        if (maxSize > 0 && maxSize < specials.size())
            throw new IllegalArgumentException("Vocabulary.build: maxSize " + maxSize + " leaves no room for the " + specials.size() + " special tokens");
        Map<String, Integer> counts = new HashMap<>();
        for (List<String> doc : documents) for (String t : doc) counts.merge(t, 1, Integer::sum);
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.removeIf(e -> e.getValue() < minFreq || specials.contains(e.getKey()));
        entries.sort((a, b) -> a.getValue().equals(b.getValue()) ? a.getKey().compareTo(b.getKey()) : b.getValue() - a.getValue());
        List<String> all = new ArrayList<>(specials);
        for (var e : entries) {
            if (maxSize > 0 && all.size() >= maxSize) break;
            all.add(e.getKey());
        }
        return new Vocabulary(specials, all);
    }

    /** Number of ids, specials included. */
    public int size() { return tokens.size(); }

    /** Whether {@code token} has its own id. */
    public boolean contains(String token) { return ids.containsKey(token); }

    /** The id of {@code token}, or the {@code <unk>} id. */
    public int id(String token) {
        Integer i = ids.get(token);
        return i != null ? i : ids.get(UNK);
    }

    /** The token of {@code id}. */
    public String token(int id) {
        if (id < 0 || id >= tokens.size()) throw new IndexOutOfBoundsException("Vocabulary: id " + id + " out of range for size " + tokens.size());
        return tokens.get(id);
    }

    /** The id of a special token. */
    public int specialId(String special) {
        if (!specials.contains(special)) throw new IllegalArgumentException("Vocabulary: " + special + " is not one of the specials " + specials);
        return ids.get(special);
    }

    /** The ids of {@code tokens}; with {@code addBosEos}, framed by {@code <bos>} and {@code <eos>}. */
    public int[] encode(List<String> tokens, boolean addBosEos) {
        int extra = addBosEos ? 2 : 0;
        int[] out = new int[tokens.size() + extra];
        int o = 0;
        if (addBosEos) out[o++] = specialId(BOS);
        for (String t : tokens) out[o++] = id(t);
        if (addBosEos) out[o] = specialId(EOS);
        return out;
    }

    /** The tokens of {@code ids}, skipping {@code <pad>} if {@code skipPadding}. */
    public List<String> decode(int[] ids, boolean skipPadding) {
        List<String> out = new ArrayList<>(ids.length);
        Integer pad = this.ids.get(PAD);
        for (int id : ids) if (!(skipPadding && pad != null && id == pad)) out.add(token(id));
        return out;
    }

    /** All tokens in id order. */
    public List<String> tokens() { return tokens; }

    private record Saved(List<String> specials, List<String> tokens) {}

    /** Writes {@code {"specials": [...], "tokens": [...]}} (tokens in id order). */
    public void save(Path file) {
        try {
            Files.writeString(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(new Saved(specials, tokens)));
        } catch (IOException e) {
            throw new UncheckedIOException("Vocabulary.save: " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a vocabulary written by {@link #save}: {@code {"specials": [...], "tokens": [...]}},
     * strict JSON of strings, the tokens starting with the specials, which include {@code <unk>},
     * and no token twice. Unknown fields are ignored.
     *
     * @throws DataFormatException if the file is not such a vocabulary, naming it and the JSON path
     * @throws UncheckedIOException if it cannot be read
     */
    public static Vocabulary load(Path file) {
        Saved s = JsonInput.read(file, "Vocabulary.load", json -> {
            json.expect(JsonToken.BEGIN_OBJECT, "an object {\"specials\": [...], \"tokens\": [...]}");
            json.in.beginObject();
            List<String> specials = null, tokens = null;
            while (json.in.hasNext()) {
                switch (json.in.nextName()) {
                    case "specials" -> {
                        if (specials != null) throw json.error("\"specials\" appears twice");
                        specials = strings(json, "specials");
                    }
                    case "tokens" -> {
                        if (tokens != null) throw json.error("\"tokens\" appears twice");
                        tokens = strings(json, "tokens");
                    }
                    default -> json.in.skipValue();
                }
            }
            json.in.endObject();
            if (specials == null || tokens == null)
                throw json.error("expected {\"specials\": [...], \"tokens\": [...]}, found no \"" + (specials == null ? "specials" : "tokens") + "\"");
            return new Saved(specials, tokens);
        });
        if (!s.tokens().subList(0, Math.min(s.specials().size(), s.tokens().size())).equals(s.specials()))
            throw new DataFormatException(file, "\"tokens\"", "the first tokens must be the specials " + s.specials());
        try {
            return new Vocabulary(s.specials(), s.tokens());
        } catch (IllegalArgumentException e) { // no <unk>, or a token twice
            throw new DataFormatException(file, "\"tokens\"", e.getMessage(), e);
        }
    }

    private static List<String> strings(JsonInput json, String field) throws java.io.IOException {
        json.expect(JsonToken.BEGIN_ARRAY, "\"" + field + "\" to be an array of strings");
        json.in.beginArray();
        List<String> out = new ArrayList<>();
        while (json.in.hasNext()) out.add(json.string("a string in \"" + field + "\""));
        json.in.endArray();
        return out;
    }
}
