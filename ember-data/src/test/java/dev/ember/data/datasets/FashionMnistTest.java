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
    void rowsConvertedFromTheBytesEqualTheWholeSetsRowsAndABadRowIsNamed() {
        var raw = FashionMnist.loadRaw(null, false); // the embedded subset when the full set is not installed
        IdxReader.IdxArray images = raw.trainImages();
        int n = images.count(), pixels = 28 * 28;
        // every row in reverse, then two repeated: many conversion chunks (334 images each), the last one partial
        int[] rows = new int[n + 2];
        for (int i = 0; i < n; i++) rows[i] = n - 1 - i;
        rows[n] = 7;
        rows[n + 1] = 7;
        var some = raw.train(rows);
        float[] x = some.inputs().toFloatArray();
        long[] y = some.targets().toLongArray();
        assertArrayEquals(new long[]{rows.length, 1, 28, 28}, some.inputs().shape());
        for (int i = 0; i < rows.length; i++) {
            assertEquals(raw.trainLabels().data()[rows[i]] & 0xff, y[i], "label of row " + rows[i]);
            for (int p = 0; p < pixels; p++) {
                float expected = (images.data()[rows[i] * pixels + p] & 0xff) / 255f; // independent of the chunking
                if (Float.floatToIntBits(expected) != Float.floatToIntBits(x[i * pixels + p]))
                    throw new AssertionError("row " + rows[i] + " pixel " + p + ": " + x[i * pixels + p] + " != " + expected);
            }
        }
        // all rows: the same bits as the whole-set load
        float[] whole = raw.splits().test().inputs().toFloatArray(), again = raw.test(null).inputs().toFloatArray();
        assertArrayEquals(whole, again);
        assertEquals(raw.testImages().count() * pixels, whole.length);

        // FLOAT32 as documented, whatever the default dtype
        var before = dev.ember.Ember.defaultDType();
        dev.ember.Ember.setDefaultDType(dev.ember.DType.FLOAT64);
        try {
            assertEquals(dev.ember.DType.FLOAT32, raw.test(new int[]{3}).inputs().dtype());
        } finally {
            dev.ember.Ember.setDefaultDType(before);
        }

        var e = assertThrows(IndexOutOfBoundsException.class, () -> raw.train(new int[]{0, n}));
        assertTrue(e.getMessage().contains("row " + n) && e.getMessage().contains("FashionMnist"), e.getMessage());
        assertEquals(0, raw.test(new int[0]).size());
    }

    @Test
    void normalisedRowsEqualTheTensorNormalisationOfTheConvertedRows() {
        var raw = FashionMnist.loadRaw(null, false);
        int[] rows = {5, 0, 1999 % raw.trainImages().count(), 42, 42, 7};
        float[] viaTensor = FashionMnist.normalize(raw.train(rows).inputs()).toFloatArray();
        float[] inPlace = raw.train(rows).inputs().subInPlace(Tensor.scalar(FashionMnist.MEAN))
                .divInPlace(Tensor.scalar(FashionMnist.STD)).toFloatArray();
        float[] converted = raw.train(rows, true).inputs().toFloatArray();
        assertArrayEquals(viaTensor, converted, "bit for bit, as Tensor.sub/div do it in float32"); // assertArrayEquals(float[]) compares bits
        assertArrayEquals(inPlace, converted);
        // every byte value, against float64 arithmetic rounded once per operation as float32 does it
        int pixels = 28 * 28;
        byte[] px = raw.testImages().data();
        float[] test = raw.test(null, true).inputs().toFloatArray();
        boolean[] seen = new boolean[256];
        for (int i = 0; i < test.length; i++) {
            int b = px[i] & 0xff;
            float unit = (float) (b / 255.0), expected = (float) (((double) (float) ((double) unit - (float) FashionMnist.MEAN)) / (float) FashionMnist.STD);
            if (Float.floatToIntBits(expected) != Float.floatToIntBits(test[i]))
                throw new AssertionError("pixel " + i + " (byte " + b + "): " + test[i] + " != " + expected);
            seen[b] = true;
        }
        int distinct = 0;
        for (boolean v : seen) distinct += v ? 1 : 0;
        assertTrue(distinct > 200, "the test images use " + distinct + " byte values");
        assertEquals(raw.testImages().count() * pixels, test.length);
        assertArrayEquals(raw.test(new int[]{3, 1}, false).inputs().toFloatArray(), raw.test(new int[]{3, 1}).inputs().toFloatArray());
    }

    @Test
    void downloadFailsCleanlyWhenTheSourceIsUnreachable() {
        // A port nothing listens on stands in for being offline; the error names the source and the alternatives.
        var e = assertThrows(RuntimeException.class, () -> FashionMnist.download(dir.resolve("dl"), "http://127.0.0.1:9/"));
        assertTrue(e instanceof UncheckedIOException || e instanceof IllegalStateException, e.toString());
        assertTrue(e.getMessage().contains("127.0.0.1:9") && e.getMessage().contains("dataset-fashion-mnist"), e.getMessage());
    }
}
