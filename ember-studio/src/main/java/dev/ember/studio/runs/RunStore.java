package dev.ember.studio.runs;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.studio.ApiError;
import dev.ember.studio.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The runs directory: one directory per run, named by its id ({@code 20261205-153000-a1b2}). Everything about a
 * run is in its files ({@link RunFiles}), so a restarted studio finds every run as it was, running ones included.
 */
public final class RunStore {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Path root;

    /** Runs under {@code root} (created if missing). */
    public RunStore(Path root) {
        try {
            Files.createDirectories(root);
            this.root = root.toRealPath();
        } catch (IOException ex) {
            throw new UncheckedIOException("studio: cannot create the runs directory " + root + ": " + ex.getMessage(), ex);
        }
    }

    /** The runs directory (real path). */
    public Path root() { return root; }

    /** A fresh run directory holding {@code args} and its name; returns the id. */
    public String create(JsonObject args) {
        String id;
        Path dir;
        do {
            id = LocalDateTime.now().format(ID_TIME) + "-" + Integer.toHexString(0x10000 + RANDOM.nextInt(0xF0000)).substring(1);
            dir = root.resolve(id);
        } while (Files.exists(dir));
        try {
            Files.createDirectories(dir);
        } catch (IOException ex) {
            throw new UncheckedIOException("studio: cannot create " + dir + ": " + ex.getMessage(), ex);
        }
        RunFiles f = new RunFiles(dir);
        Json.writeFile(f.args(), args);
        JsonObject meta = new JsonObject();
        meta.addProperty("name", args.get("name").getAsString());
        meta.addProperty("created", System.currentTimeMillis());
        Json.writeFile(f.meta(), meta);
        return id;
    }

    /** The files of run {@code id}. @throws ApiError 400 for a malformed id, 404 for an unknown one */
    public RunFiles files(String id) {
        if (id == null || !id.matches("[A-Za-z0-9_-]{1,80}")) throw ApiError.badRequest("run: malformed id '" + id + "'");
        Path dir = root.resolve(id);
        if (!Files.isDirectory(dir) || !Files.exists(dir.resolve("args.json"))) throw ApiError.notFound("run: no run '" + id + "'");
        return new RunFiles(dir);
    }

    /** The ids of every run, newest first. */
    public List<String> ids() {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> Files.isDirectory(p) && Files.exists(p.resolve("args.json")))
                    .map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
                    .sorted(Comparator.reverseOrder()).toList();
        } catch (IOException ex) {
            throw new UncheckedIOException("studio: cannot list " + root + ": " + ex.getMessage(), ex);
        }
    }

    /** The arguments of run {@code id}. */
    public JsonObject args(String id) { return Json.readObject(files(id).args()); }

    /** The name and creation time of run {@code id}. */
    public JsonObject meta(String id) {
        RunFiles f = files(id);
        return Files.exists(f.meta()) ? Json.readObject(f.meta()) : new JsonObject();
    }

    /** Where run {@code id} stands, from its files and whether its process is alive. */
    public RunStatus status(String id) {
        RunFiles f = files(id);
        JsonObject s = Files.exists(f.status()) ? safeRead(f.status()) : null;
        JsonObject launch = Files.exists(f.launch()) ? safeRead(f.launch()) : null;
        long pid = launch != null && launch.has("pid") ? launch.get("pid").getAsLong() : 0;
        long started = launch != null && launch.has("started") ? launch.get("started").getAsLong() : 0;
        long processStart = launch != null && launch.has("process_start") ? launch.get("process_start").getAsLong() : started;
        String state = s != null && s.has("state") ? s.get("state").getAsString() : (launch != null ? "running" : "created");
        if (state.equals("running") && !ProcessTree.isAlive(pid, processStart)) state = "lost";
        return new RunStatus(state, pid, started, s != null && s.has("ended") ? s.get("ended").getAsLong() : 0,
                s != null && s.has("error") && !s.get("error").isJsonNull() ? s.get("error").getAsString() : null,
                s != null && s.has("plan") && s.get("plan").isJsonObject() ? s.getAsJsonObject("plan") : null,
                s != null && s.has("result") && s.get("result").isJsonObject() ? s.getAsJsonObject("result") : null);
    }

    private static JsonObject safeRead(Path p) {
        try {
            return Json.readObject(p);
        } catch (RuntimeException ex) {
            return new JsonObject();
        }
    }

    /** Every record of run {@code id}'s log, NaN written as null; a half-written last line is skipped. */
    public List<JsonObject> records(String id) {
        Path log = files(id).log();
        List<JsonObject> out = new ArrayList<>();
        for (String line : new LogTail(log).poll(64 << 20)) {
            if (line.isBlank()) continue;
            try {
                JsonElement e = Json.parseLenient(line);
                if (e.isJsonObject()) out.add(e.getAsJsonObject());
            } catch (RuntimeException ex) {
                // a line cut short by a crash: skip it
            }
        }
        return out;
    }

    /** A summary of run {@code id} for the runs table: name, preset, status, hyperparameters, best metric. */
    public Map<String, Object> summary(String id) {
        JsonObject args = args(id), meta = meta(id);
        RunStatus st = status(id);
        List<JsonObject> recs = records(id);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("name", meta.has("name") ? meta.get("name").getAsString() : id);
        m.put("created", meta.has("created") ? meta.get("created").getAsLong() : 0L);
        m.put("preset", args.get("preset").getAsString());
        m.put("dataset", args.has("dataset") ? args.get("dataset").getAsString() : null);
        m.put("state", st.state());
        m.put("error", st.error());
        m.put("args", publicArgs(args));
        Best best = best(recs, st);
        m.put("best_metric", best == null ? null : best.key());
        m.put("best_value", best == null ? null : best.value());
        m.put("best_perplexity", best == null || Double.isNaN(best.perplexity()) ? null : best.perplexity());
        m.put("epochs", recs.stream().filter(r -> "epoch".equals(str(r, "type"))).count());
        RunFiles f = files(id);
        m.put("has_model", Files.exists(f.model()) || Files.exists(f.estimator()) || Files.exists(f.adapter()));
        if (st.state().equals("finished")) chatModel(args, f).ifPresent(c -> m.put("chat", c));
        return m;
    }

    /**
     * What the chat tab loads for a finished language-model run: {@code weights} (a model folder), {@code adapter}
     * (a LoRA adapter folder, or empty) and {@code chat_template} (ChatML for a plain GPT, which has no template of its
     * own; empty, the folder's own, for a fine-tuned one).
     */
    public static Optional<Map<String, String>> chatModel(JsonObject args, RunFiles f) {
        String preset = args.get("preset").getAsString();
        if (!preset.equals("gpt") && !preset.equals("chat")) return Optional.empty();
        Map<String, String> c = new LinkedHashMap<>();
        if (Files.exists(f.adapter())) {
            Path base = args.has("_base") ? Path.of(args.get("_base").getAsString()) : f.dir().resolve("base");
            if (args.has("_resume") && !args.has("_base")) { // a resumed run tuned the base of the run it resumed
                Path earlier = Path.of(args.get("_resume").getAsString()).getParent().getParent().resolve("base");
                if (Files.isDirectory(earlier)) base = earlier;
            }
            c.put("weights", base.toString());
            c.put("adapter", f.dir().toString());
        } else if (Files.exists(f.model())) {
            c.put("weights", f.dir().toString());
            c.put("adapter", "");
        } else {
            return Optional.empty();
        }
        c.put("chat_template", preset.equals("gpt") ? "chatml" : "");
        return Optional.of(c);
    }

    /**
     * The best validation accuracy over the epochs (or the test accuracy a classical run reports); for a language
     * model, the lowest validation loss and the perplexity of that evaluation.
     */
    record Best(String key, double value, double perplexity) {}

    static Best best(List<JsonObject> recs, RunStatus st) {
        Best best = null;
        for (JsonObject r : recs) {
            if (!"epoch".equals(str(r, "type")) || !r.has("metrics") || !r.get("metrics").isJsonObject()) continue;
            JsonObject m = r.getAsJsonObject("metrics");
            if (m.has("val_perplexity") && m.has("val_loss") && !m.get("val_loss").isJsonNull()) {
                double loss = m.get("val_loss").getAsDouble();
                double ppl = m.get("val_perplexity").isJsonNull() ? Double.NaN : m.get("val_perplexity").getAsDouble();
                if (best == null || loss < best.value()) best = new Best("val_loss", loss, ppl);
                continue;
            }
            for (String key : List.of("val_accuracy", "test_accuracy")) {
                if (m.has(key) && !m.get(key).isJsonNull()) {
                    double v = m.get(key).getAsDouble();
                    if (best == null || v > best.value()) best = new Best(key, v, Double.NaN);
                    break;
                }
            }
        }
        return best;
    }

    private static String str(JsonObject o, String k) { return o.has(k) && !o.get(k).isJsonNull() ? o.get(k).getAsString() : null; }

    /** The arguments without the studio's private keys (those starting with '_'). */
    public static JsonObject publicArgs(JsonObject args) {
        JsonObject out = new JsonObject();
        args.entrySet().forEach(kv -> { if (!kv.getKey().startsWith("_")) out.add(kv.getKey(), kv.getValue()); });
        return out;
    }

    /** Renames run {@code id} (the name is shown as text, never as markup). */
    public void rename(String id, String name) {
        if (name == null || name.isBlank() || name.length() > 200) throw ApiError.badRequest("name: 1 to 200 characters");
        JsonObject meta = meta(id);
        meta.addProperty("name", name.strip());
        Json.writeFile(files(id).meta(), meta);
    }

    /** Deletes run {@code id} and its files; a running run must be aborted first. */
    public void delete(String id) {
        RunFiles f = files(id);
        if (status(id).state().equals("running")) throw ApiError.conflict("run '" + id + "' is running: abort it first");
        Path dir = f.dir();
        if (!dir.getParent().equals(root)) throw ApiError.forbidden("run: '" + id + "' is not directly under the runs directory");
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file); // a link is deleted, never followed
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ex) {
            throw new UncheckedIOException("studio: cannot delete " + dir + ": " + ex.getMessage(), ex);
        }
    }
}
