package dev.ember.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.Tensor;
import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.data.TensorDataset;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shards of {@link DistributedSampler}: disjoint, covering, reshuffled per epoch, as PyTorch's. */
class DistributedSamplerTest {

    @Test
    void unshuffledShardsMatchPyTorch() throws Exception {
        // benchmarks/reference/make_sampler_refs.py (torch.utils.data.DistributedSampler, shuffle=False)
        var in = getClass().getResourceAsStream("/distributed/sampler_refs.json");
        JsonObject refs = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        int checked = 0;
        for (var c : refs.getAsJsonArray("cases")) {
            JsonObject o = c.getAsJsonObject();
            int n = o.get("n").getAsInt(), w = o.get("replicas").getAsInt();
            boolean dropLast = o.get("drop_last").getAsBoolean();
            var shards = o.getAsJsonArray("shards");
            for (int r = 0; r < w; r++) {
                int[] want = new int[shards.get(r).getAsJsonArray().size()];
                for (int k = 0; k < want.length; k++) want[k] = shards.get(r).getAsJsonArray().get(k).getAsInt();
                DistributedSampler s = new DistributedSampler(n, r, w, false, 0, dropLast);
                assertArrayEquals(want, s.indices(0), "n=" + n + " replicas=" + w + " dropLast=" + dropLast + " rank " + r);
                assertEquals(want.length, s.size());
                checked++;
            }
        }
        assertEquals(19, checked); // 3 + 3 + 4 + 4 + 3 + 2 shards
    }

    @Test
    void shuffledShardsCoverTheDatasetExactlyOncePerEpochAndChangeBetweenEpochs() {
        int n = 1000, w = 4;
        int[] previous = null;
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] seen = new int[n];
            List<Integer> rank0 = new ArrayList<>();
            for (int r = 0; r < w; r++) {
                int[] idx = new DistributedSampler(n, r, w, true, 5, false).indices(epoch);
                assertEquals(n / w, idx.length);
                for (int i : idx) seen[i]++;
                if (r == 0) for (int i : idx) rank0.add(i);
            }
            for (int i = 0; i < n; i++) assertEquals(1, seen[i], "epoch " + epoch + ": index " + i + " is visited once");
            int[] now = rank0.stream().mapToInt(Integer::intValue).toArray();
            if (previous != null) assertFalse(Arrays.equals(previous, now), "a new order each epoch");
            previous = now;
        }
    }

    @Test
    void paddingRepeatsOnlyAsFewAsNeededAndUnpaddedShardsCountEveryExampleOnce() {
        int n = 10, w = 4;
        int[] seen = new int[n];
        for (int r = 0; r < w; r++) for (int i : new DistributedSampler(n, r, w, true, 1, false).indices(0)) seen[i]++;
        assertEquals(12, Arrays.stream(seen).sum(), "padded to 3 per rank");
        assertEquals(2, Arrays.stream(seen).filter(c -> c == 2).count(), "two examples count twice");
        int[] once = new int[n];
        int total = 0;
        for (int r = 0; r < w; r++) {
            DistributedSampler s = DistributedSampler.unpadded(n, r, w);
            total += s.size();
            for (int i : s.indices(0)) once[i]++;
        }
        assertEquals(n, total);
        for (int c : once) assertEquals(1, c);
    }

    @Test
    void theRanksBatchesTogetherAreTheSingleProcessBatch() {
        // Batch k of each of 2 ranks with batch 4 = positions [8k, 8k+8) of the epoch's order: what one
        // process with batch 8 over the same order sees. This is why DDP matches a single process.
        TensorDataset data = new TensorDataset(Tensor.arange(0, 40, 1).reshape(40, 1), Tensor.arange(0, 40, 1));
        DataLoader whole = DataLoader.builder(data).batchSize(8).sampler(new DistributedSampler(40, 0, 1, true, 3, false)).build();
        List<DataLoader> ranks = List.of(
                DataLoader.builder(data).batchSize(4).sampler(new DistributedSampler(40, 0, 2, true, 3, false)).build(),
                DataLoader.builder(data).batchSize(4).sampler(new DistributedSampler(40, 1, 2, true, 3, false)).build());
        for (int epoch = 0; epoch < 2; epoch++) {
            var a = ranks.get(0).iterator();
            var b = ranks.get(1).iterator();
            for (Batch one : whole) {
                long[] union = concat(a.next().targets().toLongArray(), b.next().targets().toLongArray());
                long[] want = one.targets().toLongArray();
                Arrays.sort(union);
                Arrays.sort(want);
                assertArrayEquals(want, union, "epoch " + epoch);
            }
            assertFalse(a.hasNext() || b.hasNext());
        }
        assertEquals(5, ranks.get(0).size(), "20 indices per rank in batches of 4");
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(10, 2, 2, true, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(10, 0, 0, true, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(-1, 0, 1, true, 0, false));
        TensorDataset data = new TensorDataset(Tensor.zeros(4, 1), Tensor.zeros(4));
        var e = assertThrows(IllegalArgumentException.class,
                () -> DataLoader.builder(data).shuffle(true).sampler(new DistributedSampler(4, 0, 1, true, 0, false)).build());
        assertEquals(true, e.getMessage().contains("sampler"));
    }

    private static long[] concat(long[] a, long[] b) {
        long[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
