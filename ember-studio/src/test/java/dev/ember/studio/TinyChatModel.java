package dev.ember.studio;

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
 * A tiny character-level GPT with random weights and a ChatML template, written as a model folder (config.json,
 * model.safetensors, chars.json, tokenizer_config.json): every printable ASCII character is in its vocabulary.
 */
final class TinyChatModel {
    private TinyChatModel() {}

    static Path write(Path dir) {
        StringBuilder alphabet = new StringBuilder("\n");
        for (char c = 32; c < 127; c++) alphabet.append(c);
        CharEncoder chars = CharEncoder.fit(alphabet.toString());
        Ember.manualSeed(5);
        GPT gpt = new GPT(GPTConfig.builder(chars.vocabSize()).contextLength(256).layers(2).width(32).heads(2).initStd(0.3).build());
        Gpt2Checkpoint.save(gpt, dir);
        chars.save(dir.resolve("chars.json"));
        JsonObject config = new JsonObject();
        config.addProperty("chat_template", ChatTemplate.CHATML_JINJA);
        config.addProperty("eos_token", "<|im_end|>");
        try {
            Files.writeString(dir.resolve("tokenizer_config.json"), config.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }
}
