package dev.ember.distributed;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.ember.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The C API of an MPI library ({@code libmpi}), bound through {@code java.lang.foreign}: no
 * binding jar, any MPI that follows one of the two handle conventions in use.
 *
 * <ul>
 *   <li><b>Open MPI</b> (3.x-5.x): handles are pointers, the addresses of global objects
 *   ({@code MPI_COMM_WORLD} is {@code &ompi_mpi_comm_world}, {@code MPI_FLOAT} is
 *   {@code &ompi_mpi_float}, {@code MPI_SUM} is {@code &ompi_mpi_op_sum}); {@code MPI_IN_PLACE}
 *   is {@code (void*) 1}.</li>
 *   <li><b>MPICH</b> and its ABI family (Intel MPI, MVAPICH, Cray MPICH): handles are 32-bit
 *   integers with fixed values ({@code MPI_COMM_WORLD = 0x44000000}, ...); {@code MPI_IN_PLACE}
 *   is {@code (void*) -1}.</li>
 * </ul>
 * The flavour is read from the loaded library (Open MPI exports {@code ompi_mpi_comm_world};
 * otherwise {@code MPI_Get_library_version} must name MPICH or a derivative), and a library of
 * neither kind is rejected with a message rather than called with wrong handles.
 *
 * <p>Not thread-safe: {@link MpiProcessGroup} calls it from its one communication thread.
 */
final class MpiLibrary {
    /** The two handle conventions. */
    enum Flavor { OPEN_MPI, MPICH }

    /** Library file names tried in order when {@code EMBER_MPI_LIB} does not name one. */
    static final List<String> CANDIDATES = List.of("libmpi.so.40", "libmpi.so.12", "libmpi.so");

    static final int MPI_SUCCESS = 0;
    static final int MPI_THREAD_FUNNELED = 1;

    private static final Linker LINKER = Linker.nativeLinker();

    final String path;
    final Flavor flavor;
    final String version;
    private final SymbolLookup lookup;
    private final MemoryLayout handle;
    private final Object commWorld;
    private final MemorySegment inPlace;
    private final MethodHandle initThread, initialized, finalized, finalize, commRank, commSize, allreduce, bcast,
            allgather, barrier, abort, errorString;

    private MpiLibrary(String path, SymbolLookup lookup, Flavor flavor, String version) {
        this.path = path;
        this.lookup = lookup;
        this.flavor = flavor;
        this.version = version;
        this.handle = flavor == Flavor.OPEN_MPI ? ADDRESS : JAVA_INT;
        this.commWorld = flavor == Flavor.OPEN_MPI ? symbol("ompi_mpi_comm_world") : 0x44000000;
        this.inPlace = MemorySegment.ofAddress(flavor == Flavor.OPEN_MPI ? 1L : -1L);
        var h = handle;
        initThread = fn("MPI_Init_thread", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
        initialized = fn("MPI_Initialized", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        finalized = fn("MPI_Finalized", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        finalize = fn("MPI_Finalize", FunctionDescriptor.of(JAVA_INT));
        commRank = fn("MPI_Comm_rank", FunctionDescriptor.of(JAVA_INT, h, ADDRESS));
        commSize = fn("MPI_Comm_size", FunctionDescriptor.of(JAVA_INT, h, ADDRESS));
        allreduce = fn("MPI_Allreduce", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, h, h, h));
        bcast = fn("MPI_Bcast", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, h, JAVA_INT, h));
        allgather = fn("MPI_Allgather", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, h, ADDRESS, JAVA_INT, h, h));
        barrier = fn("MPI_Barrier", FunctionDescriptor.of(JAVA_INT, h));
        abort = fn("MPI_Abort", FunctionDescriptor.of(JAVA_INT, h, JAVA_INT));
        errorString = fn("MPI_Error_string", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    /**
     * Loads the MPI library named by {@code EMBER_MPI_LIB}, else the first of {@link #CANDIDATES}
     * that opens, and identifies its flavour.
     *
     * @throws DistributedException naming every file tried and why it failed, or why the library
     *                              that loaded is not supported
     */
    static MpiLibrary load() {
        String explicit = System.getenv("EMBER_MPI_LIB");
        List<String> names = explicit != null && !explicit.isBlank() ? List.of(explicit) : CANDIDATES;
        List<String> failures = new ArrayList<>();
        for (String name : names) {
            SymbolLookup lookup;
            try {
                lookup = SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException e) {
                failures.add(name + ": " + e.getMessage());
                continue;
            }
            return open(name, lookup);
        }
        throw new DistributedException("mpi: no MPI library could be loaded (" + String.join("; ", failures)
                + "). Install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev) or MPICH, "
                + "or set EMBER_MPI_LIB to the path of libmpi.so");
    }

    /** Identifies the flavour of an opened library (package-private for tests). */
    static MpiLibrary open(String name, SymbolLookup lookup) {
        Optional<MemorySegment> getVersion = lookup.find("MPI_Get_library_version");
        if (getVersion.isEmpty())
            throw new DistributedException("mpi: " + name + " has no MPI_Get_library_version; it is not an MPI-3 library");
        String version = libraryVersion(getVersion.get());
        Flavor flavor = detect(lookup.find("ompi_mpi_comm_world").isPresent(), version);
        if (flavor == null)
            throw new DistributedException("mpi: " + name + " is '" + version + "', which is neither Open MPI nor an MPICH-ABI "
                    + "library (MPICH, Intel MPI, MVAPICH, Cray MPICH); Ember knows only those two handle conventions");
        return new MpiLibrary(name, lookup, flavor, version);
    }

    /** The flavour from what the library exports and says of itself, or null when unsupported. */
    static Flavor detect(boolean hasOmpiCommWorld, String version) {
        if (hasOmpiCommWorld) return Flavor.OPEN_MPI;
        String v = version.toLowerCase(java.util.Locale.ROOT);
        if (v.contains("mpich") || v.contains("intel(r) mpi") || v.contains("mvapich") || v.contains("cray mpich")) return Flavor.MPICH;
        return null;
    }

    private static String libraryVersion(MemorySegment fn) {
        var h = LINKER.downcallHandle(fn, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(8192); // MPICH's MPI_MAX_LIBRARY_VERSION_STRING; Open MPI's is 256
            MemorySegment len = a.allocate(JAVA_INT);
            int rc = (int) h.invokeExact(buf, len);
            if (rc != MPI_SUCCESS) return "(MPI_Get_library_version failed: " + rc + ")";
            return buf.getString(0).strip().lines().findFirst().orElse("").strip();
        } catch (Throwable t) {
            throw new DistributedException("mpi: MPI_Get_library_version failed: " + t, t);
        }
    }

    private MemorySegment symbol(String name) {
        return lookup.find(name).orElseThrow(() -> new DistributedException("mpi: " + path + " has no symbol " + name));
    }

    private MethodHandle fn(String name, FunctionDescriptor d) { return LINKER.downcallHandle(symbol(name), d); }

    /** The datatype handle of an Ember dtype. */
    Object datatype(DType dtype) {
        if (dtype == DType.FLOAT16 || dtype == DType.BFLOAT16) // MPI 3/4 define no 16-bit float type
            throw new DistributedException("mpi: " + dtype + " has no MPI datatype; reduce the tensor in FLOAT32 (x.to(DType.FLOAT32))");
        if (flavor == Flavor.OPEN_MPI) {
            return symbol(switch (dtype) {
                case FLOAT32 -> "ompi_mpi_float";
                case FLOAT64 -> "ompi_mpi_double";
                case INT32 -> "ompi_mpi_int";
                case INT64 -> "ompi_mpi_int64_t";
                case BOOL -> "ompi_mpi_uint8_t";
                case FLOAT16, BFLOAT16 -> throw new IllegalStateException("refused above");
            });
        }
        return switch (dtype) {
            case FLOAT32 -> 0x4c00040a;
            case FLOAT64 -> 0x4c00080b;
            case INT32 -> 0x4c000405;
            case INT64 -> 0x4c00083a; // MPI_INT64_T
            case BOOL -> 0x4c00013b;  // MPI_UINT8_T
            case FLOAT16, BFLOAT16 -> throw new IllegalStateException("refused above");
        };
    }

    /** The op handle of a reduction. */
    Object op(ReduceOp op) {
        if (flavor == Flavor.OPEN_MPI) {
            return symbol(switch (op) {
                case SUM -> "ompi_mpi_op_sum";
                case PRODUCT -> "ompi_mpi_op_prod";
                case MAX -> "ompi_mpi_op_max";
                case MIN -> "ompi_mpi_op_min";
            });
        }
        return switch (op) {
            case MAX -> 0x58000001;
            case MIN -> 0x58000002;
            case SUM -> 0x58000003;
            case PRODUCT -> 0x58000004;
        };
    }

    Object commWorld() { return commWorld; }

    MemorySegment inPlace() { return inPlace; }

    /** MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED), unless MPI is initialised already; returns the provided level. */
    int init() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment flag = a.allocate(JAVA_INT);
            check("MPI_Initialized", (int) initialized.invokeExact(flag));
            if (flag.get(JAVA_INT, 0) != 0) return MPI_THREAD_FUNNELED;
            MemorySegment provided = a.allocate(JAVA_INT);
            check("MPI_Init_thread", (int) initThread.invokeExact(MemorySegment.NULL, MemorySegment.NULL, MPI_THREAD_FUNNELED, provided));
            return provided.get(JAVA_INT, 0);
        } catch (DistributedException e) {
            throw e;
        } catch (Throwable t) {
            throw new DistributedException("mpi: MPI_Init_thread failed: " + t, t);
        }
    }

    int rank() { return commQuery(commRank, "MPI_Comm_rank"); }

    int size() { return commQuery(commSize, "MPI_Comm_size"); }

    private int commQuery(MethodHandle h, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check(what, (int) h.invokeWithArguments(commWorld, out));
            return out.get(JAVA_INT, 0);
        } catch (DistributedException e) {
            throw e;
        } catch (Throwable t) {
            throw new DistributedException("mpi: " + what + " failed: " + t, t);
        }
    }

    void allreduceInPlace(MemorySegment buf, int count, DType dtype, ReduceOp op) {
        call("MPI_Allreduce", allreduce, inPlace, buf, count, datatype(dtype), op(op), commWorld);
    }

    void bcast(MemorySegment buf, int count, DType dtype, int root) {
        call("MPI_Bcast", bcast, buf, count, datatype(dtype), root, commWorld);
    }

    void allgather(MemorySegment send, MemorySegment recv, int count, DType dtype) {
        Object t = datatype(dtype);
        call("MPI_Allgather", allgather, send, count, t, recv, count, t, commWorld);
    }

    void barrier() { call("MPI_Barrier", barrier, commWorld); }

    boolean isFinalized() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment flag = a.allocate(JAVA_INT);
            check("MPI_Finalized", (int) finalized.invokeExact(flag));
            return flag.get(JAVA_INT, 0) != 0;
        } catch (DistributedException e) {
            throw e;
        } catch (Throwable t) {
            throw new DistributedException("mpi: MPI_Finalized failed: " + t, t);
        }
    }

    void finalizeMpi() { call("MPI_Finalize", finalize); }

    /** MPI_Abort on the world: ends every rank of the job (mpirun reports it). */
    void abortWorld(int code) { call("MPI_Abort", abort, commWorld, code); }

    private void call(String what, MethodHandle h, Object... args) {
        int rc;
        try {
            rc = (int) h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw new DistributedException("mpi: " + what + " failed: " + t, t);
        }
        check(what, rc);
    }

    private void check(String what, int rc) {
        if (rc != MPI_SUCCESS) throw new DistributedException("mpi: " + what + " returned error " + rc + " (" + errorText(rc) + ")");
    }

    private String errorText(int rc) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(1024); // >= MPI_MAX_ERROR_STRING in both flavours
            MemorySegment len = a.allocate(JAVA_INT);
            int r = (int) errorString.invokeExact(rc, buf, len);
            return r == MPI_SUCCESS ? buf.getString(0) : "no description";
        } catch (Throwable t) {
            return "no description";
        }
    }

    @Override
    public String toString() { return version + " (" + path + ")"; }
}
