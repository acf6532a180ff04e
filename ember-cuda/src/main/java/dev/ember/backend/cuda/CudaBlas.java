package dev.ember.backend.cuda;

import dev.ember.DType;
import dev.ember.backend.gpu.Blas;
import dev.ember.backend.gpu.BlasCall;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Optional;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

/**
 * How the CUDA backend multiplies float matrices, chosen once per device from what loads: cuBLAS 12 through
 * JCublas2 (needs {@code libcublas.so.12}), else the installed cuBLAS (13 or newer) through
 * {@code java.lang.foreign} ({@link CublasBinding}), else Ember's own GEMM kernel (the shared backend's, used
 * when {@link #blas()} is empty). {@code EMBER_CUDA_GEMM} (or {@code -Dember.cuda.gemm}) = {@code jcublas},
 * {@code ffm} or {@code kernel} forces one. The decision ({@link #choose}) makes no CUDA call, so it is tested
 * without a GPU; the start-up log line says which path runs and why.
 */
final class CudaBlas {

    /** The ways to multiply, in order of preference. */
    enum Path {
        JCUBLAS("cuBLAS 12 via JCublas2"),
        CUBLAS_FFM("cuBLAS via java.lang.foreign"),
        KERNEL("Ember's tiled GEMM kernel");

        final String label;

        Path(String label) { this.label = label; }
    }

    /**
     * What the probes found.
     *
     * @param forced       {@code EMBER_CUDA_GEMM} or null/blank
     * @param jcublasError why JCublas2 failed to start, or null when it works
     * @param ffmLibrary   the cuBLAS library bound through FFM, or null
     * @param ffmError     why no cuBLAS could be bound through FFM, or null
     */
    record Probes(String forced, String jcublasError, String ffmLibrary, String ffmError) {}

    /** The chosen path and one line saying why. */
    record Choice(Path path, String reason) {
        String logLine() { return "GEMM: " + path.label + " (" + reason + ")"; }
    }

    private final Choice choice;
    private final Blas<CUdeviceptr> blas;

    private CudaBlas(Choice choice, Blas<CUdeviceptr> blas) {
        this.choice = choice;
        this.blas = blas;
    }

    Choice choice() { return choice; }

    /** How FLOAT16 and BFLOAT16 products run, for the start-up line. */
    String halfPath() {
        if (blas == null) return "Ember's tiled GEMM kernel, widening as it stages tiles";
        return blas.supports(DType.BFLOAT16) ? "cublasGemmStridedBatchedEx, float32 accumulation"
                : "the float32 GEMM on widened copies (no cublasGemmStridedBatchedEx bound)";
    }

    /** The BLAS to use; empty on the kernel path. */
    Optional<Blas<CUdeviceptr>> blas() { return Optional.ofNullable(blas); }

    /** The path for these probe results. */
    static Choice choose(Probes p) {
        String forced = p.forced() == null ? "" : p.forced().trim().toLowerCase(Locale.ROOT);
        switch (forced) {
            case "" -> { }
            case "kernel" -> { return new Choice(Path.KERNEL, "forced by EMBER_CUDA_GEMM=kernel"); }
            case "jcublas" -> {
                if (p.jcublasError() == null) return new Choice(Path.JCUBLAS, "forced by EMBER_CUDA_GEMM=jcublas");
                return new Choice(Path.KERNEL, "EMBER_CUDA_GEMM=jcublas but JCublas2 failed (" + p.jcublasError() + ")");
            }
            case "ffm" -> {
                if (p.ffmLibrary() != null) return new Choice(Path.CUBLAS_FFM, "forced by EMBER_CUDA_GEMM=ffm (" + p.ffmLibrary() + ")");
                return new Choice(Path.KERNEL, "EMBER_CUDA_GEMM=ffm but no cuBLAS could be bound (" + p.ffmError() + ")");
            }
            default -> throw new IllegalArgumentException("EMBER_CUDA_GEMM must be jcublas, ffm or kernel, got '" + p.forced() + "'");
        }
        if (p.jcublasError() == null) return new Choice(Path.JCUBLAS, "libcublas.so.12 loaded");
        if (p.ffmLibrary() != null)
            return new Choice(Path.CUBLAS_FFM, "JCublas2 unavailable (" + p.jcublasError() + "); bound " + p.ffmLibrary());
        return new Choice(Path.KERNEL, "JCublas2 unavailable (" + p.jcublasError() + "); no cuBLAS for java.lang.foreign ("
                + p.ffmError() + ")");
    }

    /** Tries the paths in order on the current context's {@code stream} and keeps the first that starts. */
    static CudaBlas create(CUstream stream) {
        String forced = System.getProperty("ember.cuda.gemm", System.getenv("EMBER_CUDA_GEMM"));
        String f = forced == null ? "" : forced.trim().toLowerCase(Locale.ROOT);
        Blas<CUdeviceptr> jc = null, ffm = null;
        String jcError = "not tried", ffmLib = null, ffmError = "not tried";
        if (f.isEmpty() || f.equals("jcublas")) {
            try {
                JCudaNatives.load("JCublas2", () -> JCublas2.setExceptionsEnabled(true));
                jc = jcublas(stream);
                jcError = null;
            } catch (Throwable t) {
                jcError = describe(t);
            }
        }
        if (jc == null && !f.equals("kernel") && !f.equals("jcublas")) {
            try {
                CublasBinding binding = CublasBinding.find();
                ffm = ffm(binding, stream);
                ffmLib = binding.library();
                ffmError = null;
            } catch (Throwable t) {
                ffmError = describe(t);
            }
        }
        Choice choice = choose(new Probes(forced, jcError, ffmLib, ffmError));
        return new CudaBlas(choice, switch (choice.path()) {
            case JCUBLAS -> withHalfGemm(jc, stream);
            case CUBLAS_FFM -> ffm;
            case KERNEL -> null;
        });
    }

    /**
     * {@code floats} plus cuBLAS's 16-bit GEMM ({@code cublasGemmStridedBatchedEx}, bound through FFM on its own
     * handle and the same stream), or {@code floats} alone when no cuBLAS binds. One binding of GemmEx for both
     * paths: the C entry point's, which {@code CublasBindingTest} checks against a stand-in library (JCublas2's
     * wrapper of it could only be checked on a GPU). Without it a 16-bit product
     * runs the float32 GEMM on widened copies (same result up to summation order, twice the memory traffic).
     */
    private static Blas<CUdeviceptr> withHalfGemm(Blas<CUdeviceptr> floats, CUstream stream) {
        try {
            CublasBinding binding = CublasBinding.sameAsJcublas();
            if (!binding.hasGemmEx()) return floats;
            MemorySegment handle = binding.createHandle();
            binding.setStream(handle, address(stream));
            return halfGemm(floats, binding, handle);
        } catch (RuntimeException | LinkageError e) {
            return floats;
        }
    }

    /** {@code floats} for FLOAT32 and FLOAT64, {@code binding}'s GemmEx for FLOAT16 and BFLOAT16. */
    static Blas<CUdeviceptr> halfGemm(Blas<CUdeviceptr> floats, CublasBinding binding, MemorySegment handle) {
        return new Blas<>() {
            @Override
            public String description() { return floats.description() + "; 16-bit: cublasGemmStridedBatchedEx"; }

            @Override
            public boolean supports(DType dtype) {
                return dtype == DType.FLOAT16 || dtype == DType.BFLOAT16 || floats.supports(dtype);
            }

            @Override
            public void gemm(DType dtype, BlasCall call, CUdeviceptr first, long firstOff, CUdeviceptr second, long secondOff,
                             CUdeviceptr c, long cOff) {
                if (dtype != DType.FLOAT16 && dtype != DType.BFLOAT16) {
                    floats.gemm(dtype, call, first, firstOff, second, secondOff, c, cOff);
                    return;
                }
                binding.gemmEx(dtype == DType.FLOAT16 ? CublasBinding.CUDA_R_16F : CublasBinding.CUDA_R_16BF, handle, call,
                        address(first) + firstOff * 2, address(second) + secondOff * 2, address(c) + cOff * 2);
            }
        };
    }

    private static Blas<CUdeviceptr> jcublas(CUstream stream) {
        cublasHandle handle = new cublasHandle();
        JCublas2.cublasCreate(handle);
        JCublas2.cublasSetStream(handle, new cudaStream_t(stream));
        return new Blas<>() {
            @Override
            public String description() { return Path.JCUBLAS.label; }

            @Override
            public void gemm(DType dtype, BlasCall c, CUdeviceptr first, long firstOff, CUdeviceptr second, long secondOff,
                             CUdeviceptr out, long outOff) {
                int opA = c.transFirst() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
                int opB = c.transSecond() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
                int es = dtype.byteSize();
                Pointer pa = first.withByteOffset(firstOff * es), pb = second.withByteOffset(secondOff * es);
                Pointer pc = out.withByteOffset(outOff * es);
                if (dtype == DType.FLOAT32) {
                    JCublas2.cublasSgemmStridedBatched(handle, opA, opB, c.m(), c.n(), c.k(), Pointer.to(new float[]{1f}),
                            pa, c.ldFirst(), c.strideFirst(), pb, c.ldSecond(), c.strideSecond(), Pointer.to(new float[]{0f}),
                            pc, c.ldc(), c.strideC(), c.batch());
                } else {
                    JCublas2.cublasDgemmStridedBatched(handle, opA, opB, c.m(), c.n(), c.k(), Pointer.to(new double[]{1}),
                            pa, c.ldFirst(), c.strideFirst(), pb, c.ldSecond(), c.strideSecond(), Pointer.to(new double[]{0}),
                            pc, c.ldc(), c.strideC(), c.batch());
                }
            }
        };
    }

    private static Blas<CUdeviceptr> ffm(CublasBinding cublas, CUstream stream) {
        MemorySegment handle = cublas.createHandle();
        cublas.setStream(handle, address(stream));
        Blas<CUdeviceptr> floats = new Blas<>() {
            @Override
            public String description() { return Path.CUBLAS_FFM.label + " (" + cublas.library() + ")"; }

            @Override
            public void gemm(DType dtype, BlasCall call, CUdeviceptr first, long firstOff, CUdeviceptr second, long secondOff,
                             CUdeviceptr c, long cOff) {
                int es = dtype.byteSize();
                cublas.gemm(dtype == DType.FLOAT32, handle, call, address(first) + firstOff * es, address(second) + secondOff * es,
                        address(c) + cOff * es);
            }
        };
        return cublas.hasGemmEx() ? halfGemm(floats, cublas, handle) : floats;
    }

    /** One line for a failed probe: JCublas2's UnsatisfiedLinkError names the missing libcublas.so.12. */
    static String describe(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof UnsatisfiedLinkError && m.contains("libcublas.so")) {
            int i = m.indexOf("libcublas.so");
            int end = i;
            while (end < m.length() && !Character.isWhitespace(m.charAt(end)) && m.charAt(end) != ':') end++;
            return m.substring(i, end) + " not found";
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static final Method NATIVE_POINTER;

    static {
        try {
            NATIVE_POINTER = NativePointerObject.class.getDeclaredMethod("getNativePointer");
            NATIVE_POINTER.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The raw address behind a JCuda handle (device pointer, stream), for libraries called through FFM; JCuda hides it. */
    static long address(NativePointerObject p) {
        try {
            return (long) NATIVE_POINTER.invoke(p);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cuda: cannot read a JCuda handle's address", e);
        }
    }
}
