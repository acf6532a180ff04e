package dev.ember.serve;

import com.google.gson.JsonObject;
import dev.ember.Ember;
import dev.ember.data.text.CharEncoder;
import dev.ember.llm.chat.ChatTemplate;
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
 * GPT-2's 0.02 so that the next-token distribution is far from uniform and greedy text varies. With {@code chatml}
 * the folder also holds a {@code tokenizer_config.json} whose {@code chat_template} is ChatML (its markers are
 * spelled out in characters by this vocabulary).
 */
final class TinyModels {
    private TinyModels() {}

    static final String ALPHABET;

    static {
        StringBuilder sb = new StringBuilder("\n");
        for (char c = 32; c < 127; c++) sb.append(c);
        ALPHABET = sb.toString();
    }

    /** Writes the model with a ChatML template into {@code dir} (created) and returns it. */
    static Path write(Path dir, int context, long seed) { return write(dir, context, seed, true); }

    /** Writes the model into {@code dir} (created), with or without a chat template, and returns it. */
    static Path write(Path dir, int context, long seed, boolean chatml) {
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
        if (chatml) {
            JsonObject config = new JsonObject();
            config.addProperty("chat_template", ChatTemplate.CHATML_JINJA);
            config.addProperty("eos_token", "<|im_end|>");
            try {
                Files.writeString(dir.resolve("tokenizer_config.json"), config.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }
}
