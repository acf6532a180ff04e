package dev.ember.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.functional.F;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * DistributedDataParallel on rank 1 of a simulated world of 2, in one process: the group
 * ({@link PeerGroup}) plays rank 0 from precomputed values (its weights for the broadcast, its
 * gradients for the all-reduce), so the bucket layout, the averaging and the write-back are
 * checked against a model trained on the whole batch, with no MPI. {@link MpiTest} runs real ranks.
 */
class DistributedDataParallelTest {

    private static Module model(long seed) {
        Ember.manualSeed(seed);
        return new Sequential(new Linear(6, 16), new ReLU(), new Linear(16, 8), new ReLU(), new Linear(8, 3));
    }

    /** Rank 1 of 2; rank 0's weights and per-parameter gradients are given. */
    static class PeerGroup implements ProcessGroup {
        final ArrayDeque<Tensor> peerState = new ArrayDeque<>();
        Map<String, Tensor> peerGrads = Map.of();
        List<List<String>> layout = List.of();
        final List<Integer> launches = new ArrayList<>();
        final List<Boolean> firstLayerHadGradAtLaunch = new ArrayList<>();
        Tensor firstLayerWeight;

        @Override public int rank() { return 1; }
        @Override public int worldSize() { return 2; }
        @Override public String backendName() { return "simulated"; }
        @Override public double timeoutSeconds() { return 1; }
        @Override public void allReduce(Tensor tensor, ReduceOp op) { throw new UnsupportedOperationException(); }
        @Override public void barrier() {}
        @Override public void close() {}

        @Override
        public void broadcast(Tensor tensor, int root) {
            try (var ignored = Ember.noGrad()) {
                tensor.copyFrom(peerState.removeFirst());
            }
        }

        @Override
        public List<Tensor> allGather(Tensor tensor) { return List.of(tensor.clone(), tensor.clone()); }

        @Override
        public Work allReduceAsync(MemorySegment buffer, DType dtype, ReduceOp op) {
            int bucket = launches.size() % layout.size(); // each backward launches buckets 0, 1, ... again
            launches.add((int) (buffer.byteSize() / 4));
            firstLayerHadGradAtLaunch.add(firstLayerWeight.grad() != null);
            long at = 0;
            for (String name : layout.get(bucket)) { // adds rank 0's gradient to ours: the sum over 2 ranks
                float[] g = peerGrads.get(name).toFloatArray();
                for (float v : g) {
                    buffer.set(ValueLayout.JAVA_FLOAT, at, buffer.get(ValueLayout.JAVA_FLOAT, at) + v);
                    at += 4;
                }
            }
            assertEquals(buffer.byteSize(), at, "bucket " + bucket + " holds exactly its parameters");
            return new Work() {
                @Override public void await() {}
                @Override public boolean isDone() { return true; }
            };
        }
    }

    private static Map<String, Tensor> grads(Module m) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        m.namedParameters().forEach((k, v) -> out.put(k, v.grad()));
        return out;
    }

    @Test
    void averagedGradientsEqualTheWholeBatchGradientAndWeightsComeFromRankZero() {
        Tensor x = Tensor.randn(8, 6), y = Tensor.randint(0, 3, 8);
        Tensor x0 = x.narrow(0, 0, 4), y0 = y.narrow(0, 0, 4), x1 = x.narrow(0, 4, 4), y1 = y.narrow(0, 4, 4);

        Module rank0 = model(1);                     // rank 0's replica, and the whole-batch reference
        F.crossEntropy(rank0.forward(x0), y0).backward();
        Map<String, Tensor> g0 = grads(rank0);
        Module whole = model(1);
        F.crossEntropy(whole.forward(x), y).backward();

        PeerGroup group = new PeerGroup();
        rank0.namedParameters().values().forEach(group.peerState::add);
        Module mine = model(2);                      // different initial weights: the broadcast must replace them
        group.firstLayerWeight = mine.parameters().get(0);
        DistributedDataParallel ddp = new DistributedDataParallel(mine, group, 5e-4); // 524-byte buckets: three
        group.layout = ddp.bucketNames();
        group.peerGrads = g0;
        assertTrue(ddp.bucketCount() >= 3, "small cap makes several buckets: " + ddp.bucketNames());
        assertEquals(List.of("4.bias", "4.weight", "2.bias"), ddp.bucketNames().get(0), "buckets fill in reverse order, last layer first");

        F.crossEntropy(ddp.forward(x1), y1).backward();

        Map<String, Tensor> want = grads(whole);
        mine.namedParameters().forEach((k, p) -> {
            assertArrayEquals(rank0.namedParameters().get(k).toFloatArray(), p.toFloatArray(), 0f, k + ": weights from rank 0");
            assertArrayEquals(want.get(k).toFloatArray(), p.grad().toFloatArray(), 2e-6f, k + ": (g0 + g1) / 2 = whole-batch gradient");
        });
        assertEquals(ddp.bucketCount(), group.launches.size(), "one all-reduce per bucket");
        assertEquals(false, group.firstLayerHadGradAtLaunch.get(0), "the first bucket was reduced before backward reached the first layer");
    }

    @Test
    void aParameterLeftOutOfTheLossIsReportedByName() {
        PeerGroup group = new PeerGroup();
        Module m = model(3);
        m.namedParameters().values().forEach(t -> group.peerState.add(t.clone()));
        group.firstLayerWeight = m.parameters().get(0);
        DistributedDataParallel ddp = new DistributedDataParallel(m, group, 1e-3);
        group.layout = ddp.bucketNames();
        Map<String, Tensor> zero = new java.util.HashMap<>();
        m.namedParameters().forEach((k, v) -> zero.put(k, Tensor.zerosLike(v)));
        group.peerGrads = zero;
        Tensor x = Tensor.randn(2, 6);
        ddp.forward(x);
        // a loss that skips the model's first layers: only the last Linear's inputs get gradients
        Module last = ((Sequential) m).children().get("4");
        last.forward(Tensor.randn(2, 8)).sum().backward();
        var e = assertThrows(IllegalStateException.class, () -> ddp.forward(x));
        assertTrue(e.getMessage().contains("0.weight") && e.getMessage().contains("rank 1"), e.getMessage());
    }

    @Test
    void noSyncAccumulatesLocallyThenReducesTheSum() {
        PeerGroup group = new PeerGroup();
        Module m = model(4);
        m.namedParameters().values().forEach(t -> group.peerState.add(t.clone()));
        group.firstLayerWeight = m.parameters().get(0);
        DistributedDataParallel ddp = new DistributedDataParallel(m, group, 25);
        group.layout = ddp.bucketNames();
        Map<String, Tensor> zero = new java.util.HashMap<>();
        m.namedParameters().forEach((k, v) -> zero.put(k, Tensor.zerosLike(v)));
        group.peerGrads = zero;
        Tensor a = Tensor.randn(3, 6), b = Tensor.randn(3, 6);
        try (var ignored = ddp.noSync()) {
            ddp.forward(a).sum().backward();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertEquals(0, group.launches.size(), "no collective inside noSync");
        ddp.forward(b).sum().backward();
        assertEquals(1, group.launches.size());
        Module ref = model(4);
        ref.forward(a).sum().backward();
        ref.forward(b).sum().backward();
        // the peer contributed zeros: the result is (accumulated local sum + 0) / 2
        assertArrayEquals(ref.parameters().get(0).grad().div(2.0).toFloatArray(), m.parameters().get(0).grad().toFloatArray(), 1e-6f);
    }

    @Test
    void aSecondBackwardWithoutForwardIsReducedToo() {
        // gradient accumulation without noSync: each backward reduces what has accumulated so far
        PeerGroup group = new PeerGroup();
        Module m = model(7);
        m.namedParameters().values().forEach(t -> group.peerState.add(t.clone()));
        group.firstLayerWeight = m.parameters().get(0);
        DistributedDataParallel ddp = new DistributedDataParallel(m, group, 25);
        group.layout = ddp.bucketNames();
        Map<String, Tensor> zero = new java.util.HashMap<>();
        m.namedParameters().forEach((k, v) -> zero.put(k, Tensor.zerosLike(v)));
        group.peerGrads = zero;
        Tensor a = Tensor.randn(3, 6);
        Tensor y = ddp.forward(a).sum();
        y.backward(Tensor.ones(), true);
        assertEquals(1, group.launches.size());
        Tensor afterFirst = m.parameters().get(0).grad().clone();
        y.backward(); // no forward in between
        assertEquals(2, group.launches.size(), "the second backward was reduced as well");
        // (g/2 + g) / 2 with the peer contributing zeros
        assertArrayEquals(afterFirst.mul(1.5).toFloatArray(), m.parameters().get(0).grad().toFloatArray(), 1e-6f);
    }

    @Test
    void withOneRankItIsTheModuleItself() {
        Module m = model(5);
        DistributedDataParallel ddp = new DistributedDataParallel(m, new LocalProcessGroup());
        Tensor x = Tensor.randn(4, 6);
        ddp.forward(x).sum().backward();
        Module ref = model(5);
        ref.forward(x).sum().backward();
        assertArrayEquals(ref.parameters().get(2).grad().toFloatArray(), m.parameters().get(2).grad().toFloatArray(), 0f);
        assertEquals(m.namedParameters().keySet().stream().map(k -> "module." + k).toList(), List.copyOf(ddp.namedParameters().keySet()));
        assertSame(m, ddp.module());
    }

    @Test
    void rejectsIntegerParametersAndBadCaps() {
        assertThrows(IllegalArgumentException.class, () -> new DistributedDataParallel(model(6), new LocalProcessGroup(), 0));
        assertThrows(IllegalArgumentException.class, () -> new DistributedDataParallel(null, new LocalProcessGroup()));
    }
}
