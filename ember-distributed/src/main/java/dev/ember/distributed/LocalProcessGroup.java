package dev.ember.distributed;

import dev.ember.DType;
import dev.ember.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The group of one process: every collective is the identity (a sum over one rank is the value
 * itself), so code written for N ranks runs unchanged as a single process, and tests of
 * {@link DistributedDataParallel} need no MPI.
 */
public final class LocalProcessGroup implements ProcessGroup {
    private boolean closed;

    /** A group of one rank (rank 0, world size 1). */
    public LocalProcessGroup() {}

    @Override
    public int rank() { return 0; }

    @Override
    public int worldSize() { return 1; }

    @Override
    public String backendName() { return "local"; }

    @Override
    public double timeoutSeconds() { return Double.POSITIVE_INFINITY; }

    @Override
    public void allReduce(Tensor tensor, ReduceOp op) {
        check("allReduce", tensor);
        if (op == null) throw new IllegalArgumentException("allReduce: op is null");
    }

    @Override
    public void broadcast(Tensor tensor, int root) {
        check("broadcast", tensor);
        if (root != 0) throw new IllegalArgumentException("broadcast: root " + root + " is not a rank of a world of 1");
    }

    @Override
    public List<Tensor> allGather(Tensor tensor) {
        check("allGather", tensor);
        return List.of(tensor.clone());
    }

    @Override
    public void barrier() {
        if (closed) throw new IllegalStateException("barrier: the process group is closed");
    }

    @Override
    public Work allReduceAsync(MemorySegment buffer, DType dtype, ReduceOp op) {
        if (closed) throw new IllegalStateException("allReduceAsync: the process group is closed");
        return new Work() {
            @Override
            public void await() {}

            @Override
            public boolean isDone() { return true; }
        };
    }

    @Override
    public void close() { closed = true; }

    private void check(String op, Tensor t) {
        if (closed) throw new IllegalStateException(op + ": the process group is closed");
        if (t == null) throw new IllegalArgumentException(op + ": tensor is null");
    }
}
