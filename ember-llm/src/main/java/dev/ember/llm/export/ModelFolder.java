package dev.ember.llm.export;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.ember.DType;
import dev.ember.llm.chat.ChatTemplate;
import dev.ember.llm.chat.ChatTokenizer;
import dev.ember.llm.tune.LoraAdapter;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.Gpt2Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A chat model in a Hugging Face style folder: {@code config.json} and {@code model.safetensors} (GPT-2's layout, see
 * {@link Gpt2Checkpoint}), the tokenizer files ({@code vocab.json} and {@code merges.txt}, or Ember's
 * {@code chars.json}; {@code added_tokens.json}), and {@code tokenizer_config.json} with the {@code chat_template}
 * and special tokens, plus {@code special_tokens_map.json}. {@link #load} reads such a folder, optionally with a
 * LoRA adapter folder on top; {@link #save} writes one; {@link #exportMerged} folds an adapter into its base.
 *
 * @param model     the language model (eval mode)
 * @param tokenizer its tokenizer
 * @param template  its chat template, when the folder (or the adapter's folder) has one
 * @param adapter   the attached LoRA adapter, or null
 */
public record ModelFolder(GPT model, ChatTokenizer tokenizer, Optional<ChatTemplate> template, LoraAdapter adapter) {

    /**
     * The model in {@code dir}, with the LoRA adapter in {@code adapterDir} attached (null: none). The chat template
     * is the adapter folder's when it has one, else the model folder's.
     */
    public static ModelFolder load(Path dir, Path adapterDir) { return load(dir, adapterDir, null); }

    /**
     * As {@link #load(Path, Path)}, with the model in {@code dtype} (null: the checkpoint's own, as Hugging Face's
     * {@code torch_dtype="auto"}). Fine-tuning asks for FLOAT32: the weights it trains and the optimizer's state stay
     * float32 masters whatever the file holds (16-bit compute is {@code Ember.autocast}'s job), while chat and serving
     * run a BF16 checkpoint in BF16.
     */
    public static ModelFolder load(Path dir, Path adapterDir, DType dtype) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--model: " + dir + " is not a folder");
        GPT model = Gpt2Checkpoint.load(dir, dtype);
        ChatTokenizer tokenizer = ChatTokenizer.load(dir);
        if (tokenizer.vocabSize() > model.config().vocabSize())
            throw new IllegalArgumentException(dir + ": the tokenizer has " + tokenizer.vocabSize() + " ids but config.json's vocab_size is "
                    + model.config().vocabSize());
        Optional<ChatTemplate> template = Optional.empty();
        LoraAdapter adapter = null;
        if (adapterDir != null) {
            if (!Files.isDirectory(adapterDir)) throw new IllegalArgumentException("--adapter: " + adapterDir + " is not a folder");
            adapter = LoraAdapter.load(adapterDir, model);
            template = ChatTemplate.forModel(adapterDir);
        }
        if (template.isEmpty()) template = ChatTemplate.forModel(dir);
        model.eval();
        return new ModelFolder(model, tokenizer, template, adapter);
    }

    /** The chat template, or an error that says the model has none and what to do. */
    public ChatTemplate requireTemplate(Path dir) {
        return template.orElseThrow(() -> new IllegalArgumentException(dir + " has no chat template (no chat_template in tokenizer_config.json, "
                + "no chat_template.jinja): it is a base model, not a chat model. Fine-tune it first (./ember tune), or pass --template chatml "
                + "to talk to it in ChatML anyway"));
    }

    /**
     * Writes {@code model}, {@code tokenizer} and {@code template} (null: no chat template) into {@code dir} as a
     * Hugging Face style folder.
     */
    public static void save(GPT model, ChatTokenizer tokenizer, ChatTemplate template, Path dir) {
        Gpt2Checkpoint.save(model, dir);
        saveTokenizer(tokenizer, template, model.config().contextLength(), dir);
    }

    /** The tokenizer files and {@code tokenizer_config.json} (with the chat template, when given). */
    public static void saveTokenizer(ChatTokenizer tokenizer, ChatTemplate template, int contextLength, Path dir) {
        tokenizer.save(dir);
        JsonObject cfg = new JsonObject();
        JsonObject decoder = new JsonObject();
        tokenizer.specialTokens().forEach((t, id) -> {
            JsonObject o = new JsonObject();
            o.addProperty("content", t);
            o.addProperty("lstrip", false);
            o.addProperty("normalized", false);
            o.addProperty("rstrip", false);
            o.addProperty("single_word", false);
            o.addProperty("special", true);
            decoder.add(String.valueOf(id), o);
        });
        cfg.add("added_tokens_decoder", decoder);
        JsonObject map = new JsonObject();
        if (template != null) {
            if (template.bosToken() != null) {
                cfg.addProperty("bos_token", template.bosToken());
                map.addProperty("bos_token", template.bosToken());
            }
            if (template.eosToken() != null) {
                cfg.addProperty("eos_token", template.eosToken());
                map.addProperty("eos_token", template.eosToken());
            }
            cfg.addProperty("chat_template", template.source());
        }
        cfg.addProperty("clean_up_tokenization_spaces", false);
        cfg.addProperty("model_max_length", contextLength);
        cfg.addProperty("tokenizer_class", tokenizer.base() instanceof dev.ember.data.text.Gpt2Tokenizer ? "GPT2Tokenizer" : "EmberCharTokenizer");
        var gson = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
        try {
            Files.writeString(dir.resolve("tokenizer_config.json"), gson.toJson(cfg), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("special_tokens_map.json"), gson.toJson(map), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Folds the LoRA adapter in {@code adapterDir} into the base model in {@code baseDir} and writes the merged model
     * to {@code outDir} as a Hugging Face style folder: config, weights, tokenizer files and the chat template (the
     * adapter folder's when it has one, else the base's). {@code ./ember chat} and {@link Gpt2Checkpoint#load} read
     * it back. Returns the merged model.
     */
    public static GPT exportMerged(Path baseDir, Path adapterDir, Path outDir) {
        if (adapterDir == null) throw new IllegalArgumentException("export: --adapter is required");
        if (outDir.toAbsolutePath().normalize().equals(baseDir.toAbsolutePath().normalize()))
            throw new IllegalArgumentException("export: --out must not be the base model's folder " + baseDir);
        ModelFolder m = load(baseDir, adapterDir);
        m.adapter().merge();
        m.adapter().detach();
        save(m.model(), m.tokenizer(), m.template().orElse(null), outDir);
        return m.model();
    }
}
