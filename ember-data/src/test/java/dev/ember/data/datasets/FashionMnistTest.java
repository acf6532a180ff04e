package dev.ember.data.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Tensor;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded subset, loading from a directory, and a download that fails cleanly. */
class FashionMnistTest {
    @TempDir
    Path dir;

    @Test
    void embeddedSubsetHasTheDocumentedSizesAndRanges() {
        var s = FashionMnist.loadEmbedded();
        assertTrue(s.isEmbeddedSubset());
        assertEquals(2000, s.train().size());
        assertEquals(500, s.test().size());
        assertArrayEquals(new long[]{2000, 1, 28, 28}, s.train().inputs().shape());
        Tensor x = s.train().inputs();
        assertTrue(x.min().item() >= 0 && x.max().item() <= 1 && x.max().item() > 0.99, "pixels scaled to [0, 1]");
        // Every class appears in the first 2,000 training images, with a roughly even count.
        long[] counts = new long[10];
        for (long y : s.train().targets().toLongArray()) counts[(int) y]++;
        for (long c : counts) assertTrue(c > 120 && c < 280, "class counts " + java.util.Arrays.toString(counts));
        // The training mean is close to the full set's published normalisation constant.
        assertEquals(FashionMnist.MEAN, x.mean().item(), 0.02);
    }

    @Test
    void loadsAnExplicitDirectoryAndRejectsAnIncompleteOne() throws Exception {
        Path res = Path.of("src/main/resources/dev/ember/data/fashion-mnist");
        for (String f : FashionMnist.FILES) Files.copy(res.resolve(f + ".gz"), dir.resolve(f + ".gz"));
        var s = FashionMnist.load(dir, false);
        assertEquals(dir.toString(), s.source());
        assertEquals(2000, s.train().size());
        assertArrayEquals(FashionMnist.loadEmbedded().test().targets().toLongArray(), s.test().targets().toLongArray());

        Files.delete(dir.resolve(FashionMnist.FILES[3] + ".gz"));
        var e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir, false));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void downloadFailsCleanlyWhenTheSourceIsUnreachable() {
        // A port nothing listens on stands in for being offline; the error names the source and the alternatives.
        var e = assertThrows(RuntimeException.class, () -> FashionMnist.download(dir.resolve("dl"), "http://127.0.0.1:9/"));
        assertTrue(e instanceof UncheckedIOException || e instanceof IllegalStateException, e.toString());
        assertTrue(e.getMessage().contains("127.0.0.1:9") && e.getMessage().contains("dataset-fashion-mnist"), e.getMessage());
    }
}
