package dev.ember.data.text;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Maps text to integer token ids and back, for language models: {@link CharEncoder} (one id per character),
 * {@link Gpt2Tokenizer} (GPT-2's byte-level BPE) and {@link ByteBpeTokenizer}.
 */
public interface TokenEncoder {
    /** The ids of {@code text}. */
    int[] encode(String text);

    /**
     * The text of {@code ids}; an id outside {@code [0, vocabSize())} is an error naming it. By default the ids'
     * {@link #tokenBytes} concatenated and read as UTF-8 (a split character in the middle becomes U+FFFD).
     */
    default String decode(int[] ids) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int id : ids) out.writeBytes(tokenBytes(id));
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Number of ids. */
    int vocabSize();

    /**
     * The UTF-8 bytes that id {@code id} stands for. A byte-level token may hold part of a character, so a stream of
     * tokens is printed by feeding these bytes to one incremental UTF-8 decoder.
     */
    byte[] tokenBytes(int id);

    /**
     * The tokenizer saved in a model folder: GPT-2's {@code vocab.json} and {@code merges.txt}, or a character
     * vocabulary {@code chars.json}.
     */
    static TokenEncoder load(Path dir) {
        if (Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt"))) return Gpt2Tokenizer.load(dir);
        if (Files.isRegularFile(dir.resolve("chars.json"))) return CharEncoder.load(dir.resolve("chars.json"));
        throw new IllegalArgumentException(dir + ": no tokenizer found (vocab.json and merges.txt, or chars.json)");
    }
}
