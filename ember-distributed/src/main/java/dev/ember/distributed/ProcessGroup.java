package dev.ember.distributed;

import dev.ember.DType;
import dev.ember.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A fixed set of processes ("ranks") that run collectives together, as PyTorch's
 * {@code torch.distributed} process group. Every rank must call the same collectives in the same
 * order with tensors of the same shape and dtype.
 *
 * <p>Implementations: {@link LocalProcessGroup} (one process; for tests and world size 1),
 * {@link MpiProcessGroup} (Open MPI or MPICH through {@code java.lang.foreign}; tensors on any
 * device are staged through host memory) and {@link NcclProcessGroup} (CUDA tensors through NCCL,
 * the rest through MPI). {@link ProcessGroups#init()} picks one from the environment that
 * {@code mpirun} or {@code ./ember launch} sets up.
 *
 * <p>Collectives are made from one communication thread per group, so the MPI library needs no
 * thread support; the tensor methods block until the collective has finished. A collective that
 * does not finish within {@link #timeoutSeconds()} throws {@link DistributedException} rather than
 * hanging (a peer that died or stopped), and the group is broken afterwards.
 */
public interface ProcessGroup extends AutoCloseable {
    /** This process's rank, from 0 to {@code worldSize() - 1}. */
    int rank();

    /** The number of ranks. */
    int worldSize();

    /** Which library carries the collectives, e.g. {@code "mpi (Open MPI v4.1.4)"}. */
    String backendName();

    /** How long a collective may take before it fails with {@link DistributedException}. */
    double timeoutSeconds();

    /** Combines {@code tensor} across the ranks with {@code op}, in place on every rank. */
    void allReduce(Tensor tensor, ReduceOp op);

    /** Sums {@code tensor} across the ranks, in place. */
    default void allReduce(Tensor tensor) { allReduce(tensor, ReduceOp.SUM); }

    /** Replaces {@code tensor} on every rank by its value on rank {@code root}. */
    void broadcast(Tensor tensor, int root);

    /** Every rank's {@code tensor}, in rank order (each of the same shape and dtype as the argument, on its device). */
    List<Tensor> allGather(Tensor tensor);

    /** Returns once every rank has called it. */
    void barrier();

    /**
     * Starts an in-place all-reduce of a native buffer holding {@code buffer.byteSize() /
     * dtype.byteSize()} elements of {@code dtype} and returns at once. The buffer must stay alive
     * and untouched until the returned work is {@linkplain Work#await() awaited}.
     */
    Work allReduceAsync(MemorySegment buffer, DType dtype, ReduceOp op);

    /** Leaves the group (MPI: finalizes the library); later collectives throw. */
    @Override
    void close();
}
