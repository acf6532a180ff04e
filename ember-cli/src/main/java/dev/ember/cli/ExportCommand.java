package dev.ember.cli;

import dev.ember.llm.export.ModelFolder;
import dev.ember.nn.lm.GPT;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./ember export --model BASE --adapter DIR --out DIR}: a LoRA adapter merged into its base, as a model folder. */
@Command(name = "export", mixinStandardHelpOptions = true, version = "Ember " + dev.ember.Ember.VERSION, description = {"Merge a LoRA adapter into its base model and write a Hugging Face style folder (config.json, "
        + "model.safetensors, tokenizer files, tokenizer_config.json with the chat template).",
        "Example: ./ember export --model base --adapter sft-lora --out sft-lora-merged"})
public final class ExportCommand implements Runnable {
    @Option(names = "--model", required = true, description = "The base model folder.")
    Path model;

    @Option(names = "--adapter", required = true, description = "The LoRA adapter folder.")
    Path adapter;

    @Option(names = "--out", required = true, description = "The folder to write.")
    Path out;

    @Override
    public void run() {
        GPT merged = ModelFolder.exportMerged(model, adapter, out);
        System.out.println("export: " + adapter + " merged into " + model + " -> " + out + " (" + merged + ")");
    }
}
