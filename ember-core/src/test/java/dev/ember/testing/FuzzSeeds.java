package dev.ember.testing;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the committed seed corpus of the fuzz targets: for each target class, the files its
 * {@code seeds()} method makes go to {@code src/test/resources/<package>/<Class>Inputs/<method>/},
 * where Jazzer reads them (and where it saves any finding). Run from the repository root:
 * {@code java -cp target/classes:target/test-classes:<dependencies> dev.ember.testing.FuzzSeeds}.
 */
public final class FuzzSeeds {
    private FuzzSeeds() {}

    /** Target classes and the name of their {@code @FuzzTest} method. */
    private static final String[][] TARGETS = {
        {"dev.ember.io.SafeTensorsFuzzTest", "read"},
        {"dev.ember.io.CheckpointFuzzTest", "resume"},
        {"dev.ember.data.datasets.IdxReaderFuzzTest", "read"},
        {"dev.ember.data.io.CsvReaderFuzzTest", "read"},
        {"dev.ember.data.vision.ImageFolderFuzzTest", "read"},
        {"dev.ember.data.text.VocabularyFuzzTest", "load"},
        {"dev.ember.data.text.ByteBpeTokenizerFuzzTest", "load"},
    };

    /** Writes every target's seeds. */
    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        for (String[] target : TARGETS) {
            Class<?> cls = Class.forName(target[0]);
            Method seeds = cls.getMethod("seeds");
            Map<String, byte[]> files = (Map<String, byte[]>) seeds.invoke(null);
            Path dir = Path.of("src/test/resources", cls.getPackageName().replace('.', '/'), cls.getSimpleName() + "Inputs", target[1]);
            Files.createDirectories(dir);
            for (var e : files.entrySet()) Files.write(dir.resolve(e.getKey()), e.getValue());
            System.out.println(dir + ": " + files.keySet());
        }
    }
}
