package dev.ember.serve;

import dev.ember.Ember;
import dev.ember.data.text.CharEncoder;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.GPTConfig;
import dev.ember.nn.lm.Gpt2Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny character-level GPT written to a folder as {@code ./ember train --model gpt} writes one (config.json,
 * model.safetensors, chars.json), with random weights: every printable ASCII character and the newline are in its
 * vocabulary, so any English prompt and ChatML's markers can be encoded. Weights are drawn with a larger scale than
 * GPT-2's 0.02 so that the next-token distribution is far from uniform and greedy text varies.
 */
final class TinyModels {
    private TinyModels() {}

    static final String ALPHABET;

    static {
        StringBuilder sb = new StringBuilder("\n");
        for (char c = 32; c < 127; c++) sb.append(c);
        ALPHABET = sb.toString();
    }

    /** Writes the model into {@code dir} (created) and returns it. */
    static Path write(Path dir, int context, long seed) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CharEncoder chars = CharEncoder.fit(ALPHABET);
        Ember.manualSeed(seed);
        GPT gpt = new GPT(GPTConfig.builder(chars.vocabSize()).contextLength(context).layers(2).width(32).heads(2).initStd(0.3).build());
        Gpt2Checkpoint.save(gpt, dir);
        chars.save(dir.resolve("chars.json"));
        return dir;
    }
}
