package dev.ember.studio.runs;

import com.google.gson.JsonObject;
import dev.ember.studio.ApiError;
import dev.ember.studio.Json;
import dev.ember.studio.PathGuard;
import dev.ember.studio.runner.RunMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts runs as child processes and aborts them. A run is {@code java <flags> -cp <the studio's class path>
 * dev.ember.studio.runner.RunMain <run>/args.json}, with its output in {@code stdout.log}; it outlives the
 * studio. Abort ends the run's whole process tree.
 */
public final class RunLauncher {
    /** What every Ember JVM needs (the launcher's flags): SIMD kernels, native libraries of the GPU backends. */
    static final List<String> JVM_FLAGS = List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");

    private final RunStore store;
    private final DataCatalog data;
    private final Presets presets;
    private final String java;
    private final String classPath;
    private final Set<String> aborting = ConcurrentHashMap.newKeySet();

    /** Launches runs of {@code store}, with datasets from {@code data}, using this JVM's {@code java} and class path. */
    public RunLauncher(RunStore store, DataCatalog data, Presets presets) {
        this(store, data, presets, Path.of(System.getProperty("java.home"), "bin", "java").toString(), System.getProperty("java.class.path"));
    }

    /** Launches runs with an explicit {@code java} executable and class path. */
    public RunLauncher(RunStore store, DataCatalog data, Presets presets, String java, String classPath) {
        this.store = store;
        this.data = data;
        this.presets = presets;
        this.java = java;
        this.classPath = classPath;
    }

    /**
     * The checked arguments with the paths the run will use: {@code _data} (dataset), {@code _resume} (checkpoint) and,
     * for chat fine-tuning, {@code _base} (the base model folder, under a data root or the runs directory).
     */
    public JsonObject prepare(JsonObject rawArgs) {
        JsonObject args = presets.validate(rawArgs);
        args.addProperty("_data", data.resolve(args).toString());
        String preset = args.get("preset").getAsString();
        if (args.has("resume")) {
            Path ckpt = new PathGuard(List.of(store.root())).resolveExisting("resume", args.get("resume").getAsString());
            if (!Files.isRegularFile(ckpt) || !ckpt.getFileName().toString().endsWith(".safetensors"))
                throw ApiError.badRequest("resume: " + ckpt.getFileName() + " is not a .safetensors checkpoint");
            // a checkpoint holds one model's weights: resuming it as another preset would fail half way in the run
            Path from = ckpt.getParent() == null ? null : ckpt.getParent().getParent().resolve("args.json");
            if (from != null && Files.isRegularFile(from)) {
                String was = Json.readObject(from).get("preset").getAsString();
                if (!was.equals(preset)) throw ApiError.badRequest("resume: the checkpoint is from a " + was + " run, not " + preset);
            }
            args.addProperty("_resume", ckpt.toString());
        }
        if (args.has("base_model") && !args.get("base_model").getAsString().isBlank()) {
            List<Path> roots = new ArrayList<>(data.roots().roots());
            roots.add(store.root());
            Path base = new PathGuard(roots).resolveExisting("base_model", args.get("base_model").getAsString());
            if (!Files.isRegularFile(base.resolve("config.json")) || !Files.isRegularFile(base.resolve("model.safetensors")))
                throw ApiError.badRequest("base_model: " + base.getFileName() + " is not a model folder (config.json, model.safetensors, tokenizer)");
            args.addProperty("_base", base.toString());
        }
        return args;
    }

    /** The {@code ./ember ...} line equivalent to {@code rawArgs}. */
    public String preview(JsonObject rawArgs) {
        JsonObject args = prepare(rawArgs);
        String dataset = args.get("dataset").getAsString();
        // the fortunes and the riddles are the commands' own defaults: no --data
        String data = dataset.equals(Presets.FORTUNES) || dataset.equals(Presets.RIDDLES) ? null : args.get("_data").getAsString();
        return presets.command(args, data, store.root().resolve("<run id>").toString(), store.root().resolve("<run id>/args.json").toString());
    }

    /** Starts a run; returns its id. */
    public String start(JsonObject rawArgs) {
        JsonObject args = prepare(rawArgs);
        String id = store.create(args);
        RunFiles f = store.files(id);
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(JVM_FLAGS); // default memory flags: the Trainer's scopes keep a run's heap small (docs/bench.md, "Memory")
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(RunMain.class.getName());
        cmd.add(f.args().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(f.dir().toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(f.stdout().toFile()));
        pb.environment().put("EMBER_STUDIO_RUN", id);
        Process p;
        try {
            p = pb.start();
        } catch (IOException ex) {
            throw new UncheckedIOException("studio: cannot start " + java + ": " + ex.getMessage(), ex);
        }
        JsonObject launch = new JsonObject();
        launch.addProperty("pid", p.pid());
        launch.addProperty("started", System.currentTimeMillis());
        launch.addProperty("process_start", p.info().startInstant().map(t -> t.toEpochMilli()).orElse(System.currentTimeMillis()));
        launch.addProperty("command", String.join(" ", cmd.subList(0, cmd.size() - 3)) + " -cp <class path> " + RunMain.class.getName() + " " + f.args());
        Json.writeFile(f.launch(), launch);
        p.onExit().thenAccept(done -> recordExit(id, done.exitValue()));
        return id;
    }

    /** A run that ended without saying so (a crash, out of memory) is marked failed with its exit code. */
    private void recordExit(String id, int code) {
        try {
            if (aborting.contains(id)) return;
            RunFiles f = store.files(id);
            JsonObject s = Files.exists(f.status()) ? Json.readObject(f.status()) : new JsonObject();
            String state = s.has("state") ? s.get("state").getAsString() : "running";
            if (state.equals("running")) {
                s.addProperty("state", "failed");
                s.addProperty("ended", System.currentTimeMillis());
                s.addProperty("error", "the run's process exited with code " + code + " without finishing; see its log");
                Json.writeFile(f.status(), s);
            }
        } catch (RuntimeException ex) {
            // the run was deleted meanwhile
        }
    }

    /** Ends run {@code id}'s process tree and marks it aborted. */
    public RunStatus abort(String id) {
        RunStatus st = store.status(id);
        if (!st.state().equals("running")) throw ApiError.conflict("run '" + id + "' is not running (" + st.state() + ")");
        aborting.add(id);
        boolean ended = ProcessTree.kill(st.pid(), Duration.ofSeconds(3));
        RunFiles f = store.files(id);
        JsonObject s = Files.exists(f.status()) ? Json.readObject(f.status()) : new JsonObject();
        s.addProperty("state", "aborted");
        s.addProperty("ended", System.currentTimeMillis());
        if (!ended) s.addProperty("error", "some processes of the run did not end");
        Json.writeFile(f.status(), s);
        return store.status(id);
    }
}
