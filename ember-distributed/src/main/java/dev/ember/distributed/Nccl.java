package dev.ember.distributed;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.ember.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * NCCL's C API ({@code libnccl.so.2}, NCCL 2.x) through {@code java.lang.foreign}: unique id,
 * communicator setup, all-reduce, broadcast, all-gather and abort, as documented in NCCL's
 * {@code nccl.h}. Probed once: where the library does not load, {@link #isAvailable()} is false
 * and {@link #unavailableReason()} says why in one line, and CUDA tensors go through MPI.
 */
final class Nccl {
    /** {@code ncclUniqueId}: {@code struct { char internal[NCCL_UNIQUE_ID_BYTES = 128]; }}, passed by value. */
    static final MemoryLayout UNIQUE_ID = MemoryLayout.structLayout(MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("internal"));
    static final String LIBRARY = "libnccl.so.2";

    private static final Probe PROBE = probe(System.getenv().getOrDefault("EMBER_NCCL_LIB", LIBRARY));

    final String version;
    private final MethodHandle getUniqueId, commInitRank, allReduce, broadcast, allGather, commDestroy, commAbort, errorString;

    record Probe(Nccl nccl, String reason) {}

    private Nccl(SymbolLookup lib) {
        Linker l = Linker.nativeLinker();
        getUniqueId = l.downcallHandle(find(lib, "ncclGetUniqueId"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        commInitRank = l.downcallHandle(find(lib, "ncclCommInitRank"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, UNIQUE_ID, JAVA_INT));
        // (sendbuff, recvbuff, count, datatype, op, comm, stream)
        allReduce = l.downcallHandle(find(lib, "ncclAllReduce"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        // (sendbuff, recvbuff, count, datatype, root, comm, stream)
        broadcast = l.downcallHandle(find(lib, "ncclBroadcast"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        // (sendbuff, recvbuff, sendcount, datatype, comm, stream)
        allGather = l.downcallHandle(find(lib, "ncclAllGather"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
        commDestroy = l.downcallHandle(find(lib, "ncclCommDestroy"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        commAbort = l.downcallHandle(find(lib, "ncclCommAbort"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        errorString = l.downcallHandle(find(lib, "ncclGetErrorString"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
        MethodHandle getVersion = l.downcallHandle(find(lib, "ncclGetVersion"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            int rc = (int) getVersion.invokeExact(v);
            int code = v.get(JAVA_INT, 0); // 2.19.3 -> 21903 (since 2.9: major * 10000 + minor * 100 + patch)
            this.version = rc != 0 ? "NCCL (version unknown)"
                    : code >= 10000 ? "NCCL " + code / 10000 + "." + code / 100 % 100 + "." + code % 100
                    : "NCCL " + code / 1000 + "." + code / 100 % 10 + "." + code % 100;
        } catch (Throwable t) {
            throw new IllegalStateException("nccl: ncclGetVersion failed: " + t, t);
        }
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("nccl: " + LIBRARY + " has no symbol " + name));
    }

    /** Loads and binds {@code library}, or records in one line why it cannot be used (package-private for tests). */
    static Probe probe(String library) {
        try {
            return new Probe(new Nccl(SymbolLookup.libraryLookup(library, Arena.global())), null);
        } catch (Throwable t) { // a missing library, a missing symbol: never fatal, the caller falls back
            String why = t instanceof IllegalArgumentException ? library + " not found (" + t.getMessage() + ")" : String.valueOf(t.getMessage());
            return new Probe(null, why);
        }
    }

    /** Whether NCCL loaded. */
    static boolean isAvailable() { return PROBE.nccl() != null; }

    /** Why NCCL is unavailable, or null when it loaded. */
    static String unavailableReason() { return PROBE.reason(); }

    /** The loaded library; throws with the probe's reason when absent. */
    static Nccl get() {
        if (PROBE.nccl() == null) throw new DistributedException("nccl: unavailable: " + PROBE.reason());
        return PROBE.nccl();
    }

    /** {@code ncclDataType_t}: ncclInt8 0, ncclUint8 1, ncclInt32 2, ncclUint32 3, ncclInt64 4, ncclUint64 5, ncclFloat16 6, ncclFloat32 7, ncclFloat64 8, ncclBfloat16 9. */
    static int dataType(DType d) {
        return switch (d) {
            case BOOL -> 1;
            case INT32 -> 2;
            case INT64 -> 4;
            case FLOAT32 -> 7;
            case FLOAT64 -> 8;
            case FLOAT16 -> 6;
            case BFLOAT16 -> 9;
        };
    }

    /** {@code ncclRedOp_t}: ncclSum 0, ncclProd 1, ncclMax 2, ncclMin 3. */
    static int redOp(ReduceOp op) {
        return switch (op) {
            case SUM -> 0;
            case PRODUCT -> 1;
            case MAX -> 2;
            case MIN -> 3;
        };
    }

    /** A new unique id (rank 0 makes it, the others receive it over MPI). */
    byte[] uniqueId() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment id = a.allocate(UNIQUE_ID);
            check("ncclGetUniqueId", (int) getUniqueId.invokeExact(id));
            return id.toArray(JAVA_BYTE);
        } catch (DistributedException e) {
            throw e;
        } catch (Throwable t) {
            throw new DistributedException("nccl: ncclGetUniqueId failed: " + t, t);
        }
    }

    /** {@code ncclCommInitRank}: joins the communicator of {@code worldSize} ranks named by {@code id}; the current CUDA device is used. */
    MemorySegment commInitRank(byte[] id, int worldSize, int rank) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment comm = a.allocate(ADDRESS);
            MemorySegment idSeg = a.allocate(UNIQUE_ID);
            MemorySegment.copy(id, 0, idSeg, JAVA_BYTE, 0, 128);
            check("ncclCommInitRank", (int) commInitRank.invokeExact(comm, worldSize, idSeg, rank));
            return comm.get(ADDRESS, 0);
        } catch (DistributedException e) {
            throw e;
        } catch (Throwable t) {
            throw new DistributedException("nccl: ncclCommInitRank failed: " + t, t);
        }
    }

    void allReduce(long send, long recv, long count, DType d, ReduceOp op, MemorySegment comm, long stream) {
        call("ncclAllReduce", () -> (int) allReduce.invokeExact(MemorySegment.ofAddress(send), MemorySegment.ofAddress(recv), count,
                dataType(d), redOp(op), comm, MemorySegment.ofAddress(stream)));
    }

    void broadcast(long send, long recv, long count, DType d, int root, MemorySegment comm, long stream) {
        call("ncclBroadcast", () -> (int) broadcast.invokeExact(MemorySegment.ofAddress(send), MemorySegment.ofAddress(recv), count,
                dataType(d), root, comm, MemorySegment.ofAddress(stream)));
    }

    void allGather(long send, long recv, long count, DType d, MemorySegment comm, long stream) {
        call("ncclAllGather", () -> (int) allGather.invokeExact(MemorySegment.ofAddress(send), MemorySegment.ofAddress(recv), count,
                dataType(d), comm, MemorySegment.ofAddress(stream)));
    }

    void destroy(MemorySegment comm) { call("ncclCommDestroy", () -> (int) commDestroy.invokeExact(comm)); }

    /** Frees the communicator without waiting for pending operations (after a timeout). */
    void abort(MemorySegment comm) { call("ncclCommAbort", () -> (int) commAbort.invokeExact(comm)); }

    @FunctionalInterface
    private interface NativeCall {
        int run() throws Throwable;
    }

    private void call(String what, NativeCall c) {
        int rc;
        try {
            rc = c.run();
        } catch (Throwable t) {
            throw new DistributedException("nccl: " + what + " failed: " + t, t);
        }
        check(what, rc);
    }

    private void check(String what, int rc) {
        if (rc == 0) return;
        String text;
        try {
            text = ((MemorySegment) errorString.invokeExact(rc)).reinterpret(1024).getString(0);
        } catch (Throwable t) {
            text = "no description";
        }
        throw new DistributedException("nccl: " + what + " returned " + rc + " (" + text + ")");
    }
}
