package dev.ember.train;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Saves the whole training state (model, optimizer, scheduler, random generators, epoch and
 * callbacks) as safetensors: to {@code last.safetensors} every {@code everyEpochs} epochs and to
 * {@code best.safetensors} whenever {@code monitor} improves. Each write goes to a temporary file
 * that is renamed over the old one, so a crash never leaves a half-written checkpoint; a failed
 * write deletes its temporary file, and the temporary files of writes that a crash interrupted are
 * deleted by the next save (or {@link Trainer#resume(Path)}) in the directory.
 * {@link Trainer#resume(Path)} continues from either file. The trainer runs checkpoints after every
 * other callback, so their state is current.
 */
public final class Checkpoint implements Callback {
    private final Path dir;
    private final int everyEpochs;
    private final String monitor;
    private final Mode mode;
    private double best = Double.NaN;

    /** Saves every {@code everyEpochs} epochs and the best by {@code monitor} (null: no best file). */
    public Checkpoint(Path dir, int everyEpochs, String monitor, Mode mode) {
        if (everyEpochs <= 0) throw new IllegalArgumentException("Checkpoint: everyEpochs must be positive, got " + everyEpochs);
        if (dir == null) throw new IllegalArgumentException("Checkpoint: dir is null");
        if (monitor != null && mode == null) throw new IllegalArgumentException("Checkpoint: a monitor needs a mode");
        this.dir = dir;
        this.everyEpochs = everyEpochs;
        this.monitor = monitor;
        this.mode = mode;
    }

    /** The file written every {@code everyEpochs} epochs. */
    public Path lastPath() { return dir.resolve("last.safetensors"); }

    /** The file written when the monitored value improves. */
    public Path bestPath() { return dir.resolve("best.safetensors"); }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult r) {
        if (!trainer.isLeadRank()) return; // in a distributed run rank 0 writes; every rank resumes from its file
        boolean improved = monitor != null && mode.improves(r.value(monitor), best, 0);
        if (improved) best = r.value(monitor);
        if (improved) save(bestPath(), trainer, r);
        if ((r.epoch() + 1) % everyEpochs == 0) save(lastPath(), trainer, r);
    }

    private void save(Path file, Trainer trainer, EpochResult r) {
        removeStaleTempFiles(dir, lastPath().getFileName().toString(), bestPath().getFileName().toString());
        SafeTensors.write(file, trainer.checkpointState(), Map.of("format", "ember-checkpoint", "epoch", Integer.toString(r.epoch())));
    }

    /**
     * Deletes what interrupted writes of the files {@code names} in {@code dir} left behind: {@code SafeTensors.write}
     * (and {@link RunLog#truncate}) name their temporary file {@code <name><digits>.tmp}. A missing directory is fine.
     */
    static void removeStaleTempFiles(Path dir, String... names) {
        if (!Files.isDirectory(dir)) return;
        StringBuilder alternatives = new StringBuilder();
        for (String n : names) alternatives.append(alternatives.isEmpty() ? "" : "|").append(Pattern.quote(n));
        Pattern temp = Pattern.compile("(?:" + alternatives + ")\\d+\\.tmp");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files)
                if (temp.matcher(f.getFileName().toString()).matches() && Files.isRegularFile(f)) Files.deleteIfExists(f);
        } catch (IOException ex) {
            throw new UncheckedIOException("Checkpoint: cannot clean up temporary files in " + dir + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("best", Tensor.scalar(best, DType.FLOAT64));
        return s;
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) { stageLoadStateDict(null, state).run(); }

    @Override
    public Runnable stageLoadStateDict(Trainer trainer, Map<String, Tensor> state) {
        StateChecks.onlyKeys("Checkpoint.loadStateDict", state, Set.of("best"), null);
        double b = StateChecks.number("Checkpoint.loadStateDict", state, "best", true);
        return () -> best = b;
    }
}
