package dev.ember.ml;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model file names its class: only this package's estimators are ever loaded, and mistyped fields are a clear error. */
class ModelFileLoadingTest {
    @TempDir
    Path dir;

    @Test
    void aClassNamedByTheFileIsNotInitialisedUnlessItIsAnEstimatorHere() throws Exception {
        // the old reader called Class.forName(name), running the named class's static initialiser, before checking it
        Path p = dir.resolve("probe.json");
        Files.writeString(p, "{\"type\": \"dev.ember.testing.InitProbe\", \"model\": {}}");
        var e = assertThrows(IllegalArgumentException.class, () -> ModelFile.load(p));
        assertNull(System.getProperty("ember.test.initProbe"), "the named class was initialised");
        assertTrue(e.getMessage().contains("probe.json") && e.getMessage().contains("not a model of dev.ember.ml"), e.getMessage());
    }

    @Test
    void wrongJsonTypesAreIllegalArgumentExceptions() throws Exception {
        Path p = dir.resolve("m.json");
        Files.writeString(p, "{\"type\": {}, \"model\": {}}"); // was UnsupportedOperationException
        assertThrows(IllegalArgumentException.class, () -> ModelFile.load(p));
        Files.writeString(p, "{\"type\": \"dev.ember.ml.LinearRegression\", \"model\": {\"coef\": \"many\"}}"); // was JsonSyntaxException
        var e = assertThrows(IllegalArgumentException.class, () -> ModelFile.load(p));
        assertTrue(e.getMessage().contains("m.json"), e.getMessage());
    }
}
