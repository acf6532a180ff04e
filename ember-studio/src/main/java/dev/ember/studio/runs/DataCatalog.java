package dev.ember.studio.runs;

import com.google.gson.JsonObject;
import dev.ember.data.datasets.FashionMnist;
import dev.ember.data.text.TextCorpus;
import dev.ember.llm.data.Riddles;
import dev.ember.studio.ApiError;
import dev.ember.studio.PathGuard;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an arguments file's {@code dataset} (and {@code data_path}) into a real path the run can read:
 * the bundled sets are copied out of the jar once into {@code <runs>/.data}; Debian's Fashion-MNIST is
 * {@code /usr/share/datasets/fashion-mnist}; a folder or CSV file must lie under a data root.
 */
public final class DataCatalog {
    /** Debian's Fashion-MNIST ({@code apt-get install dataset-fashion-mnist}). */
    public static final Path DEBIAN_FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    private static final String[] IDX = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

    private final PathGuard dataRoots;
    private final Path cache;

    /** Datasets under {@code dataRoots}; bundled ones copied to {@code cache}. */
    public DataCatalog(PathGuard dataRoots, Path cache) {
        this.dataRoots = dataRoots;
        this.cache = cache;
    }

    /** The data roots. */
    public PathGuard roots() { return dataRoots; }

    /** The datasets the page offers, with whether each is there. */
    public List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(entry(Presets.FASHION_SUBSET, "Fashion-MNIST, bundled subset (2,000 train / 500 test)", true));
        out.add(entry(Presets.FASHION_DEBIAN, "Fashion-MNIST, Debian package (60,000 / 10,000)", hasIdx(DEBIAN_FASHION)));
        out.add(entry(Presets.IRIS, "Iris, bundled (150 rows, 4 features, 3 classes)", true));
        out.add(entry(Presets.FOLDER, "A folder of Fashion-MNIST IDX files under a data root", true));
        out.add(entry(Presets.CSV, "A CSV file under a data root (class in the last column)", true));
        out.add(entry(Presets.FORTUNES, "Fortunes, Debian package (" + TextCorpus.FORTUNES + ")", hasFortunes()));
        out.add(entry(Presets.TEXT_SAMPLE, "Fortunes sample, bundled (25 kB)", true));
        out.add(entry(Presets.TEXT_FILE, "A text file under a data root (records between % lines)", true));
        out.add(entry(Presets.RIDDLES, "Riddles, " + (Files.isRegularFile(Riddles.DEBIAN) ? "Debian's (" + Riddles.DEBIAN + ")" : "bundled"), true));
        out.add(entry(Presets.INSTRUCTIONS, "An alpaca or sharegpt file (.json, .jsonl) under a data root", true));
        return out;
    }

    private static Map<String, Object> entry(String id, String title, boolean present) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("title", title);
        m.put("present", present);
        return m;
    }

    /**
     * The real path of the dataset named by validated arguments: a directory of IDX files or a CSV file.
     *
     * @throws ApiError 400 when the set is absent or malformed, 403 when a path leaves the data roots
     */
    public Path resolve(JsonObject args) {
        String dataset = args.get("dataset").getAsString();
        return switch (dataset) {
            case Presets.FASHION_SUBSET -> subset();
            case Presets.FASHION_DEBIAN -> {
                if (!hasIdx(DEBIAN_FASHION))
                    throw ApiError.badRequest("dataset: Debian's Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
                yield DEBIAN_FASHION;
            }
            case Presets.IRIS -> copyOut("/dev/ember/studio/data/iris.csv", cache.resolve("iris.csv"));
            case Presets.FOLDER -> {
                Path dir = dataRoots.resolveExisting("data_path", args.get("data_path").getAsString());
                if (!hasIdx(dir)) throw ApiError.badRequest("data_path: " + dir + " does not hold the four Fashion-MNIST IDX files ("
                        + String.join(", ", IDX) + ", plain or .gz)");
                yield dir;
            }
            case Presets.FORTUNES -> {
                if (!hasFortunes()) throw ApiError.badRequest("dataset: Debian's fortunes are not installed (apt-get install fortunes); "
                        + "choose " + Presets.TEXT_SAMPLE + ", the bundled text");
                yield TextCorpus.FORTUNES;
            }
            case Presets.TEXT_SAMPLE -> copyOut("/dev/ember/data/text/fortunes-sample.txt", cache.resolve("fortunes-sample.txt"));
            case Presets.RIDDLES -> Files.isRegularFile(Riddles.DEBIAN) ? Riddles.DEBIAN : Path.of("(bundled riddles)");
            case Presets.TEXT_FILE, Presets.INSTRUCTIONS -> {
                Path file = dataRoots.resolveExisting("data_path", args.get("data_path").getAsString());
                if (!Files.isRegularFile(file)) throw ApiError.badRequest("data_path: " + file.getFileName() + " is not a file");
                if (dataset.equals(Presets.INSTRUCTIONS) && !file.getFileName().toString().matches("(?i).*\\.jsonl?"))
                    throw ApiError.badRequest("data_path: " + file.getFileName() + " is not an alpaca or sharegpt .json / .jsonl file");
                yield file;
            }
            case Presets.CSV -> {
                Path file = dataRoots.resolveExisting("data_path", args.get("data_path").getAsString());
                if (!Files.isRegularFile(file) || !file.getFileName().toString().toLowerCase().endsWith(".csv"))
                    throw ApiError.badRequest("data_path: " + file.getFileName() + " is not a .csv file");
                yield file;
            }
            default -> throw ApiError.badRequest("dataset: unknown '" + dataset + "'");
        };
    }

    /** The bundled Fashion-MNIST subset as a directory of gzip'd IDX files. */
    public Path subset() {
        Path dir = cache.resolve("fashion-mnist-subset");
        for (String f : IDX) copyOut("/dev/ember/data/fashion-mnist/" + f + ".gz", dir.resolve(f + ".gz"));
        return dir;
    }

    /** Whether Debian's fortunes are installed. */
    public static boolean hasFortunes() { return !TextCorpus.fortuneFiles(TextCorpus.FORTUNES).isEmpty(); }

    /** Whether {@code dir} holds the four IDX files (plain or gzip'd). */
    public static boolean hasIdx(Path dir) {
        if (!Files.isDirectory(dir)) return false;
        for (String f : IDX) if (!Files.exists(dir.resolve(f)) && !Files.exists(dir.resolve(f + ".gz"))) return false;
        return true;
    }

    private static synchronized Path copyOut(String resource, Path target) {
        if (Files.exists(target)) return target.toAbsolutePath();
        InputStream found = FashionMnist.class.getResourceAsStream(resource); // ember-data's subset, else the studio's own sets
        if (found == null) found = DataCatalog.class.getResourceAsStream(resource);
        try (InputStream in = found) {
            if (in == null) throw new IllegalStateException("studio: the bundled resource " + resource + " is missing from the build");
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".copy", ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target.toAbsolutePath();
        } catch (IOException ex) {
            throw new UncheckedIOException("studio: cannot copy " + resource + " to " + target + ": " + ex.getMessage(), ex);
        }
    }
}
