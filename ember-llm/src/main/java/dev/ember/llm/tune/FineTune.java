package dev.ember.llm.tune;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.DataLoader;
import dev.ember.llm.chat.ChatTemplate;
import dev.ember.llm.chat.ChatTokenizer;
import dev.ember.llm.chat.EncodedChat;
import dev.ember.llm.data.Conversation;
import dev.ember.llm.data.InstructionFormat;
import dev.ember.llm.data.SftDataset;
import dev.ember.llm.data.TuningData;
import dev.ember.llm.export.ModelFolder;
import dev.ember.metrics.Perplexity;
import dev.ember.nn.Module;
import dev.ember.nn.lm.GPT;
import dev.ember.optim.AdamW;
import dev.ember.train.Checkpoint;
import dev.ember.train.EpochResult;
import dev.ember.train.Mode;
import dev.ember.train.ProgressBar;
import dev.ember.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Supervised fine-tuning of a base model into a chat model, as {@code ./ember tune --stage sft} runs it: the
 * conversations ({@link TuningData}) rendered with the chat template (ChatML by default), the loss on assistant tokens
 * only, short examples packed into the context, AdamW on what the method trains (every weight, the last blocks, or
 * LoRA adapters), and the {@link Trainer} with validation loss and perplexity on the held-out conversations after
 * every epoch, checkpoints and resume. The output folder is a chat model (full, freeze) or a LoRA adapter with the
 * tokenizer and chat template beside it (lora).
 *
 * <p>ChatML's markers that the base vocabulary lacks are written as ordinary text (a few tokens each) and matched as
 * stop strings in generation, so every method works on the base model unchanged: no embedding rows are added, which
 * LoRA and freeze tuning could not train.
 */
public final class FineTune {
    private FineTune() {}

    /** What is trained. */
    public enum Method { FULL, FREEZE, LORA }

    /**
     * What a run needs. {@code data} null means the riddles ({@code riddles} null: Debian's or the bundled set);
     * {@code template} is {@code "chatml"} or {@code "model"} (the base folder's own); {@code cutoff} 0 means the model's
     * context length; {@code resume} is a checkpoint file or null.
     */
    public record Options(Path model, Path data, InstructionFormat format, Path riddles, String system, String template, Method method,
                          int loraRank, double loraAlpha, double loraDropout, List<String> loraTargets, int freezeBlocks,
                          List<String> freezeModules, int epochs, int batchSize, double lr, double weightDecay, boolean packing, int cutoff,
                          long seed, Device device, Path out, Path resume) {}

    /**
     * What a run produced: the last validation loss and perplexity (assistant tokens of the held-out conversations),
     * trainable and total parameter counts, the training rows, the mean step time (seconds, from the run log, the
     * first epoch left out when there are more), the process's peak resident memory (bytes, {@code VmHWM}).
     */
    public record Result(Path out, double valLoss, double valPerplexity, long trainable, long total, int rows, double stepSeconds,
                         long peakRssBytes, String dataSource) {}

    /** Runs the whole job, printing progress to {@code out}. */
    public static Result run(Options o, PrintStream out) {
        if (o.epochs() <= 0) throw new IllegalArgumentException("--epochs must be positive, got " + o.epochs());
        if (o.batchSize() <= 0) throw new IllegalArgumentException("--batch-size must be positive, got " + o.batchSize());
        Ember.manualSeed(o.seed());
        ModelFolder base = ModelFolder.load(o.model(), null, DType.FLOAT32);
        GPT gpt = base.model();
        ChatTemplate template = template(o.template(), base, o.model());
        ChatTokenizer tokenizer = base.tokenizer();
        TuningData data = TuningData.load(o.data(), o.format(), o.riddles(), o.system(), o.seed());
        out.println("data: " + data.describe());
        int length = o.cutoff() > 0 ? Math.min(o.cutoff(), gpt.config().contextLength()) : gpt.config().contextLength();
        SftDataset train = rows(data.train(), template, tokenizer, length, o.packing());
        SftDataset val = rows(data.heldOut(), template, tokenizer, length, false);
        describe(out, "train", train);
        describe(out, "validation", val);

        gpt.to(o.device());
        Module adapter = null;
        List<Tensor> trainable;
        switch (o.method()) {
            case FULL -> trainable = gpt.parameters();
            case FREEZE -> {
                List<String> names = Freeze.lastBlocks(gpt, o.freezeBlocks(), o.freezeModules(), List.of());
                out.println("freeze: training the last " + o.freezeBlocks() + " blocks" + (o.freezeModules().isEmpty() ? "" : " (" + o.freezeModules() + ")")
                        + ": " + names.size() + " tensors");
                trainable = Freeze.trainable(gpt);
            }
            case LORA -> {
                LoraAdapter a = LoraAdapter.attach(gpt, new LoraConfig(o.loraRank(), o.loraAlpha(), o.loraDropout(), o.loraTargets(), null, false));
                out.println("lora: r " + o.loraRank() + ", alpha " + o.loraAlpha() + ", dropout " + o.loraDropout() + " on " + a.targets().size()
                        + " layers (" + String.join(", ", a.targets().subList(0, Math.min(4, a.targets().size()))) + (a.targets().size() > 4 ? ", ..." : "")
                        + ")");
                adapter = a;
                trainable = a.parameters();
            }
            default -> throw new IllegalStateException();
        }
        long trainableCount = trainable.stream().mapToLong(Tensor::numel).sum();
        long total = gpt.parameterCount() + (adapter == null ? 0 : adapter.parameterCount());
        out.printf("model: %s; %s: %,d of %,d parameters trainable (%.2f%%), on %s%n", gpt, o.method().name().toLowerCase(), trainableCount, total,
                100.0 * trainableCount / total, o.device());

        CausalLm lm = new CausalLm(gpt, adapter);
        AdamW opt = AdamW.builder(o.lr()).weightDecay(o.weightDecay()).buildW(trainable);
        DataLoader trainLoader = DataLoader.builder(train).batchSize(o.batchSize()).shuffle(true).seed(o.seed()).build();
        DataLoader valLoader = DataLoader.builder(val).batchSize(o.batchSize()).build();
        Path dir = o.out();
        createDirectories(dir);
        Path log = dir.resolve("run.jsonl");
        if (o.resume() == null) deleteIfExists(log);
        Trainer trainer = Trainer.builder(lm, new SftLoss(), opt, trainLoader)
                .validation(valLoader)
                .metric(Perplexity.ignoring(EncodedChat.IGNORE_INDEX))
                .callback(new Checkpoint(dir.resolve("checkpoints"), 1, "val_loss", Mode.MIN))
                .log(log, 1)
                .output(out, ProgressBar.isTerminal())
                .build();
        if (o.resume() != null) trainer.resume(o.resume());
        List<EpochResult> history = trainer.fit(o.epochs());
        EpochResult last = history.getLast();
        gpt.eval();
        if (adapter instanceof LoraAdapter a) {
            a.save(dir, o.model().toString());
            ModelFolder.saveTokenizer(tokenizer, template, gpt.config().contextLength(), dir);
        } else {
            ModelFolder.save(gpt, tokenizer, template, dir);
        }
        double step = RunStats.meanStepSeconds(log);
        long rss = RunStats.peakRssBytes();
        out.printf("saved %s to %s; mean step %.3f s, peak RSS %.0f MiB%n", adapter != null ? "the adapter" : "the model", dir, step, rss / 1048576.0);
        return new Result(dir, last.value("val_loss"), last.value("val_perplexity"), trainableCount, total, train.size(), step, rss, data.source());
    }

    /** The template to train with: ChatML, or the base folder's own. */
    static ChatTemplate template(String name, ModelFolder base, Path dir) {
        return switch (name) {
            case "chatml" -> ChatTemplate.chatml();
            case "model" -> base.requireTemplate(dir);
            default -> throw new IllegalArgumentException("--template must be chatml or model, got '" + name + "'");
        };
    }

    /** The SFT rows of {@code conversations}. */
    static SftDataset rows(List<Conversation> conversations, ChatTemplate template, ChatTokenizer tokenizer, int length, boolean packing) {
        List<EncodedChat> encoded = new ArrayList<>();
        for (Conversation c : conversations) encoded.add(template.encode(c.messages(), tokenizer));
        SftDataset d = SftDataset.of(encoded, length, packing);
        if (d.size() == 0) throw new IllegalArgumentException("tune: no example has an assistant token within " + length + " tokens");
        return d;
    }

    private static void describe(PrintStream out, String what, SftDataset d) {
        SftDataset.Stats s = d.stats();
        out.printf("%s: %d conversations in %d rows of %d tokens (%.0f%% filled), %,d assistant tokens%s%s%n", what, s.examples(), s.rows(), d.length(),
                100 * s.fill(d.length()), s.targetTokens(), s.truncated() > 0 ? ", " + s.truncated() + " cut to fit" : "",
                s.dropped() > 0 ? ", " + s.dropped() + " dropped (no assistant token left)" : "");
    }

    static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("--out: cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    static void deleteIfExists(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(p + ": " + e.getMessage(), e);
        }
    }
}
