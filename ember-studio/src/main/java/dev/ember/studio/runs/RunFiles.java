package dev.ember.studio.runs;

import java.nio.file.Path;

/** The files of one run directory, written by the studio ({@code args.json}, {@code meta.json}, {@code launch.json}) or the run. */
public record RunFiles(Path dir) {
    /** The arguments the run was started with (the run's input). */
    public Path args() { return dir.resolve("args.json"); }

    /** Name and creation time, which the page may change (rename). */
    public Path meta() { return dir.resolve("meta.json"); }

    /** The process id and start time, written by the studio when it launched the run. */
    public Path launch() { return dir.resolve("launch.json"); }

    /** The run's own account of its state (running, finished with a result, failed with an error). */
    public Path status() { return dir.resolve("status.json"); }

    /** The JSON-lines log of steps and epochs that the Trainer writes. */
    public Path log() { return dir.resolve("run.jsonl"); }

    /** The process's standard output and error. */
    public Path stdout() { return dir.resolve("stdout.log"); }

    /** Heap and resident memory, sampled by the run every second (JSON lines). */
    public Path resources() { return dir.resolve("resources.jsonl"); }

    /** Checkpoints written by the Trainer ({@code last.safetensors}, {@code best.safetensors}). */
    public Path checkpoints() { return dir.resolve("checkpoints"); }

    /** The final network weights (a plain state dict). */
    public Path model() { return dir.resolve("model.safetensors"); }

    /** The LoRA adapter's weights that a chat fine-tuning run with method lora writes (PEFT's layout, with adapter_config.json). */
    public Path adapter() { return dir.resolve("adapter_model.safetensors"); }

    /** A classical estimator, as {@code dev.ember.ml.ModelFile} writes it. */
    public Path estimator() { return dir.resolve("model.json"); }
}
