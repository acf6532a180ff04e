package dev.ember.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Generator;
import dev.ember.Tensor;
import dev.ember.data.vision.Compose;
import dev.ember.data.vision.Flip;
import dev.ember.data.vision.RandomCrop;
import dev.ember.data.vision.TransformedDataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** n examples whose input is [2] = {i, -i} and target the index i. */
    private static TensorDataset indexed(int n) {
        float[] x = new float[2 * n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) { x[2 * i] = i; x[2 * i + 1] = -i; y[i] = i; }
        return new TensorDataset(Tensor.of(x, n, 2), Tensor.of(y, n));
    }

    /** The same data, but only map-style (no batched access), so examples go through collate. */
    private static Dataset<Example> unbatched(TensorDataset d) {
        return new Dataset<>() {
            public int size() { return d.size(); }
            public Example get(int i) { return d.get(i); }
        };
    }

    private static List<long[]> targets(DataLoader loader) {
        List<long[]> out = new ArrayList<>();
        for (Batch b : loader) out.add(b.targets().toLongArray());
        return out;
    }

    @Test
    void shuffledEpochVisitsEveryExampleOnceInTheGeneratorsOrder() {
        DataLoader loader = DataLoader.builder(indexed(23)).batchSize(5).shuffle(true).seed(7).build();
        assertEquals(5, loader.size());
        List<long[]> batches = targets(loader);
        assertEquals(List.of(5, 5, 5, 5, 3), batches.stream().map(b -> b.length).toList());
        long[] seen = batches.stream().flatMapToLong(Arrays::stream).toArray();
        int[] expected = new Generator(7).permutation(23);
        assertArrayEquals(Arrays.stream(expected).asLongStream().toArray(), seen);
        long[] secondEpoch = targets(loader).stream().flatMapToLong(Arrays::stream).toArray();
        assertTrue(!Arrays.equals(seen, secondEpoch), "a new order each epoch");
        assertArrayEquals(longSorted(seen), longSorted(secondEpoch));
    }

    private static long[] longSorted(long[] a) { long[] c = a.clone(); Arrays.sort(c); return c; }

    @Test
    void dropLastDropsTheShortBatch() {
        DataLoader loader = DataLoader.builder(indexed(23)).batchSize(5).dropLast(true).build();
        assertEquals(4, loader.size());
        assertEquals(4, targets(loader).size());
    }

    @Test
    void workersGiveTheSameBatchesInTheSameOrderAsNoWorkers() {
        for (boolean batched : new boolean[]{true, false}) {
            Dataset<Example> data = batched ? indexed(101) : unbatched(indexed(101));
            List<long[]> reference = targets(DataLoader.builder(data).batchSize(8).shuffle(true).seed(3).build());
            for (int workers : new int[]{1, 2, 3}) {
                List<long[]> got = targets(DataLoader.builder(data).batchSize(8).shuffle(true).seed(3).numWorkers(workers).prefetch(2).build());
                assertEquals(reference.size(), got.size());
                for (int i = 0; i < got.size(); i++) assertArrayEquals(reference.get(i), got.get(i), "workers " + workers + ", batch " + i);
            }
        }
    }

    @Test
    void randomAugmentationIsTheSameWhateverTheWorkerCountAndChangesPerEpoch() {
        Tensor images = Tensor.rand(40, 1, 6, 6);
        TensorDataset base = new TensorDataset(images, Tensor.arange(40));
        var augment = new Compose(new RandomCrop(6, 2), Flip.horizontal(0.5));
        List<float[]> reference = null;
        for (int workers : new int[]{0, 1, 2}) {
            DataLoader loader = DataLoader.builder(new TransformedDataset(base, augment, 11)).batchSize(6).shuffle(true).seed(1).numWorkers(workers).build();
            List<float[]> inputs = new ArrayList<>();
            for (Batch b : loader) inputs.add(b.inputs().toFloatArray());
            List<float[]> epoch2 = new ArrayList<>();
            for (Batch b : loader) epoch2.add(b.inputs().toFloatArray());
            assertTrue(!Arrays.equals(inputs.get(0), epoch2.get(0)), "epochs differ");
            if (reference == null) reference = inputs;
            else for (int i = 0; i < inputs.size(); i++) assertArrayEquals(reference.get(i), inputs.get(i), "workers " + workers + ", batch " + i);
        }
    }

    @Test
    void customCollateSeesTheExamplesOfEachBatch() {
        Collate sumTargets = examples -> new Batch(Tensor.stack(examples.stream().map(Example::input).toList(), 0),
                Tensor.of(new long[]{examples.stream().mapToLong(e -> e.target().itemLong()).sum()}, 1));
        DataLoader loader = DataLoader.builder(indexed(10)).batchSize(4).collate(sumTargets).numWorkers(2).build();
        List<long[]> sums = targets(loader);
        assertArrayEquals(new long[]{0 + 1 + 2 + 3}, sums.get(0));
        assertArrayEquals(new long[]{4 + 5 + 6 + 7}, sums.get(1));
        assertArrayEquals(new long[]{8 + 9}, sums.get(2));
    }

    @Test
    void aWorkerErrorSurfacesInTheConsumingThreadWithItsCause() {
        IllegalStateException boom = new IllegalStateException("corrupt example 13");
        Dataset<Example> failing = new Dataset<>() {
            public int size() { return 30; }
            public Example get(int i) {
                if (i == 13) throw boom;
                return new Example(Tensor.zeros(2), Tensor.scalar(i, DType.INT64));
            }
        };
        DataLoader loader = DataLoader.builder(failing).batchSize(4).numWorkers(2).build();
        Iterator<Batch> it = loader.iterator();
        assertEquals(4, it.next().size());
        assertEquals(4, it.next().size());
        assertEquals(4, it.next().size());
        DataLoaderException e = assertThrows(DataLoaderException.class, it::next);
        assertSame(boom, e.getCause());
        assertTrue(e.getMessage().contains("batch 3"), e.getMessage());
        assertTrue(!it.hasNext(), "the failed epoch ends");
    }

    @Test
    void iterableDatasetIsBatchedInOrderWithAndWithoutAReaderThread() {
        IterableDataset<Example> stream = () -> IntStream.range(0, 11)
                .mapToObj(i -> new Example(Tensor.of(new float[]{i}, 1), Tensor.scalar(i, DType.INT64))).iterator();
        for (int workers : new int[]{0, 1}) {
            List<long[]> got = targets(DataLoader.builder(stream).batchSize(4).numWorkers(workers).build());
            assertEquals(3, got.size());
            assertArrayEquals(new long[]{0, 1, 2, 3}, got.get(0));
            assertArrayEquals(new long[]{8, 9, 10}, got.get(2));
        }
        assertThrows(IllegalStateException.class, () -> DataLoader.builder(stream).build().size());
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(stream).shuffle(true).build());
    }

    @Test
    void anIterableReaderErrorSurfacesWithItsCause() {
        RuntimeException broken = new RuntimeException("stream broke");
        IterableDataset<Example> stream = () -> new Iterator<>() {
            int i = 0;
            public boolean hasNext() { return true; }
            public Example next() {
                if (i == 5) throw broken;
                return new Example(Tensor.zeros(1), Tensor.scalar(i++, DType.INT64));
            }
        };
        Iterator<Batch> it = DataLoader.builder(stream).batchSize(2).numWorkers(1).build().iterator();
        it.next();
        it.next();
        DataLoaderException e = assertThrows(DataLoaderException.class, it::next);
        assertSame(broken, e.getCause());
    }

    @Test
    void subsetOfABatchedDatasetStaysBatched() {
        Dataset<Example> sub = Subset.of(indexed(10), new int[]{9, 2, 4});
        assertTrue(sub instanceof BatchedDataset);
        assertArrayEquals(new long[]{9, 2, 4}, targets(DataLoader.builder(sub).batchSize(3).build()).get(0));
        assertArrayEquals(new float[]{2, -2}, sub.get(1).input().toFloatArray());
        assertThrows(IndexOutOfBoundsException.class, () -> Subset.of(indexed(3), new int[]{3}));
    }
}
