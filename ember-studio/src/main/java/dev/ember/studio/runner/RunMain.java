package dev.ember.studio.runner;

import com.google.gson.JsonObject;
import dev.ember.studio.Json;
import dev.ember.studio.runs.RunFiles;
import java.nio.file.Path;

/**
 * A run's process: {@code java ... dev.ember.studio.runner.RunMain <run>/args.json}. Reads the arguments the
 * studio checked, trains (a network through the same {@code FashionMnistRun} as {@code ./ember train}, a GPT or a
 * chat fine-tuning through {@link LanguageRun}, or a classical estimator), and writes beside the arguments file: {@code status.json} (running with the plan, then
 * finished with the result or failed with the error), {@code run.jsonl}, checkpoints and the model, and
 * {@code resources.jsonl} (memory, every second). It exits 0 when training finished, 1 otherwise.
 */
public final class RunMain {
    private RunMain() {}

    /** Runs the arguments file {@code args[0]}. */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: RunMain <run directory>/args.json");
            System.exit(2);
        }
        System.exit(run(Path.of(args[0]).toAbsolutePath()));
    }

    /** Runs the arguments file and returns the exit code. */
    public static int run(Path argsFile) {
        RunFiles files = new RunFiles(argsFile.getParent());
        JsonObject status = new JsonObject();
        status.addProperty("state", "running");
        status.addProperty("pid", ProcessHandle.current().pid());
        status.addProperty("started", System.currentTimeMillis());
        Json.writeFile(files.status(), status);
        ResourceSampler sampler = ResourceSampler.start(files.resources());
        try {
            JsonObject args = Json.readObject(argsFile);
            String preset = args.get("preset").getAsString();
            JsonObject result = switch (preset) {
                case "mlp", "cnn" -> NetworkRun.run(args, files, plan -> {
                    status.add("plan", plan);
                    Json.writeFile(files.status(), status);
                });
                case "logistic", "tree", "forest" -> ClassicalRun.run(args, files);
                case "gpt" -> LanguageRun.gpt(args, files, plan -> {
                    status.add("plan", plan);
                    Json.writeFile(files.status(), status);
                });
                case "chat" -> LanguageRun.chat(args, files, plan -> {
                    status.add("plan", plan);
                    Json.writeFile(files.status(), status);
                });
                default -> throw new IllegalArgumentException("RunMain: preset '" + preset + "' cannot run in this build");
            };
            status.addProperty("state", "finished");
            status.add("result", result);
            status.addProperty("ended", System.currentTimeMillis());
            Json.writeFile(files.status(), status);
            System.out.println("run finished: " + result);
            return 0;
        } catch (Throwable ex) {
            ex.printStackTrace(System.out);
            status.addProperty("state", "failed");
            status.addProperty("error", ex.getClass().getSimpleName() + ": " + ex.getMessage());
            status.addProperty("ended", System.currentTimeMillis());
            Json.writeFile(files.status(), status);
            return 1;
        } finally {
            sampler.stop();
            System.out.flush();
        }
    }
}
