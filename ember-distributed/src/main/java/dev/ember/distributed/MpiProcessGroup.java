package dev.ember.distributed;

import dev.ember.DType;
import dev.ember.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A process group over MPI ({@code MPI_COMM_WORLD}), called through {@code java.lang.foreign}
 * ({@link MpiLibrary}: Open MPI or an MPICH-ABI library). Start the ranks with {@code mpirun}
 * (or {@code ./ember launch}); each creates one group.
 *
 * <p>All MPI calls, {@code MPI_Init_thread} included, run on one communication thread, so
 * {@code MPI_THREAD_FUNNELED} suffices. Tensors on any device are staged through native host
 * buffers (a CUDA tensor is copied to the host, reduced by MPI and copied back), so this group
 * is also the fallback for GPUs where NCCL is absent. Collectives time out after
 * {@link #timeoutSeconds()} (default: {@code EMBER_DIST_TIMEOUT} seconds, else 600).
 */
public final class MpiProcessGroup implements ProcessGroup {
    /** The least time MPI_Init may take: 10 minutes. */
    static final double INIT_TIMEOUT_SECONDS = 600;

    private final CommThread comm;
    private final MpiLibrary mpi;
    private final int rank;
    private final int size;
    private boolean closed;
    // One staging buffer for the tensor collectives, grown on demand: they run one at a time, and a
    // shared arena per call would cost a thread handshake on every close.
    private Arena stagingArena = Arena.ofShared();
    private MemorySegment staging = stagingArena.allocate(1 << 16, 64);

    private MpiProcessGroup(double timeoutSeconds) {
        int[] rs = {-1, -1};
        MpiLibrary[] lib = new MpiLibrary[1];
        this.comm = new CommThread("ember-mpi", timeoutSeconds,
                () -> rs[0] < 0 ? "this process (its rank is not known yet)" : "rank " + rs[0] + " of " + rs[1]);
        // MPI_Init waits for every rank's process to start (JVMs, on a loaded machine, in their own
        // time), so it gets at least INIT_TIMEOUT_SECONDS whatever the collectives' limit.
        comm.run("MPI_Init", () -> {
            lib[0] = MpiLibrary.load();
            lib[0].init();
            rs[0] = lib[0].rank();
            rs[1] = lib[0].size();
        }, Math.max(timeoutSeconds, INIT_TIMEOUT_SECONDS));
        this.mpi = lib[0];
        this.rank = rs[0];
        this.size = rs[1];
    }

    /** Initialises MPI and joins {@code MPI_COMM_WORLD}, with the default timeout. */
    public static MpiProcessGroup init() { return new MpiProcessGroup(ProcessGroups.defaultTimeoutSeconds()); }

    /** Initialises MPI and joins {@code MPI_COMM_WORLD}; collectives fail after {@code timeoutSeconds}. */
    public static MpiProcessGroup init(double timeoutSeconds) { return new MpiProcessGroup(timeoutSeconds); }

    @Override
    public int rank() { return rank; }

    @Override
    public int worldSize() { return size; }

    @Override
    public String backendName() { return "mpi (" + mpi.version + ")"; }

    @Override
    public double timeoutSeconds() { return comm.timeoutSeconds(); }

    @Override
    public void allReduce(Tensor tensor, ReduceOp op) {
        checkOpen("allReduce");
        if (op == null) throw new IllegalArgumentException("allReduce: op is null");
        int n = count("allReduce", tensor);
        MemorySegment seg = HostStaging.toSegment(tensor, staging((long) n * tensor.dtype().byteSize()));
        comm.run(describe("allReduce", n, tensor.dtype()), () -> mpi.allreduceInPlace(seg, n, tensor.dtype(), op));
        HostStaging.copyBack(seg, tensor);
    }

    @Override
    public void broadcast(Tensor tensor, int root) {
        checkOpen("broadcast");
        checkRoot("broadcast", root);
        int n = count("broadcast", tensor);
        MemorySegment seg = HostStaging.toSegment(tensor, staging((long) n * tensor.dtype().byteSize()));
        comm.run(describe("broadcast", n, tensor.dtype()) + " from rank " + root, () -> mpi.bcast(seg, n, tensor.dtype(), root));
        if (rank != root) HostStaging.copyBack(seg, tensor);
    }

    @Override
    public List<Tensor> allGather(Tensor tensor) {
        checkOpen("allGather");
        int n = count("allGather", tensor);
        long bytes = (long) n * tensor.dtype().byteSize();
        MemorySegment buf = staging(bytes * (size + 1) + 64);
        MemorySegment send = HostStaging.toSegment(tensor, buf);
        MemorySegment recv = buf.asSlice((bytes + 63) / 64 * 64, bytes * size);
        comm.run(describe("allGather", n, tensor.dtype()), () -> mpi.allgather(send, recv, n, tensor.dtype()));
        List<Tensor> out = new ArrayList<>(size);
        for (int r = 0; r < size; r++) {
            Tensor t = HostStaging.fromSegment(recv, (long) r * n, tensor.dtype(), tensor.shape());
            out.add(t.device().equals(tensor.device()) ? t : t.to(tensor.device()));
        }
        return out;
    }

    @Override
    public void barrier() {
        checkOpen("barrier");
        comm.run("barrier", mpi::barrier);
    }

    @Override
    public Work allReduceAsync(MemorySegment buffer, DType dtype, ReduceOp op) {
        checkOpen("allReduceAsync");
        long count = buffer.byteSize() / dtype.byteSize();
        if (count > Integer.MAX_VALUE)
            throw new IllegalArgumentException("allReduceAsync: " + count + " elements exceed MPI's int count; split the buffer");
        int n = (int) count;
        return comm.submit(describe("allReduce", n, dtype), () -> mpi.allreduceInPlace(buffer, n, dtype, op));
    }

    /**
     * Ends every rank of the job at once ({@code MPI_Abort}), for a rank that cannot go on; mpirun
     * prints which rank called it. Called from any thread: the communication thread may be blocked.
     */
    public void abort(int code) { mpi.abortWorld(code); }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (comm.broken() == null) comm.run("MPI_Finalize", () -> { if (!mpi.isFinalized()) mpi.finalizeMpi(); });
        } finally {
            comm.shutdown();
            if (comm.broken() == null) stagingArena.close(); // a blocked collective may still hold it
        }
    }

    /** The staging buffer, at least {@code bytes} long. */
    private MemorySegment staging(long bytes) {
        if (staging.byteSize() < bytes) {
            if (comm.broken() != null) throw new DistributedException("mpi on rank " + rank + ": the process group is broken (" + comm.broken() + ")");
            stagingArena.close();
            stagingArena = Arena.ofShared();
            staging = stagingArena.allocate(Math.max(bytes, staging.byteSize() * 2), 64);
        }
        return staging;
    }

    @Override
    public String toString() { return "MpiProcessGroup(rank " + rank + " of " + size + ", " + mpi + ")"; }

    private void checkOpen(String op) {
        if (closed) throw new IllegalStateException(op + ": the process group is closed");
    }

    private void checkRoot(String op, int root) {
        if (root < 0 || root >= size) throw new IllegalArgumentException(op + ": root " + root + " is not a rank of a world of " + size);
    }

    private static int count(String op, Tensor t) {
        if (t == null) throw new IllegalArgumentException(op + ": tensor is null");
        return Math.toIntExact(t.numel());
    }

    private String describe(String op, int n, DType dtype) { return op + " of " + n + " " + dtype; }
}
