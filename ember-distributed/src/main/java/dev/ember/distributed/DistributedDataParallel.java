package dev.ember.distributed;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.nn.Module;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Data-parallel training of one module over a {@link ProcessGroup}, as
 * {@code torch.nn.parallel.DistributedDataParallel}: each rank runs the same model on its own
 * shard of every batch; after {@code backward()} every rank holds the gradients averaged over all
 * ranks, so identical optimizer steps keep the replicas identical.
 *
 * <ul>
 *   <li>At construction the ranks check that their models have the same parameter shapes, then
 *   parameters and buffers are broadcast from rank 0. In training mode buffers (BatchNorm's
 *   running statistics) are broadcast from rank 0 again before each forward, as PyTorch's
 *   {@code broadcast_buffers}.</li>
 *   <li>Gradients are reduced in buckets of about {@code bucketCapMb} MiB (the first 1 MiB, as
 *   PyTorch), filled in reverse registration order, the order backward produces them. A
 *   post-accumulate-grad hook ({@link Tensor#registerPostAccumulateGradHook}) copies each
 *   gradient into its bucket's native buffer as soon as it is final; a full bucket is all-reduced
 *   on the group's communication thread while backward goes on with earlier layers. Buckets are
 *   launched in index order, so every rank issues the same collectives in the same order. When
 *   the last gradient is in, backward waits for the buckets and writes back sum / worldSize.</li>
 *   <li>Every parameter must get a gradient in every backward (PyTorch's default): a parameter
 *   left out makes the next {@link #forward} fail with its name. {@link #noSync()} accumulates
 *   gradients locally over several backward passes (gradient accumulation); the first backward
 *   after it reduces the accumulated gradients.</li>
 * </ul>
 *
 * <p>State dict names are the wrapped module's prefixed with {@code module.}, as PyTorch's.
 */
public final class DistributedDataParallel extends Module implements AutoCloseable {
    /** PyTorch's default bucket size. */
    public static final double DEFAULT_BUCKET_CAP_MB = 25;
    private static final long FIRST_BUCKET_BYTES = 1 << 20;

    private final Module module;
    private final ProcessGroup group;
    private final Arena arena = Arena.ofShared();
    private final List<Bucket> buckets = new ArrayList<>();
    private final Map<Tensor, Slot> slots = new IdentityHashMap<>();
    private final List<AutoCloseable> hooks = new ArrayList<>();
    private int ready;
    private int nextLaunch;
    private boolean sync = true;

    /** A parameter's place: its bucket and element offset in it. */
    private record Slot(String name, Tensor param, Bucket bucket, long offset) {}

    /** Consecutive parameters of one dtype reduced by one collective. */
    private static final class Bucket {
        final int index;
        final DType dtype;
        final List<Slot> slots = new ArrayList<>();
        long elements;
        MemorySegment buffer;
        int ready;
        Work work;

        Bucket(int index, DType dtype) {
            this.index = index;
            this.dtype = dtype;
        }
    }

    /** Wraps {@code module} with 25 MiB buckets. Collective: every rank must construct it. */
    public DistributedDataParallel(Module module, ProcessGroup group) { this(module, group, DEFAULT_BUCKET_CAP_MB); }

    /** Wraps {@code module}, reducing gradients in buckets of about {@code bucketCapMb} MiB. */
    public DistributedDataParallel(Module module, ProcessGroup group, double bucketCapMb) {
        if (module == null || group == null) throw new IllegalArgumentException("DistributedDataParallel: module and group must not be null");
        if (!(bucketCapMb > 0)) throw new IllegalArgumentException("DistributedDataParallel: bucketCapMb must be positive, got " + bucketCapMb);
        this.module = registerModule("module", module);
        this.group = group;
        Map<String, Tensor> params = module.namedParameters();
        for (var e : params.entrySet()) {
            DType d = e.getValue().dtype();
            if (d != DType.FLOAT32 && d != DType.FLOAT64)
                throw new IllegalArgumentException("DistributedDataParallel: parameter '" + e.getKey() + "' is " + d + "; only FLOAT32 and FLOAT64 are reduced");
        }
        checkSameModelEverywhere(params);
        broadcastState(module.namedParameters());
        broadcastState(module.namedBuffers());
        buildBuckets(params, (long) (bucketCapMb * (1 << 20)));
        for (Slot s : slots.values()) hooks.add(s.param().registerPostAccumulateGradHook(this::onGradReady));
    }

    /** The wrapped module (save {@code module().stateDict()} for names without the {@code module.} prefix). */
    public Module module() { return module; }

    /** The group gradients are reduced over. */
    public ProcessGroup processGroup() { return group; }

    /** The number of gradient buckets. */
    public int bucketCount() { return buckets.size(); }

    /** The parameter names of each bucket, in launch order (for tests and tuning). */
    public List<List<String>> bucketNames() {
        List<List<String>> out = new ArrayList<>();
        for (Bucket b : buckets) out.add(b.slots.stream().map(Slot::name).toList());
        return out;
    }

    /**
     * Runs the wrapped module. Fails if the previous backward left parameters without a gradient
     * (the ranks' reductions would no longer match).
     */
    @Override
    public Tensor forward(Tensor input) {
        if (ready > 0 && ready < slots.size()) throw incomplete();
        resetIteration();
        if (isTraining() && group.worldSize() > 1) broadcastState(module.namedBuffers());
        return module.forward(input);
    }

    /**
     * Turns gradient reduction off until the returned scope closes, as PyTorch's {@code no_sync()}:
     * backward passes inside accumulate local gradients; the first backward after it reduces the
     * sum of all of them.
     */
    public AutoCloseable noSync() {
        boolean before = sync;
        sync = false;
        return () -> sync = before;
    }

    /** Removes the hooks and frees the buckets' native memory (the process group stays open). */
    @Override
    public void close() {
        for (AutoCloseable h : hooks) {
            try {
                h.close();
            } catch (Exception ignored) {
                // removing a hook cannot fail
            }
        }
        hooks.clear();
        for (Bucket b : buckets) if (b.work != null && !b.work.isDone()) b.work.await();
        arena.close();
    }

    // ---- setup --------------------------------------------------------------------------

    private void checkSameModelEverywhere(Map<String, Tensor> params) {
        if (group.worldSize() == 1) return;
        long numel = 0, hash = 17;
        for (var e : params.entrySet()) {
            numel += e.getValue().numel();
            hash = hash * 31 + java.util.Arrays.hashCode(e.getValue().shape());
        }
        Tensor mine = Tensor.of(new long[]{params.size(), numel, hash});
        List<Tensor> all = group.allGather(mine);
        long[] me = mine.toLongArray();
        for (int r = 0; r < all.size(); r++) {
            long[] other = all.get(r).toLongArray();
            if (!java.util.Arrays.equals(me, other))
                throw new IllegalStateException("DistributedDataParallel: rank " + r + " has a different model (" + other[0] + " parameters, "
                        + other[1] + " elements) than rank " + group.rank() + " (" + me[0] + " parameters, " + me[1]
                        + " elements, or other shapes); every rank must build the same model");
        }
    }

    private void broadcastState(Map<String, Tensor> state) {
        if (group.worldSize() == 1) return;
        try (var ignored = Ember.noGrad()) {
            for (Tensor t : state.values()) group.broadcast(t, 0);
        }
    }

    private void buildBuckets(Map<String, Tensor> params, long capBytes) {
        List<Map.Entry<String, Tensor>> reversed = new ArrayList<>(params.entrySet());
        java.util.Collections.reverse(reversed); // backward reaches the last layers first
        Bucket current = null;
        long bytes = 0;
        for (var e : reversed) {
            Tensor p = e.getValue();
            long cap = current != null && current.index == 0 ? Math.min(FIRST_BUCKET_BYTES, capBytes) : capBytes;
            long pBytes = p.numel() * p.dtype().byteSize();
            if (current == null || current.dtype != p.dtype() || (bytes > 0 && bytes + pBytes > cap)) {
                current = new Bucket(buckets.size(), p.dtype());
                buckets.add(current);
                bytes = 0;
            }
            Slot s = new Slot(e.getKey(), p, current, current.elements);
            current.slots.add(s);
            current.elements += p.numel();
            bytes += pBytes;
            slots.put(p, s);
        }
        for (Bucket b : buckets) b.buffer = arena.allocate(Math.max(1, b.elements) * b.dtype.byteSize(), 64);
    }

    // ---- the reduction, driven by backward ----------------------------------------------

    private boolean gotGrad(Slot s) { return readyFlags.containsKey(s.param()); }

    private IllegalStateException incomplete() {
        StringJoiner missing = new StringJoiner(", ");
        for (Slot s : slots.values()) if (!gotGrad(s)) missing.add(s.name());
        return new IllegalStateException("DistributedDataParallel: the previous backward on rank " + group.rank()
                + " gave no gradient to " + missing + "; every parameter must take part in the loss (gradients of the others "
                + "were already being reduced, so the ranks cannot continue consistently)");
    }

    private final Map<Tensor, Boolean> readyFlags = new IdentityHashMap<>();

    private void resetIteration() {
        ready = 0;
        nextLaunch = 0;
        readyFlags.clear();
        for (Bucket b : buckets) {
            b.ready = 0;
            b.work = null;
        }
    }

    private void onGradReady(Tensor param) {
        if (!sync || group.worldSize() == 1) return; // one rank: the local gradient is the average
        Slot s = slots.get(param);
        if (s == null) return;
        if (ready == slots.size()) resetIteration(); // another backward after a finished reduction (no forward between)
        if (readyFlags.put(param, Boolean.TRUE) != null) throw incomplete(); // a backward began before the last one finished
        copyIn(s);
        ready++;
        Bucket b = s.bucket();
        b.ready++;
        // Launch in index order only: every rank then issues the same collectives in the same order.
        while (nextLaunch < buckets.size() && buckets.get(nextLaunch).ready == buckets.get(nextLaunch).slots.size()) {
            Bucket l = buckets.get(nextLaunch++);
            l.work = group.allReduceAsync(l.buffer, l.dtype, ReduceOp.SUM);
        }
        if (ready == slots.size()) finish();
    }

    private void copyIn(Slot s) {
        Tensor g = s.param().grad();
        MemorySegment buf = s.bucket().buffer;
        int n = (int) s.param().numel();
        if (s.bucket().dtype == DType.FLOAT32) {
            MemorySegment.copy(g.toFloatArray(), 0, buf, ValueLayout.JAVA_FLOAT, s.offset() * 4, n);
        } else {
            MemorySegment.copy(g.toDoubleArray(), 0, buf, ValueLayout.JAVA_DOUBLE, s.offset() * 8, n);
        }
    }

    /** Waits for every bucket and writes back the averaged gradients. */
    private void finish() {
        int world = group.worldSize();
        for (Bucket b : buckets) {
            b.work.await();
            for (Slot s : b.slots) {
                Tensor p = s.param();
                long[] shape = p.shape();
                int n = (int) p.numel();
                Tensor avg;
                if (b.dtype == DType.FLOAT32) {
                    float[] v = b.buffer.asSlice(s.offset() * 4, (long) n * 4).toArray(ValueLayout.JAVA_FLOAT);
                    for (int i = 0; i < n; i++) v[i] /= world;
                    avg = Tensor.of(v, shape);
                } else {
                    double[] v = b.buffer.asSlice(s.offset() * 8, (long) n * 8).toArray(ValueLayout.JAVA_DOUBLE);
                    for (int i = 0; i < n; i++) v[i] /= world;
                    avg = Tensor.of(v, shape);
                }
                p.setGrad(avg.device().equals(p.device()) ? avg : avg.to(p.device()));
            }
        }
    }
}
