package dev.ember.data.features;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Saves and loads a fitted transformer's fields as JSON (gson), written to a temp file then renamed. */
final class StateFile {
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting().create();

    private StateFile() {}

    static void save(Object state, Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, GSON.toJson(state));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save " + state.getClass().getSimpleName() + " to " + file + ": " + e.getMessage(), e);
        }
    }

    static <T> T load(Path file, Class<T> type) {
        try {
            T t = GSON.fromJson(Files.readString(file), type);
            if (t == null) throw new IllegalArgumentException(file + ": empty " + type.getSimpleName() + " state");
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + type.getSimpleName() + " from " + file + ": " + e.getMessage(), e);
        } catch (com.google.gson.JsonParseException e) {
            throw new IllegalArgumentException(file + ": not a saved " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    static String json(Object state) { return GSON.toJson(state); }
}
