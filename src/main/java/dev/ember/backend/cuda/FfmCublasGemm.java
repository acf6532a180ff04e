package dev.ember.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.ember.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The installed cuBLAS (13 or newer, where JCublas 12 cannot load) called through
 * {@code java.lang.foreign}: {@code cublasCreate_v2}, {@code cublasSetStream_v2} and
 * {@code cublas[SD]gemmStridedBatched}.
 */
final class FfmCublasGemm extends BlasGemm {
    private static final FunctionDescriptor GEMM = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS,
            JAVA_INT, JAVA_LONG, JAVA_INT);

    private final String library;
    private final MethodHandle sgemm, dgemm;
    private final MemorySegment handle;
    private final MemorySegment oneF, zeroF, oneD, zeroD;

    /** Binds {@code lib} and creates a handle on the backend's stream; throws when a symbol or call fails. */
    FfmCublasGemm(CudaBackend backend, CudaContext ctx, FfmCublas.Library lib) throws Throwable {
        super(backend);
        this.library = lib.name();
        Linker linker = Linker.nativeLinker();
        MethodHandle create = linker.downcallHandle(symbol(lib, "cublasCreate_v2"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle setStream = linker.downcallHandle(symbol(lib, "cublasSetStream_v2"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        sgemm = linker.downcallHandle(symbol(lib, "cublasSgemmStridedBatched"), GEMM);
        dgemm = linker.downcallHandle(symbol(lib, "cublasDgemmStridedBatched"), GEMM);
        Arena arena = Arena.global(); // one handle per device for the life of the process
        MemorySegment box = arena.allocate(ADDRESS);
        ctx.makeCurrent();
        check("cublasCreate_v2", (int) create.invokeExact(box));
        handle = box.get(ADDRESS, 0);
        check("cublasSetStream_v2", (int) setStream.invokeExact(handle, MemorySegment.ofAddress(NativeAddress.of(ctx.stream))));
        oneF = arena.allocateFrom(JAVA_FLOAT, 1f);
        zeroF = arena.allocateFrom(JAVA_FLOAT, 0f);
        oneD = arena.allocateFrom(JAVA_DOUBLE, 1.0);
        zeroD = arena.allocateFrom(JAVA_DOUBLE, 0.0);
    }

    private static MemorySegment symbol(FfmCublas.Library lib, String name) {
        return lib.lookup().find(name).orElseThrow(() -> new IllegalArgumentException(lib.name() + " has no symbol " + name));
    }

    private static void check(String call, int status) {
        if (status != 0) throw new IllegalStateException("cuda: " + call + " failed with cuBLAS status " + status);
    }

    /** The library bound, e.g. {@code libcublas.so.13}. */
    String library() { return library; }

    @Override
    public GemmPath path() { return GemmPath.CUBLAS_FFM; }

    @Override
    void gemm(DType dtype, boolean transA, boolean transB, int m, int n, int k,
              CudaStorage a, long aOff, int lda, long strideA, CudaStorage b, long bOff, int ldb, long strideB,
              CudaStorage c, long cOff, int ldc, long strideC, int batch) {
        int es = dtype.byteSize();
        MemorySegment pa = MemorySegment.ofAddress(NativeAddress.of(a.ptr) + aOff * es);
        MemorySegment pb = MemorySegment.ofAddress(NativeAddress.of(b.ptr) + bOff * es);
        MemorySegment pc = MemorySegment.ofAddress(NativeAddress.of(c.ptr) + cOff * es);
        int opA = transA ? 1 : 0, opB = transB ? 1 : 0; // CUBLAS_OP_N = 0, CUBLAS_OP_T = 1
        boolean f32 = dtype == DType.FLOAT32;
        try {
            int status = (int) (f32 ? sgemm : dgemm).invokeExact(handle, opA, opB, m, n, k, f32 ? oneF : oneD, pa, lda, strideA,
                    pb, ldb, strideB, f32 ? zeroF : zeroD, pc, ldc, strideC, batch);
            check(f32 ? "cublasSgemmStridedBatched" : "cublasDgemmStridedBatched", status);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cuda: cuBLAS call failed: " + t, t);
        }
    }
}
