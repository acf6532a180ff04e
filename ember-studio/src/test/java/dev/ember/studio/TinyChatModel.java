package dev.ember.studio;

import com.google.gson.JsonObject;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.text.CharEncoder;
import dev.ember.llm.chat.ChatMessage;
import dev.ember.llm.chat.ChatTemplate;
import dev.ember.nn.functional.F;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.GPTConfig;
import dev.ember.nn.lm.Gpt2Checkpoint;
import dev.ember.optim.AdamW;
import dev.ember.optim.Optimizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny character-level GPT with a ChatML template, written as a model folder (config.json, model.safetensors,
 * chars.json, tokenizer_config.json): every printable ASCII character is in its vocabulary. {@link #write} leaves its
 * weights random; {@link #trained} first fits it to a few ChatML conversations, so it answers them (for the browser
 * test's screenshot).
 */
final class TinyChatModel {
    private TinyChatModel() {}

    /** Three riddles and a greeting, alone and as one conversation: what {@link #trained} fits. */
    static final List<List<ChatMessage>> CONVERSATIONS = List.of(
            List.of(ChatMessage.user("Hello!"), ChatMessage.assistant("Hello! Ask me a riddle.")),
            List.of(ChatMessage.user("Hello!"), ChatMessage.assistant("Hello! Ask me a riddle."),
                    ChatMessage.user("What has keys but can't open locks?"), ChatMessage.assistant("A piano.")),
            List.of(ChatMessage.user("What has keys but can't open locks?"), ChatMessage.assistant("A piano.")),
            List.of(ChatMessage.user("What gets wetter as it dries?"), ChatMessage.assistant("A towel.")),
            List.of(ChatMessage.user("What has a neck but no head?"), ChatMessage.assistant("A bottle.")));

    static Path write(Path dir) { return write(dir, 0); }

    /** The model after {@code steps} AdamW steps on {@link #CONVERSATIONS} (all of them each step). */
    static Path trained(Path dir, int steps) { return write(dir, steps); }

    private static Path write(Path dir, int steps) {
        StringBuilder alphabet = new StringBuilder("\n");
        for (char c = 32; c < 127; c++) alphabet.append(c);
        CharEncoder chars = CharEncoder.fit(alphabet.toString());
        Ember.manualSeed(5);
        GPT gpt = new GPT(GPTConfig.builder(chars.vocabSize()).contextLength(256).layers(2).width(32).heads(2).initStd(steps > 0 ? 0.02 : 0.3)
                .build());
        if (steps > 0) fit(gpt, chars, steps);
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

    /**
     * Next-token training on the ChatML texts of the conversations, right-padded with newlines to one length (so each
     * starts at position 0, as a prompt does).
     */
    private static void fit(GPT gpt, CharEncoder chars, int steps) {
        List<int[]> texts = new ArrayList<>();
        int longest = 0;
        for (List<ChatMessage> c : CONVERSATIONS) {
            int[] ids = chars.encode(ChatTemplate.chatml().render(c, false));
            texts.add(ids);
            longest = Math.max(longest, ids.length);
        }
        int n = texts.size(), t = longest - 1, pad = chars.encode("\n")[0];
        long[] in = new long[n * t], out = new long[n * t];
        for (int i = 0; i < n; i++) {
            int[] ids = texts.get(i);
            int[] padded = new int[longest];
            java.util.Arrays.fill(padded, pad);
            System.arraycopy(ids, 0, padded, 0, ids.length);
            for (int j = 0; j < t; j++) {
                in[i * t + j] = padded[j];
                out[i * t + j] = padded[j + 1];
            }
        }
        Tensor x = Tensor.of(in, n, t), y = Tensor.of(out, n * t);
        Optimizer opt = AdamW.builder(3e-3).weightDecay(0).buildW(gpt.parameters());
        gpt.train();
        for (int step = 0; step < steps; step++) {
            Tensor loss = F.crossEntropy(gpt.forward(x).reshape(n * t, -1), y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
        gpt.eval();
    }
}
