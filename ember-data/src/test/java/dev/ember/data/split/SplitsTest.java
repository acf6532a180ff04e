package dev.ember.data.split;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.ember.Tensor;
import dev.ember.data.Dataset;
import dev.ember.data.Example;
import dev.ember.data.Subset;
import dev.ember.data.TensorDataset;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitsTest {
    private static TensorDataset labelled(int[] labels) {
        long[] y = Arrays.stream(labels).asLongStream().toArray();
        float[] x = new float[labels.length];
        for (int i = 0; i < x.length; i++) x[i] = i;
        return new TensorDataset(Tensor.of(x, labels.length, 1), Tensor.of(y, labels.length));
    }

    private static int[] indicesOf(Dataset<Example> part) { return ((Subset<Example>) part).indices(); }

    @Test
    void defaultSplitIs80_10_10AndPartitionsTheIndices() {
        TensorDataset data = labelled(new int[100]);
        DatasetSplit<Example> s = Splits.trainValTest(data, 5);
        assertEquals(80, s.train().size());
        assertEquals(10, s.validation().size());
        assertEquals(10, s.test().size());
        Set<Integer> all = new HashSet<>();
        for (var part : List.of(s.train(), s.validation(), s.test())) for (int i : indicesOf(part)) assertTrue(all.add(i), "index " + i + " twice");
        assertEquals(100, all.size());
        assertArrayEquals(indicesOf(s.test()), indicesOf(Splits.trainValTest(data, 5).test()), "seeded");
        assertTrue(!Arrays.equals(indicesOf(s.test()), indicesOf(Splits.trainValTest(data, 6).test())), "seed changes the split");
    }

    @Test
    void badRatiosAndEmptyPartsAreErrors() {
        TensorDataset data = labelled(new int[20]);
        var e = assertThrows(IllegalArgumentException.class, () -> Splits.trainValTest(data, 0.7, 0.2, 0.2, 0));
        assertTrue(e.getMessage().contains("sum to"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Splits.trainValTest(data, 1.0, 0.0, 0.0, 0));
        var empty = assertThrows(IllegalArgumentException.class, () -> Splits.trainValTest(labelled(new int[5]), 0.9, 0.05, 0.05, 0));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
    }

    @Test
    void stratifiedSplitKeepsClassProportionsInEveryPart() {
        int[] labels = new int[200];
        for (int i = 0; i < 200; i++) labels[i] = i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2; // 60% / 30% / 10%
        DatasetSplit<Example> s = Splits.stratified(labelled(labels), labels, 0.8, 0.1, 0.1, 3);
        int[][] expected = {{96, 48, 16}, {12, 6, 2}, {12, 6, 2}};
        List<Dataset<Example>> parts = List.of(s.train(), s.validation(), s.test());
        for (int p = 0; p < 3; p++) {
            int[] counts = new int[3];
            for (int i : indicesOf(parts.get(p))) counts[labels[i]]++;
            assertArrayEquals(expected[p], counts, "part " + p);
        }
    }

    /** Fold sizes and per-class test counts against scikit-learn (make_data_refs.py). */
    @Test
    void kFoldAndStratifiedKFoldMatchScikitLearn() throws Exception {
        JsonArray cases;
        try (var r = new InputStreamReader(getClass().getResourceAsStream("/data/splits_refs.json"), StandardCharsets.UTF_8)) {
            cases = JsonParser.parseReader(r).getAsJsonArray();
        }
        for (JsonElement el : cases) {
            var c = el.getAsJsonObject();
            int[] labels = ints(c.getAsJsonArray("labels"));
            int k = c.get("k").getAsInt();
            int classes = Arrays.stream(labels).max().getAsInt() + 1;
            List<Fold> folds = new StratifiedKFold(k, true, 9).split(labels);
            JsonArray expected = c.getAsJsonArray("stratifiedTestCounts");
            Set<Integer> tested = new HashSet<>();
            for (int f = 0; f < k; f++) {
                int[] counts = new int[classes];
                for (int i : folds.get(f).test()) { counts[labels[i]]++; assertTrue(tested.add(i)); }
                assertArrayEquals(ints(expected.get(f).getAsJsonArray()), counts, "fold " + f + " of " + labels.length);
                assertEquals(labels.length, folds.get(f).train().length + folds.get(f).test().length);
            }
            assertEquals(labels.length, tested.size());
            List<Fold> plain = new KFold(k).split(labels.length);
            assertArrayEquals(ints(c.getAsJsonArray("kfoldTestSizes")), plain.stream().mapToInt(f -> f.test().length).toArray());
            assertArrayEquals(IntStream.range(0, plain.get(0).test().length).toArray(), plain.get(0).test(), "unshuffled folds are consecutive");
        }
    }

    private static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
        return out;
    }
}
