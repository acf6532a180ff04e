package dev.ember.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.ember.backend.gpu.BlasCall;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cuBLAS entry points Ember calls, bound through {@code java.lang.foreign}:
 * {@code cublasCreate_v2}, {@code cublasSetStream_v2}, {@code cublas[SD]gemmStridedBatched} and, where the
 * library has it, {@code cublasGemmStridedBatchedEx} for FLOAT16 and BFLOAT16 products that accumulate in
 * float32 (the C signatures of cuBLAS 12 and 13). Addresses are raw device (or, in tests, host) pointers.
 * {@link #find} looks for the library: {@code EMBER_CUBLAS_PATH} (a file or a directory) first, then the
 * loader's search path and the usual CUDA directories, newest major version first.
 */
final class CublasBinding {
    private static final FunctionDescriptor GEMM = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS,
            JAVA_INT, JAVA_LONG, JAVA_INT);

    /**
     * {@code cublasGemmStridedBatchedEx}: the GEMM above with a {@code cudaDataType} after each matrix, then the
     * batch count, a {@code cublasComputeType_t} and a {@code cublasGemmAlgo_t}.
     */
    private static final FunctionDescriptor GEMM_EX = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS,
            ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT);
    /** cuBLAS's codes: {@code CUDA_R_16F}, {@code CUDA_R_16BF}, {@code CUBLAS_COMPUTE_32F}, {@code CUBLAS_GEMM_DEFAULT}. */
    static final int CUDA_R_16F = 2, CUDA_R_16BF = 14, CUBLAS_COMPUTE_32F = 68, CUBLAS_GEMM_DEFAULT = -1;

    /** Sonames tried, newest first; 12 last, since JCublas2 normally serves it. */
    static final List<String> SONAMES = List.of("libcublas.so.16", "libcublas.so.15", "libcublas.so.14", "libcublas.so.13",
            "libcublas.so.12", "libcublas.so");
    static final List<String> DIRECTORIES = List.of("/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib",
            "/usr/lib/x86_64-linux-gnu", "/usr/local/lib");

    private final String library;
    private final MethodHandle create, setStream, sgemm, dgemm;
    private final MethodHandle gemmEx; // null when the library has no cublasGemmStridedBatchedEx
    private final MemorySegment oneF, zeroF, oneD, zeroD;

    /** Looks up the symbols; throws {@link IllegalArgumentException} naming a missing one. */
    CublasBinding(String library, SymbolLookup lookup) {
        this.library = library;
        Linker linker = Linker.nativeLinker();
        create = linker.downcallHandle(symbol(lookup, "cublasCreate_v2"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        setStream = linker.downcallHandle(symbol(lookup, "cublasSetStream_v2"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        sgemm = linker.downcallHandle(symbol(lookup, "cublasSgemmStridedBatched"), GEMM);
        dgemm = linker.downcallHandle(symbol(lookup, "cublasDgemmStridedBatched"), GEMM);
        gemmEx = lookup.find("cublasGemmStridedBatchedEx").map(a -> linker.downcallHandle(a, GEMM_EX)).orElse(null);
        Arena arena = Arena.global(); // alpha and beta live as long as the process
        oneF = arena.allocateFrom(JAVA_FLOAT, 1f);
        zeroF = arena.allocateFrom(JAVA_FLOAT, 0f);
        oneD = arena.allocateFrom(JAVA_DOUBLE, 1.0);
        zeroD = arena.allocateFrom(JAVA_DOUBLE, 0.0);
    }

    /**
     * The first cuBLAS that opens and binds.
     *
     * @throws IllegalArgumentException listing what was tried when none does
     */
    static CublasBinding find() {
        List<String> tried = new ArrayList<>();
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("EMBER_CUBLAS_PATH");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env.trim());
            if (Files.isDirectory(p)) for (String s : SONAMES) candidates.add(p.resolve(s));
            else candidates.add(p);
        }
        for (Path c : candidates) {
            if (!Files.exists(c)) { tried.add(c + " (missing)"); continue; }
            try {
                return new CublasBinding(c.toString(), SymbolLookup.libraryLookup(c, Arena.global()));
            } catch (IllegalArgumentException e) {
                tried.add(c + " (" + e.getMessage() + ")");
            }
        }
        for (String soname : SONAMES) {
            try {
                return new CublasBinding(soname, SymbolLookup.libraryLookup(soname, Arena.global()));
            } catch (IllegalArgumentException e) {
                // not on the loader's path; try the CUDA directories below
            }
            for (String dir : DIRECTORIES) {
                Path p = Path.of(dir, soname);
                if (!Files.exists(p)) continue;
                try {
                    return new CublasBinding(p.toString(), SymbolLookup.libraryLookup(p, Arena.global()));
                } catch (IllegalArgumentException e) {
                    tried.add(p + " (" + e.getMessage() + ")");
                }
            }
        }
        tried.add(String.join("/", SONAMES) + " not found on the loader path or in " + String.join(", ", DIRECTORIES));
        throw new IllegalArgumentException("no cuBLAS to bind: " + String.join("; ", tried));
    }

    /**
     * The cuBLAS that JCublas2 already loaded ({@code libcublas.so.12}), so that GemmEx beside JCublas2 does not
     * load a second cuBLAS; else {@link #find}.
     */
    static CublasBinding sameAsJcublas() {
        try {
            return new CublasBinding("libcublas.so.12", SymbolLookup.libraryLookup("libcublas.so.12", Arena.global()));
        } catch (IllegalArgumentException e) {
            return find();
        }
    }

    private MemorySegment symbol(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalArgumentException(library + " has no symbol " + name));
    }

    String library() { return library; }

    /** A new handle (bound to the calling thread's current CUDA context). */
    MemorySegment createHandle() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment box = a.allocate(ADDRESS);
            check("cublasCreate_v2", (int) create.invokeExact(box));
            return box.get(ADDRESS, 0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cuda: cublasCreate_v2 failed: " + t, t);
        }
    }

    void setStream(MemorySegment handle, long stream) {
        try {
            check("cublasSetStream_v2", (int) setStream.invokeExact(handle, MemorySegment.ofAddress(stream)));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cuda: cublasSetStream_v2 failed: " + t, t);
        }
    }

    /** {@code C = op(first) op(second)} per {@code call}, with alpha 1 and beta 0; addresses point at element 0 of batch 0. */
    void gemm(boolean f32, MemorySegment handle, BlasCall call, long first, long second, long c) {
        // Plain locals: a conditional expression inside invokeExact would be typed Object.
        MethodHandle gemm = f32 ? sgemm : dgemm;
        MemorySegment alpha = f32 ? oneF : oneD, beta = f32 ? zeroF : zeroD;
        int opFirst = call.transFirst() ? 1 : 0, opSecond = call.transSecond() ? 1 : 0; // CUBLAS_OP_N = 0, CUBLAS_OP_T = 1
        try {
            int status = (int) gemm.invokeExact(handle, opFirst, opSecond, call.m(), call.n(), call.k(), alpha,
                    MemorySegment.ofAddress(first), call.ldFirst(), call.strideFirst(),
                    MemorySegment.ofAddress(second), call.ldSecond(), call.strideSecond(),
                    beta, MemorySegment.ofAddress(c), call.ldc(), call.strideC(), call.batch());
            check(f32 ? "cublasSgemmStridedBatched" : "cublasDgemmStridedBatched", status);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cuda: cuBLAS GEMM call failed: " + t, t);
        }
    }

    /** Whether the library has {@code cublasGemmStridedBatchedEx} (every cuBLAS 12 and 13 does). */
    boolean hasGemmEx() { return gemmEx != null; }

    /**
     * {@code C = op(first) op(second)} per {@code call} with A, B and C of one 16-bit type ({@code CUDA_R_16F} or
     * {@code CUDA_R_16BF}), accumulated in float32 ({@code CUBLAS_COMPUTE_32F}, alpha 1 and beta 0 as floats) and
     * rounded once into C.
     */
    void gemmEx(int dataType, MemorySegment handle, BlasCall call, long first, long second, long c) {
        if (gemmEx == null) throw new IllegalStateException("cuda: " + library + " has no cublasGemmStridedBatchedEx");
        int opFirst = call.transFirst() ? 1 : 0, opSecond = call.transSecond() ? 1 : 0;
        try {
            int status = (int) gemmEx.invokeExact(handle, opFirst, opSecond, call.m(), call.n(), call.k(), oneF,
                    MemorySegment.ofAddress(first), dataType, call.ldFirst(), call.strideFirst(),
                    MemorySegment.ofAddress(second), dataType, call.ldSecond(), call.strideSecond(),
                    zeroF, MemorySegment.ofAddress(c), dataType, call.ldc(), call.strideC(), call.batch(),
                    CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
            check("cublasGemmStridedBatchedEx", status);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cuda: cuBLAS GemmEx call failed: " + t, t);
        }
    }

    private static void check(String call, int status) {
        if (status != 0) throw new IllegalStateException("cuda: " + call + " failed with cuBLAS status " + status);
    }
}
