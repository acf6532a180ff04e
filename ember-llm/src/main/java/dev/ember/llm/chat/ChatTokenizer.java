package dev.ember.llm.chat;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.ember.data.io.DataFormatException;
import dev.ember.data.text.CharEncoder;
import dev.ember.data.text.Gpt2Tokenizer;
import dev.ember.data.text.TokenEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tokenizer of a chat model: a base {@link TokenEncoder} (GPT-2's byte-level BPE, a character vocabulary) plus
 * special tokens such as ChatML's {@code <|im_start|>} and {@code <|im_end|>}, each one id, matched whole wherever
 * they occur in the text being encoded (as Hugging Face's tokenizers split added tokens out before the base model
 * runs); the text between them goes to the base tokenizer.
 *
 * <p>A special token the base vocabulary already holds as one token (GPT-2's {@code <|endoftext|>}, id 50256) keeps
 * that id; the others get ids after the base vocabulary, and a model must have embeddings for them. They are saved as
 * Hugging Face saves added tokens: {@code added_tokens.json} ({@code {"<|im_start|>": 50257, ...}}).
 *
 * <p>Special tokens are recognised in every part of the text, messages included, as Hugging Face does by default: a
 * user who types {@code <|im_end|>} produces that token.
 */
public final class ChatTokenizer implements TokenEncoder {
    private final TokenEncoder base;
    private final Map<String, Integer> special;   // token -> id, in id order
    private final Map<Integer, String> byId;
    private final List<String> longestFirst;
    private final int vocabSize;

    private ChatTokenizer(TokenEncoder base, Map<String, Integer> special) {
        this.base = base;
        Map<String, Integer> sorted = new LinkedHashMap<>();
        special.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> sorted.put(e.getKey(), e.getValue()));
        this.special = Collections.unmodifiableMap(sorted);
        this.byId = new HashMap<>();
        int size = base.vocabSize();
        for (var e : sorted.entrySet()) {
            if (e.getKey().isEmpty()) throw new IllegalArgumentException("ChatTokenizer: a special token is empty");
            if (e.getValue() < 0) throw new IllegalArgumentException("ChatTokenizer: special token '" + e.getKey() + "' has negative id " + e.getValue());
            String other = byId.put(e.getValue(), e.getKey());
            if (other != null)
                throw new IllegalArgumentException("ChatTokenizer: special tokens '" + other + "' and '" + e.getKey() + "' share id " + e.getValue());
            size = Math.max(size, e.getValue() + 1);
        }
        this.vocabSize = size;
        this.longestFirst = new ArrayList<>(sorted.keySet());
        longestFirst.sort(Comparator.comparingInt(String::length).reversed());
    }

    /** {@code base} with the given special tokens and ids (ids below the base vocabulary size replace base tokens). */
    public static ChatTokenizer of(TokenEncoder base, Map<String, Integer> specialTokens) {
        if (base instanceof ChatTokenizer c) {
            Map<String, Integer> merged = new HashMap<>(c.special);
            merged.putAll(specialTokens);
            return new ChatTokenizer(c.base, merged);
        }
        return new ChatTokenizer(base, specialTokens);
    }

    /**
     * {@code base} with {@code tokens} as special tokens: those that the base already has as one token (a GPT-2
     * vocabulary entry) keep its id, the others are numbered from the base vocabulary size (or after this tokenizer's
     * existing special tokens) in the order given. Tokens already special are left as they are.
     */
    public static ChatTokenizer withSpecialTokens(TokenEncoder base, List<String> tokens) {
        Map<String, Integer> ids = new HashMap<>();
        TokenEncoder root = base;
        int next = base.vocabSize();
        if (base instanceof ChatTokenizer c) {
            ids.putAll(c.special);
            root = c.base;
        }
        for (String t : tokens) {
            if (ids.containsKey(t)) continue;
            int existing = root instanceof Gpt2Tokenizer g ? g.id(t) : -1;
            ids.put(t, existing >= 0 ? existing : next++);
        }
        return new ChatTokenizer(root, ids);
    }

    /**
     * The tokenizer in a model folder: the base ({@link TokenEncoder#load}) and the special tokens of
     * {@code added_tokens.json} and of {@code tokenizer_config.json}'s {@code added_tokens_decoder}, when present.
     * A malformed file is a {@link DataFormatException} naming it and the entry.
     */
    public static ChatTokenizer load(Path dir) {
        TokenEncoder base = TokenEncoder.load(dir);
        Map<String, Integer> ids = new HashMap<>();
        Path added = dir.resolve("added_tokens.json");
        if (Files.isRegularFile(added)) {
            JsonObject o = object(added);
            for (var e : o.entrySet()) ids.put(e.getKey(), id(e.getValue(), added, "token '" + e.getKey() + "'"));
        }
        Path config = dir.resolve("tokenizer_config.json");
        if (Files.isRegularFile(config)) {
            JsonObject o = object(config);
            if (o.has("added_tokens_decoder")) {
                if (!o.get("added_tokens_decoder").isJsonObject())
                    throw new DataFormatException(config, "added_tokens_decoder", "expected an object {id: {\"content\": ...}}");
                for (var e : o.getAsJsonObject("added_tokens_decoder").entrySet()) {
                    int id;
                    try {
                        id = Integer.parseInt(e.getKey());
                    } catch (NumberFormatException ex) {
                        throw new DataFormatException(config, "added_tokens_decoder." + e.getKey(), "the key must be a token id");
                    }
                    JsonElement v = e.getValue();
                    if (!v.isJsonObject() || !v.getAsJsonObject().has("content") || !v.getAsJsonObject().get("content").isJsonPrimitive())
                        throw new DataFormatException(config, "added_tokens_decoder." + e.getKey(), "expected {\"content\": \"<token>\", ...}");
                    String content = v.getAsJsonObject().get("content").getAsString();
                    if (id < 0) throw new DataFormatException(config, "added_tokens_decoder." + e.getKey(), "negative token id");
                    Integer before = ids.putIfAbsent(content, id);
                    if (before != null && before != id)
                        throw new DataFormatException(config, "added_tokens_decoder." + e.getKey(), "'" + content + "' is id " + before + " in added_tokens.json");
                }
            }
        }
        try {
            return new ChatTokenizer(base, ids);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(dir + ": " + e.getMessage(), e);
        }
    }

    static JsonObject object(Path file) {
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) throw new DataFormatException(file, "top level", "expected a JSON object");
            return e.getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        } catch (JsonParseException e) {
            throw new DataFormatException(file, "JSON", "not valid JSON: " + e.getMessage(), e);
        }
    }

    private static int id(JsonElement v, Path file, String where) {
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) throw new DataFormatException(file, where, "expected an integer id, got " + v);
        double d = v.getAsDouble();
        if (d != Math.rint(d) || d < 0 || d > Integer.MAX_VALUE) throw new DataFormatException(file, where, "expected a non-negative integer id, got " + v);
        return (int) d;
    }

    /**
     * Writes the base tokenizer ({@code vocab.json} and {@code merges.txt} for GPT-2's BPE, {@code chars.json} for a
     * character vocabulary) and {@code added_tokens.json} into {@code dir}.
     */
    public void save(Path dir) {
        switch (base) {
            case Gpt2Tokenizer g -> g.save(dir);
            case CharEncoder c -> {
                try {
                    Files.createDirectories(dir);
                } catch (IOException e) {
                    throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
                }
                c.save(dir.resolve("chars.json"));
            }
            default -> throw new IllegalArgumentException("ChatTokenizer.save: cannot save a " + base.getClass().getSimpleName()
                    + " in a model folder (GPT-2 BPE or a character vocabulary)");
        }
        JsonObject o = new JsonObject();
        new TreeMap<>(byId).forEach((id, t) -> o.addProperty(t, id));
        try {
            Files.writeString(dir.resolve("added_tokens.json"), new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(dir.resolve("added_tokens.json") + ": " + e.getMessage(), e);
        }
    }

    /** The base tokenizer. */
    public TokenEncoder base() { return base; }

    /** The special tokens and their ids, in id order. */
    public Map<String, Integer> specialTokens() { return special; }

    /** The id of special token {@code token}, or -1. */
    public int specialId(String token) { return special.getOrDefault(token, -1); }

    /** Whether {@code id} is a special token. */
    public boolean isSpecial(int id) { return byId.containsKey(id); }

    @Override
    public int[] encode(String text) {
        List<int[]> parts = new ArrayList<>();
        int from = 0, total = 0;
        while (from <= text.length()) {
            int at = -1;
            String hit = null;
            for (String t : longestFirst) { // the earliest match; at one position the longest token
                int k = text.indexOf(t, from);
                if (k >= 0 && (at < 0 || k < at)) {
                    at = k;
                    hit = t;
                }
            }
            int[] plain = base.encode(text.substring(from, at < 0 ? text.length() : at));
            parts.add(plain);
            total += plain.length;
            if (at < 0) break;
            parts.add(new int[]{special.get(hit)});
            total++;
            from = at + hit.length();
        }
        int[] out = new int[total];
        int o = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    @Override
    public byte[] tokenBytes(int id) {
        String s = byId.get(id);
        if (s != null) return s.getBytes(StandardCharsets.UTF_8);
        if (id < 0 || id >= base.vocabSize())
            throw new IllegalArgumentException("ChatTokenizer: token id " + id + " is neither in the base vocabulary [0, " + base.vocabSize()
                    + ") nor a special token");
        return base.tokenBytes(id);
    }

    @Override
    public int vocabSize() { return vocabSize; }

    @Override
    public String toString() { return "ChatTokenizer(" + base.getClass().getSimpleName() + " of " + base.vocabSize() + " ids, special " + special + ")"; }
}
