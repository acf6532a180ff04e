package dev.ember.data.text;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * One id per Unicode code point, the ids in code-point order of the characters seen when it was built (a
 * character-level language model's vocabulary). Saved as a JSON array of the characters ({@code chars.json}).
 */
public final class CharEncoder implements TokenEncoder {
    private final String[] chars;
    private final Map<Integer, Integer> ids = new HashMap<>();

    private CharEncoder(String[] chars) {
        this.chars = chars;
        for (int i = 0; i < chars.length; i++) {
            if (chars[i].codePointCount(0, chars[i].length()) != 1)
                throw new IllegalArgumentException("CharEncoder: entry " + i + " ('" + chars[i] + "') is not a single character");
            if (ids.put(chars[i].codePointAt(0), i) != null)
                throw new IllegalArgumentException("CharEncoder: character '" + chars[i] + "' appears twice");
        }
    }

    /** The sorted distinct code points of {@code texts}. */
    public static CharEncoder fit(String... texts) {
        TreeSet<Integer> cps = new TreeSet<>();
        for (String t : texts) t.codePoints().forEach(cps::add);
        return new CharEncoder(cps.stream().map(Character::toString).toArray(String[]::new));
    }

    @Override
    public int[] encode(String text) {
        return text.codePoints().map(cp -> {
            Integer id = ids.get(cp);
            if (id == null)
                throw new IllegalArgumentException("CharEncoder: character '" + Character.toString(cp) + "' (U+" + String.format("%04X", cp)
                        + ") is not in the vocabulary of " + chars.length + " characters");
            return id;
        }).toArray();
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) sb.append(token(id));
        return sb.toString();
    }

    private String token(int id) {
        if (id < 0 || id >= chars.length)
            throw new IllegalArgumentException("CharEncoder: token id " + id + " is outside the vocabulary [0, " + chars.length + ")");
        return chars[id];
    }

    @Override
    public int vocabSize() { return chars.length; }

    @Override
    public byte[] tokenBytes(int id) { return token(id).getBytes(StandardCharsets.UTF_8); }

    /** Writes the characters as a JSON array. */
    public void save(Path file) {
        try {
            Files.writeString(file, new Gson().toJson(chars));
        } catch (IOException e) {
            throw new UncheckedIOException("CharEncoder.save: " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a file written by {@link #save}. */
    public static CharEncoder load(Path file) {
        String[] chars;
        try {
            chars = new Gson().fromJson(Files.readString(file), String[].class);
        } catch (IOException e) {
            throw new UncheckedIOException("CharEncoder.load: " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("CharEncoder.load: " + file + " is not a JSON array of characters: " + e.getMessage(), e);
        }
        if (chars == null) throw new IllegalArgumentException("CharEncoder.load: " + file + " is empty");
        try {
            return new CharEncoder(chars);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() { return "CharEncoder(" + chars.length + " characters: " + Arrays.toString(Arrays.copyOf(chars, Math.min(10, chars.length))) + "...)"; }
}
