package dev.ember.cli;

import dev.ember.Device;
import dev.ember.llm.data.InstructionFormat;
import dev.ember.llm.tune.Dpo;
import dev.ember.llm.tune.FineTune;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./ember tune}: turns a base model into a chat model, in the spirit of LLaMA-Factory's {@code train}: stage
 * {@code sft} (supervised fine-tuning on instruction data, the riddles by default) or {@code dpo} (preference tuning
 * on riddle pairs), method {@code full}, {@code freeze} or {@code lora}.
 */
@Command(name = "tune", mixinStandardHelpOptions = true, version = "Ember " + dev.ember.Ember.VERSION, description = {"Fine-tune a GPT model folder into a chat model: --stage sft (instruction data; the riddles by default) or dpo "
        + "(preference pairs from the riddles); --method full, freeze or lora.",
        "Examples: ./ember tune --model base --out sft-lora --method lora",
        "          ./ember tune --stage dpo --model sft-full --out dpo --method full"})
public final class TuneCommand implements Runnable {
    @Option(names = "--stage", description = "sft or dpo (default ${DEFAULT-VALUE}).", defaultValue = "sft")
    String stage;

    @Option(names = "--method", description = "full, freeze or lora (default ${DEFAULT-VALUE}).", defaultValue = "lora")
    FineTune.Method method;

    @Option(names = "--model", required = true, description = "The model folder to start from (config.json, model.safetensors, tokenizer).")
    Path model;

    @Option(names = "--adapter", description = "dpo: a LoRA adapter folder merged into --model first.")
    Path adapter;

    @Option(names = "--out", required = true, description = "Output folder: a chat model (full, freeze, dpo) or a LoRA adapter (sft --method lora).")
    Path out;

    @Option(names = "--data", description = "sft: an alpaca or sharegpt file (.json or .jsonl), split 90/10; default: the riddles.")
    Path data;

    @Option(names = "--format", description = "alpaca or sharegpt (default: detected from the first record).")
    InstructionFormat format;

    @Option(names = "--riddles", description = "A fortune file of Q:/A: riddles (default: ${sys:line.separator}  /usr/share/games/fortunes/riddles when "
            + "installed, else the bundled set).")
    Path riddles;

    @Option(names = "--system", description = "System prompt for the riddles (default: none).")
    String system;

    @Option(names = "--template", description = "chatml or model (the model folder's own chat_template) (default ${DEFAULT-VALUE}).",
            defaultValue = "chatml")
    String template;

    @Option(names = "--lora-rank", description = "LoRA rank r (default ${DEFAULT-VALUE}).", defaultValue = "8")
    int loraRank;

    @Option(names = "--lora-alpha", description = "LoRA alpha; the update is scaled by alpha / r (default ${DEFAULT-VALUE}).", defaultValue = "16")
    double loraAlpha;

    @Option(names = "--lora-dropout", description = "Dropout on the LoRA input (default ${DEFAULT-VALUE}, as LLaMA-Factory).", defaultValue = "0")
    double loraDropout;

    @Option(names = "--lora-target", split = ",", description = "Target Linear layers by name, comma-separated (default ${DEFAULT-VALUE}).",
            defaultValue = "c_attn,c_proj,c_fc")
    List<String> loraTarget;

    @Option(names = "--freeze-trainable-layers", description = "freeze: train the last N blocks (default ${DEFAULT-VALUE}).", defaultValue = "1")
    int freezeLayers;

    @Option(names = "--freeze-trainable-modules", split = ",", description = "freeze: train only these modules of those blocks, e.g. mlp,attn "
            + "(default: all).")
    List<String> freezeModules;

    @Option(names = "--epochs", description = "Passes over the training data (default ${DEFAULT-VALUE}).", defaultValue = "3")
    int epochs;

    @Option(names = "--batch-size", description = "Rows per step (default ${DEFAULT-VALUE}).", defaultValue = "8")
    int batchSize;

    @Option(names = "--lr", description = "AdamW learning rate (default ${DEFAULT-VALUE}).", defaultValue = "1e-3")
    double lr;

    @Option(names = "--weight-decay", description = "AdamW weight decay (default ${DEFAULT-VALUE}).", defaultValue = "0")
    double weightDecay;

    @Option(names = "--packing", negatable = true, description = "sft: pack short examples into the context (default ${DEFAULT-VALUE}).",
            defaultValue = "true", fallbackValue = "true")
    boolean packing;

    @Option(names = "--cutoff-len", description = "sft: row length in tokens; 0: the model's context (default ${DEFAULT-VALUE}).", defaultValue = "0")
    int cutoff;

    @Option(names = "--beta", description = "dpo: the DPO temperature beta (default ${DEFAULT-VALUE}).", defaultValue = "0.1")
    double beta;

    @Option(names = "--seed", description = "Seed of the split, the shuffling and the initialisation (default ${DEFAULT-VALUE}).", defaultValue = "0")
    long seed;

    @Option(names = "--device", description = "cpu, cuda, opencl or auto (default ${DEFAULT-VALUE}).", defaultValue = "cpu")
    String device;

    @Option(names = "--resume", description = "Continue from a checkpoint (OUT/checkpoints/last.safetensors).")
    Path resume;

    @Override
    public void run() { tune(System.out); }

    void tune(PrintStream console) {
        Device dev = Device.parse(device);
        List<String> modules = freezeModules == null ? List.of() : freezeModules;
        switch (stage) {
            case "sft" -> {
                if (adapter != null) throw new IllegalArgumentException("--adapter: only --stage dpo starts from an adapter");
                FineTune.Result r = FineTune.run(new FineTune.Options(model, data, format, riddles, system, template, method, loraRank, loraAlpha,
                        loraDropout, loraTarget, freezeLayers, modules, epochs, batchSize, lr, weightDecay, packing, cutoff, seed, dev, out, resume), console);
                console.printf("sft (%s): held-out loss %.4f, perplexity %.2f; %,d of %,d parameters trained; %.3f s/step; peak RSS %.0f MiB%n",
                        method.name().toLowerCase(), r.valLoss(), r.valPerplexity(), r.trainable(), r.total(), r.stepSeconds(), r.peakRssBytes() / 1048576.0);
            }
            case "dpo" -> {
                if (data != null) throw new IllegalArgumentException("--data: dpo builds its pairs from the riddles (--riddles)");
                Dpo.Result r = Dpo.run(new Dpo.Options(model, adapter, riddles, system, method, loraRank, loraAlpha, loraDropout, loraTarget, beta, epochs,
                        batchSize, lr, weightDecay, seed, dev, out, resume), console);
                console.printf("dpo (%s): held-out loss %.4f, reward margin %.4f, reward accuracy %.3f%n", method.name().toLowerCase(), r.valLoss(),
                        r.valMargin(), r.valAccuracy());
            }
            default -> throw new IllegalArgumentException("--stage must be sft or dpo, got '" + stage + "'");
        }
    }
}
