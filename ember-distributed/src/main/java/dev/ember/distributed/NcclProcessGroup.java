package dev.ember.distributed;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.backend.Strided;
import dev.ember.backend.NativeInterop;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Collectives on CUDA tensors through NCCL ({@link Nccl}, {@code libnccl.so.2} by FFM), with an
 * MPI group beside it for everything else: the NCCL unique id is made on rank 0 and broadcast over
 * MPI, CPU tensors, barriers and host buffers go through MPI. NCCL operations are queued on the
 * stream where Ember runs the device's ops, so they follow the kernels that produced their input,
 * and the caller then waits for the stream, polling, for at most the group's timeout; past it the
 * communicator is aborted ({@code ncclCommAbort}) and a {@link DistributedException} thrown, as
 * PyTorch's NCCL watchdog does. Create with {@link ProcessGroups#forDevice}, which falls back to
 * the MPI group (host staging) where NCCL is absent.
 */
public final class NcclProcessGroup implements ProcessGroup {
    private final ProcessGroup host;
    private final Nccl nccl;
    private final Device device;
    private final MemorySegment comm;
    private String broken;
    private boolean closed;

    private NcclProcessGroup(ProcessGroup host, Nccl nccl, Device device, MemorySegment comm) {
        this.host = host;
        this.nccl = nccl;
        this.device = device;
        this.comm = comm;
    }

    /**
     * Joins an NCCL communicator of {@code host}'s ranks on {@code device} (each rank its own GPU,
     * usually {@code cuda(localRank)}). Collective: every rank of {@code host} must call it.
     */
    static NcclProcessGroup create(ProcessGroup host, Device device) {
        if (!device.type().equals(Device.CUDA_TYPE)) throw new IllegalArgumentException("NcclProcessGroup: device must be CUDA, got " + device);
        Nccl nccl = Nccl.get();
        Tensor probe = Tensor.zeros(1).to(device);
        device(probe.strided()).address(probe.strided()); // makes the device's context current for ncclCommInitRank
        Tensor id = Tensor.zeros(DType.INT32, 32);
        if (host.rank() == 0) id = Tensor.of(toInts(nccl.uniqueId()));
        host.broadcast(id, 0);
        MemorySegment comm = nccl.commInitRank(toBytes(id.toIntArray()), host.worldSize(), host.rank());
        return new NcclProcessGroup(host, nccl, device, comm);
    }

    @Override
    public int rank() { return host.rank(); }

    @Override
    public int worldSize() { return host.worldSize(); }

    @Override
    public String backendName() { return "nccl (" + nccl.version + ") on " + device + ", " + host.backendName() + " for host tensors"; }

    @Override
    public double timeoutSeconds() { return host.timeoutSeconds(); }

    @Override
    public void allReduce(Tensor tensor, ReduceOp op) {
        if (!onGpu(tensor)) {
            host.allReduce(tensor, op);
            return;
        }
        Tensor c = tensor.isContiguous() ? tensor : tensor.contiguous();
        Strided s = c.strided();
        NativeInterop d = device(s);
        long p = d.address(s);
        nccl.allReduce(p, p, c.numel(), c.dtype(), op, comm, d.queue());
        await("allReduce of " + c.numel() + " " + c.dtype(), s);
        writeBack(c, tensor);
    }

    @Override
    public void broadcast(Tensor tensor, int root) {
        if (!onGpu(tensor)) {
            host.broadcast(tensor, root);
            return;
        }
        Tensor c = tensor.isContiguous() ? tensor : tensor.contiguous();
        Strided s = c.strided();
        NativeInterop d = device(s);
        long p = d.address(s);
        nccl.broadcast(p, p, c.numel(), c.dtype(), root, comm, d.queue());
        await("broadcast of " + c.numel() + " " + c.dtype() + " from rank " + root, s);
        writeBack(c, tensor);
    }

    @Override
    public List<Tensor> allGather(Tensor tensor) {
        if (!onGpu(tensor)) return host.allGather(tensor);
        Tensor c = tensor.contiguous();
        long n = c.numel();
        Tensor out = Tensor.zeros(c.dtype(), n * worldSize()).to(tensor.device());
        Strided s = c.strided(), o = out.strided();
        NativeInterop d = device(s);
        nccl.allGather(d.address(s), d.address(o), n, c.dtype(), comm, d.queue());
        await("allGather of " + n + " " + c.dtype(), o);
        List<Tensor> parts = new ArrayList<>(worldSize());
        for (int r = 0; r < worldSize(); r++) parts.add(out.narrow(0, r * n, n).reshape(tensor.shape()));
        return parts;
    }

    @Override
    public void barrier() { host.barrier(); }

    @Override
    public Work allReduceAsync(MemorySegment buffer, DType dtype, ReduceOp op) { return host.allReduceAsync(buffer, dtype, op); }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (broken == null) nccl.destroy(comm);
        } finally {
            host.close();
        }
    }

    private boolean onGpu(Tensor t) {
        if (closed) throw new IllegalStateException("nccl: the process group is closed");
        if (broken != null) throw new DistributedException("nccl on rank " + rank() + ": the process group is broken (" + broken + ")");
        return t.device().type().equals(Device.CUDA_TYPE);
    }

    /** Device addresses and the stream of the CUDA device that holds {@code s}. */
    private static NativeInterop device(Strided s) {
        return s.storage().backend().capability(NativeInterop.class).orElseThrow(() -> new IllegalStateException(
                "nccl: " + s.storage().backend().device() + " gives no device addresses (NativeInterop)"));
    }

    /** Polls the stream until the collective is done; past the timeout aborts the communicator. */
    private void await(String what, Strided s) {
        long deadline = System.nanoTime() + (long) (timeoutSeconds() * 1e9);
        long sleepNanos = 10_000;
        NativeInterop d = device(s);
        while (!d.idle()) {
            if (System.nanoTime() > deadline) {
                broken = what + " did not finish within " + CommThread.format(timeoutSeconds()) + " s";
                nccl.abort(comm);
                throw new DistributedException("nccl: " + what + " on rank " + rank() + " of " + worldSize() + " did not finish within "
                        + CommThread.format(timeoutSeconds()) + " s: another rank has died or stopped; the communicator was aborted");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(sleepNanos);
            sleepNanos = Math.min(sleepNanos * 2, 1_000_000);
        }
    }

    private static void writeBack(Tensor result, Tensor target) {
        if (result == target) return;
        try (var ignored = Ember.noGrad()) {
            target.copyFrom(result);
        }
    }

    static int[] toInts(byte[] b) {
        int[] out = new int[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    static byte[] toBytes(int[] v) {
        ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asIntBuffer().put(v);
        return buf.array();
    }
}
