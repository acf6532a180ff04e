package dev.ember.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's log as JSON lines, one object per logged step and per epoch:
 * {@code {"type":"step","epoch":0,"step":50,"loss":0.61,"lr":0.001,"samples_per_sec":1800,"elapsed":3.2}}
 * and {@code {"type":"epoch",...,"metrics":{"val_loss":0.4,"val_accuracy":0.86}}}. Each line is
 * flushed as written, so a progress display or the studio can follow the file.
 */
public final class RunLog implements AutoCloseable {
    private final Path path;
    private final BufferedWriter writer;
    private final Gson gson = new Gson();

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
        JsonObject o = base("step", epoch, step, loss, lr, samplesPerSecond, elapsed);
        write(o);
    }

    /** Logs an epoch's summary. */
    public void epoch(EpochResult r) {
        JsonObject o = base("epoch", r.epoch(), r.globalStep(), r.trainLoss(), r.lr(), r.samplesPerSecond(), r.elapsedSeconds());
        JsonObject m = new JsonObject();
        r.validation().forEach(m::addProperty);
        o.add("metrics", m);
        write(o);
    }

    private static JsonObject base(String type, int epoch, long step, double loss, double lr, double sps, double elapsed) {
        JsonObject o = new JsonObject();
        o.addProperty("type", type);
        o.addProperty("epoch", epoch);
        o.addProperty("step", step);
        o.addProperty("loss", loss);
        o.addProperty("lr", lr);
        o.addProperty("samples_per_sec", sps);
        o.addProperty("elapsed", elapsed);
        return o;
    }

    private void write(JsonObject o) {
        try {
            writer.write(gson.toJson(o));
            writer.newLine();
            writer.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException("RunLog: cannot write " + path + ": " + ex.getMessage(), ex);
        }
    }

    /** Every record of a log file, in order. */
    public static List<JsonObject> read(Path path) {
        try {
            List<JsonObject> out = new ArrayList<>();
            for (String line : Files.readAllLines(path, StandardCharsets.UTF_8))
                if (!line.isBlank()) out.add(JsonParser.parseString(line).getAsJsonObject());
            return out;
        } catch (IOException ex) {
            throw new UncheckedIOException("RunLog: cannot read " + path + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

}
