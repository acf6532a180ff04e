package dev.ember.ml;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Saves and loads estimators as JSON: {@code {"type": "<class>", "model": {<fields>}}}. The
 * fields are the estimator's hyper-parameters and fitted arrays (gson, no custom adapters);
 * files are written to a temporary name and renamed so a crash never leaves half a model.
 */
public final class ModelFile {
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private ModelFile() {}

    /** Writes a model of this package ({@link Estimator}, {@link PCA}) to {@code path}. */
    public static void save(Object estimator, Path path) {
        JsonObject root = new JsonObject();
        root.addProperty("type", estimator.getClass().getName());
        root.add("model", GSON.toJsonTree(estimator));
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, path.getFileName().toString(), ".tmp");
            Files.writeString(tmp, GSON.toJson(root), StandardCharsets.UTF_8);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("ModelFile.save: cannot write " + path, e);
        }
    }

    /**
     * Reads an estimator written by {@link #save}; {@code type} must be the class (or a supertype)
     * stored in the file. Only classes of this package are loaded, and only after that check.
     *
     * @throws IllegalArgumentException if the file is not a model file of this package, naming it
     * @throws UncheckedIOException if it cannot be read
     */
    public static <T> T load(Path path, Class<T> type) {
        JsonObject root;
        try {
            root = JsonParser.parseString(Files.readString(path, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("ModelFile.load: cannot read " + path, e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("ModelFile.load: " + path + " is not an Ember model file: " + e.getMessage(), e);
        }
        if (!root.has("type") || !root.has("model") || !root.get("type").isJsonPrimitive() || !root.get("type").getAsJsonPrimitive().isString())
            throw new IllegalArgumentException("ModelFile.load: " + path + " lacks a string \"type\" or a \"model\"");
        String name = root.get("type").getAsString();
        // Checked before the class is loaded: a file must not make the JVM load, let alone initialise, any class it names.
        String pkg = ModelFile.class.getPackageName() + ".";
        if (!name.startsWith(pkg) || name.indexOf('.', pkg.length()) >= 0)
            throw new IllegalArgumentException("ModelFile.load: " + path + " holds a " + name + ", not a model of " + ModelFile.class.getPackageName());
        Class<?> cls;
        try {
            cls = Class.forName(name, false, ModelFile.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("ModelFile.load: " + path + " holds unknown model type " + name, e);
        }
        if (!type.isAssignableFrom(cls))
            throw new IllegalArgumentException("ModelFile.load: " + path + " holds a " + name + ", not a " + type.getName());
        try {
            return type.cast(GSON.fromJson(root.get("model"), cls));
        } catch (RuntimeException e) { // JsonParseException for mistyped fields; Gson's reflection errors
            throw new IllegalArgumentException("ModelFile.load: " + path + ": the \"model\" fields do not fit a " + name + ": " + e.getMessage(), e);
        }
    }

    /** Reads any estimator written by {@link #save}. */
    public static Estimator load(Path path) { return load(path, Estimator.class); }
}
