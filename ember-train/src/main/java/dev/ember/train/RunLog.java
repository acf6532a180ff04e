package dev.ember.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's log as JSON lines, one object per logged step and per epoch:
 * {@code {"type":"step","epoch":0,"step":50,"loss":0.61,"lr":0.001,"samples_per_sec":1800,"elapsed":3.2}}
 * and {@code {"type":"epoch",...,"metrics":{"val_loss":0.4,"val_accuracy":0.86}}}; when training
 * stops on a non-finite value, a last {@code {"type":"stop","epoch":1,"step":812,"loss":null,"reason":"..."}}.
 * A step skipped for a non-finite loss or gradient has {@code "skipped":true}, and its epoch
 * {@code "skipped_batches":n}. Every line is strict JSON (RFC 8259): a number that is NaN or infinite
 * (a diverged loss, a metric of nothing) is written as {@code null}. Each line is flushed as written,
 * so a progress display or the studio can follow the file; a last line without its newline is a
 * write cut short by a crash, and readers skip it.
 */
public final class RunLog implements AutoCloseable {
    private static final Gson GSON = new GsonBuilder().serializeNulls().create();

    private final Path path;
    private final BufferedWriter writer;

    /** Appends to {@code path} (created with its directories). */
    public RunLog(Path path) {
        this.path = path;
        try {
            if (path.toAbsolutePath().getParent() != null) Files.createDirectories(path.toAbsolutePath().getParent());
            writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ex) {
            throw new UncheckedIOException("RunLog: cannot open " + path + ": " + ex.getMessage(), ex);
        }
    }

    /** The log file. */
    public Path path() { return path; }

    /** Logs one training step. */
    public void step(int epoch, long step, double loss, double lr, double samplesPerSecond, double elapsed) {
        step(epoch, step, loss, lr, samplesPerSecond, elapsed, false);
    }

    /** Logs one training step; {@code skipped}: its batch had a non-finite loss or gradient and was not applied. */
    public void step(int epoch, long step, double loss, double lr, double samplesPerSecond, double elapsed, boolean skipped) {
        JsonObject o = base("step", epoch, step, loss, lr, samplesPerSecond, elapsed);
        if (skipped) o.addProperty("skipped", true);
        write(o);
    }

    /** Logs an epoch's summary. */
    public void epoch(EpochResult r) {
        JsonObject o = base("epoch", r.epoch(), r.globalStep(), r.trainLoss(), r.lr(), r.samplesPerSecond(), r.elapsedSeconds());
        JsonObject m = new JsonObject();
        r.validation().forEach((k, v) -> m.add(k, number(v)));
        o.add("metrics", m);
        if (r.skippedBatches() > 0) o.addProperty("skipped_batches", r.skippedBatches());
        write(o);
    }

    /** Logs why training stopped at {@code step} (a non-finite loss or parameters). */
    public void stop(int epoch, long step, double loss, String reason, double elapsed) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "stop");
        o.addProperty("epoch", epoch);
        o.addProperty("step", step);
        o.add("loss", number(loss));
        o.addProperty("reason", reason);
        o.add("elapsed", number(elapsed));
        write(o);
    }

    private static JsonObject base(String type, int epoch, long step, double loss, double lr, double sps, double elapsed) {
        JsonObject o = new JsonObject();
        o.addProperty("type", type);
        o.addProperty("epoch", epoch);
        o.addProperty("step", step);
        o.add("loss", number(loss));
        o.add("lr", number(lr));
        o.add("samples_per_sec", number(sps));
        o.add("elapsed", number(elapsed));
        return o;
    }

    /** A JSON number, or {@code null} for NaN and infinities, which JSON cannot express. */
    static JsonElement number(double v) { return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE; }

    /** A record's number {@code key}, NaN where it is null or absent. */
    public static double value(JsonObject record, String key) {
        JsonElement e = record == null ? null : record.get(key);
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }

    private void write(JsonObject o) {
        try {
            writer.write(GSON.toJson(o));
            writer.newLine();
            writer.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException("RunLog: cannot write " + path + ": " + ex.getMessage(), ex);
        }
    }

    /** Every record of a log file, in order, parsed as strict JSON (a last line cut short by a crash is skipped). */
    public static List<JsonObject> read(Path path) {
        List<String> lines = completeLines(path);
        List<JsonObject> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) if (!lines.get(i).isBlank()) out.add(parse(path, i + 1, lines.get(i)));
        return out;
    }

    /**
     * Cuts the log back to a checkpoint: keeps the records up to global step {@code step} and the epoch
     * records of epochs before {@code nextEpoch}, so that a resumed run appends what it repeats exactly once.
     * The file is replaced atomically; a missing file is left missing.
     */
    public static void truncate(Path path, long step, int nextEpoch) {
        if (!Files.exists(path)) return;
        List<String> lines = completeLines(path);
        StringBuilder kept = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            JsonObject r;
            try {
                r = parse(path, i + 1, line);
            } catch (IllegalArgumentException strictFailure) { // a log written before non-finite numbers became null
                r = legacy(path, i + 1, line);
                line = GSON.toJson(r);
            }
            boolean later = r.has("step") && r.get("step").getAsLong() > step;
            boolean laterEpoch = "epoch".equals(r.has("type") ? r.get("type").getAsString() : null) && r.get("epoch").getAsInt() >= nextEpoch;
            if (!later && !laterEpoch) kept.append(line).append('\n');
        }
        try {
            Path dir = path.toAbsolutePath().getParent();
            Checkpoint.removeStaleTempFiles(dir, path.getFileName().toString()); // left by a rewrite that a crash interrupted
            Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
            try {
                Files.writeString(tmp, kept, StandardCharsets.UTF_8);
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("RunLog: cannot rewrite " + path + ": " + ex.getMessage(), ex);
        }
    }

    /** The file's lines that end with a newline (the last one may be a write cut short). */
    private static List<String> completeLines(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new UncheckedIOException("RunLog: cannot read " + path + ": " + ex.getMessage(), ex);
        }
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : text.substring(0, end).lines().toList();
    }

    private static JsonObject parse(Path path, int lineNumber, String line) {
        try {
            JsonReader reader = new JsonReader(new StringReader(line));
            reader.setStrictness(Strictness.STRICT);
            return JsonParser.parseReader(reader).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException ex) {
            throw new IllegalArgumentException("RunLog: " + path + " line " + lineNumber + " is not a JSON object: " + ex.getMessage(), ex);
        }
    }

    /** A record with bare {@code NaN} or {@code Infinity}, as logs held before they became strict JSON; those numbers become null. */
    private static JsonObject legacy(Path path, int lineNumber, String line) {
        JsonObject r;
        try {
            JsonReader reader = new JsonReader(new StringReader(line));
            reader.setStrictness(Strictness.LENIENT);
            r = JsonParser.parseReader(reader).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException ex) {
            throw new IllegalArgumentException("RunLog: " + path + " line " + lineNumber + " is not a JSON object: " + ex.getMessage(), ex);
        }
        return (JsonObject) finite(r);
    }

    private static JsonElement finite(JsonElement e) {
        if (e.isJsonObject()) {
            JsonObject out = new JsonObject();
            e.getAsJsonObject().entrySet().forEach(m -> out.add(m.getKey(), finite(m.getValue())));
            return out;
        }
        if (e.isJsonPrimitive()) { // lenient Gson reads a bare NaN as the string "NaN"
            String text = e.getAsString();
            if (text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity")) return JsonNull.INSTANCE;
        }
        return e;
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException ex) {
            throw new UncheckedIOException("RunLog: cannot close " + path + ": " + ex.getMessage(), ex);
        }
    }
}
