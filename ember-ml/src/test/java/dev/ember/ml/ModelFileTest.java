package dev.ember.ml;

import dev.ember.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Every estimator survives a JSON round trip with identical predictions; bad files fail clearly. */
class ModelFileTest {

    @Test
    void everyEstimatorRoundTrips(@TempDir Path dir) {
        SklearnData d = SklearnData.load("wine");
        Tensor x = d.trainX(true), y = d.trainY(), tx = d.testX(true);
        List<Estimator> models = List.of(new LinearRegression().fit(x, d.trainTargets()), new Ridge(2).fit(x, d.trainTargets()),
                new Lasso(0.05, 1000, 1e-6).fit(x, d.trainTargets()), new LogisticRegression().fit(x, y),
                new DecisionTreeClassifier().fit(x, y), new DecisionTreeRegressor(3, 2, 1).fit(x, d.trainTargets()),
                new RandomForestClassifier(10, 1).fit(x, y), new SVC(1, Kernel.poly(2, 1)).fit(x, y),
                new KMeans(3, 2, 0).fit(x, null), new MiniBatchKMeans(3, 64, 1, 0).fit(x, null),
                new KNeighborsClassifier(3).fit(x, y), new GaussianNB().fit(x, y));
        for (Estimator m : models) {
            Path file = dir.resolve(m.getClass().getSimpleName() + ".json");
            m.save(file);
            Estimator back = ModelFile.load(file);
            assertEquals(m.getClass(), back.getClass());
            assertArrayEquals(m.predict(tx).toDoubleArray(), back.predict(tx).toDoubleArray(), 0, m.getClass().getSimpleName());
            if (m instanceof ProbabilisticClassifier p)
                assertArrayEquals(p.predictProba(tx).toDoubleArray(), ((ProbabilisticClassifier) back).predictProba(tx).toDoubleArray(), 0);
        }
    }

    @Test
    void badFilesFailWithTheirPath(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.json");
        Files.writeString(junk, "{\"type\": \"java.lang.String\", \"model\": {}}");
        var e = assertThrows(IllegalArgumentException.class, () -> ModelFile.load(junk));
        assertTrue(e.getMessage().contains("junk.json"), e.getMessage());
        Files.writeString(junk, "not json");
        assertThrows(IllegalArgumentException.class, () -> ModelFile.load(junk));
        assertThrows(java.io.UncheckedIOException.class, () -> ModelFile.load(dir.resolve("missing.json")));
    }
}
