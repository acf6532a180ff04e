package dev.ember.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import dev.ember.backend.gpu.Blas;
import dev.ember.backend.gpu.DeviceInfo;
import dev.ember.backend.gpu.Dialect;
import dev.ember.backend.gpu.GpuRuntime;
import dev.ember.backend.gpu.JvmSignalHandlers;
import dev.ember.backend.gpu.KernelCache;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/**
 * One CUDA device through JCuda's driver API: its primary context, one stream on which all work is queued,
 * device memory, and the kernels, compiled at run time by NVRTC from the sources the shared backend renders
 * ({@link Nvrtc}; the PTX is cached on disk, {@link KernelCache}) or, where NVRTC is absent, loaded from PTX
 * packaged at build time ({@link PtxResources}). Float GEMM goes to cuBLAS where it loads ({@link CudaBlas}).
 */
final class CudaRuntime implements GpuRuntime<CUdeviceptr, CUfunction> {
    private static final System.Logger LOG = System.getLogger("dev.ember");
    /** NVRTC options: no a * b + c contraction (Java never fuses; the results match the other devices). */
    static final List<String> NVRTC_OPTIONS = List.of("--fmad=false");

    final int index;
    final String deviceName;
    final int ccMajor, ccMinor;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    final CUstream stream = new CUstream();
    private final Nvrtc nvrtc;
    private final String nvrtcArch, packagedArch, compiler;
    private final KernelCache cache;
    private final CudaBlas blas;
    private final DeviceInfo info;

    CudaRuntime(int index) {
        this.index = index;
        cuDeviceGet(device, index);
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, device);
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        deviceName = new String(name, 0, len, StandardCharsets.UTF_8);
        ccMajor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        ccMinor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        int sms = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        int maxThreads = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
        long[] mem = new long[1];
        cuDeviceTotalMem(mem, device);
        packagedArch = PtxResources.archFor(ccMajor, ccMinor);
        if (packagedArch == null)
            throw new CudaProvider.CudaUnavailableException("cuda:" + index + " (" + deviceName + ") has compute capability "
                    + ccMajor + "." + ccMinor + "; Ember needs 7.5 or newer");
        List<String> tried = new ArrayList<>();
        nvrtc = Nvrtc.find(tried).orElse(null);
        nvrtcArch = nvrtc == null ? null : nvrtc.archFor(ccMajor * 10 + ccMinor);
        if (nvrtc != null && nvrtcArch == null)
            tried.add(nvrtc.library() + " supports " + nvrtc.supported() + ", nothing at or below sm_" + ccMajor + ccMinor);
        if (nvrtcArch == null && !PtxResources.available())
            throw new CudaProvider.CudaUnavailableException("no NVRTC to compile Ember's kernels (" + String.join("; ", tried)
                    + ") and this build carries no packaged PTX; install the CUDA runtime compiler (libnvrtc) or set EMBER_NVRTC_PATH");
        compiler = nvrtcArch != null ? "NVRTC " + nvrtc.version() + " " + nvrtcArch : "packaged PTX " + packagedArch;
        cache = nvrtcArch != null ? KernelCache.standard() : null;
        cuDevicePrimaryCtxRetain(context, device);
        makeCurrent();
        // A blocking stream: synchronous copies on the legacy default stream stay ordered with it.
        cuStreamCreate(stream, 0);
        blas = CudaBlas.create(stream);
        info = new DeviceInfo(String.format(Locale.ROOT, "%s (sm_%d%d, %s, GEMM: %s)", deviceName, ccMajor, ccMinor, compiler,
                blas.choice().path().label), true, mem[0], true, Math.max(1, sms), maxThreads > 0 ? maxThreads : 1024);
        LOG.log(System.Logger.Level.INFO, "ember: cuda:" + index + " " + deviceName + ": kernels by " + compiler + "; "
                + blas.choice().logLine() + "; 16-bit products: " + blas.halfPath());
    }

    private int attribute(int attr) {
        int[] v = new int[1];
        cuDeviceGetAttribute(v, attr, device);
        return v[0];
    }

    /** Binds this device's context to the calling thread (cheap; every entry point calls it). */
    void makeCurrent() { cuCtxSetCurrent(context); }

    /** The GEMM path in use and why it was chosen. */
    CudaBlas.Choice gemmChoice() { return blas.choice(); }

    /** How the kernels are compiled, e.g. {@code "NVRTC 13.0 compute_90"}. */
    String compiler() { return compiler; }

    @Override
    public DeviceInfo info() { return info; }

    @Override
    public Dialect dialect() { return Dialect.CUDA; }

    @Override
    public Optional<Blas<CUdeviceptr>> blas() { return blas.blas(); }

    /** Device addresses and the stream, for NCCL (the {@code NativeInterop} capability). */
    @Override
    public Optional<Native<CUdeviceptr>> nativeAccess() {
        return Optional.of(new Native<>() {
            @Override
            public long address(CUdeviceptr buffer) {
                makeCurrent(); // NCCL calls that follow run in this device's context
                return CudaBlas.address(buffer);
            }

            @Override
            public long queue() { return CudaBlas.address(stream); }

            @Override
            public boolean idle() {
                makeCurrent();
                int r;
                try {
                    r = cuStreamQuery(stream);
                } catch (jcuda.CudaException e) { // JCuda throws for every result but success when exceptions are on
                    if (String.valueOf(e.getMessage()).contains("CUDA_ERROR_NOT_READY")) return false;
                    throw e;
                }
                if (r == jcuda.driver.CUresult.CUDA_SUCCESS) return true;
                if (r == jcuda.driver.CUresult.CUDA_ERROR_NOT_READY) return false;
                throw new IllegalStateException("cuda: the stream reported " + jcuda.driver.CUresult.stringFor(r));
            }
        });
    }

    // ---- memory ------------------------------------------------------------------------------

    @Override
    public CUdeviceptr malloc(long bytes) {
        makeCurrent();
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, bytes);
        return p;
    }

    @Override
    public void free(CUdeviceptr buffer) {
        makeCurrent();
        cuMemFree(buffer);
    }

    @Override
    public void zero(CUdeviceptr buffer, long offset, long bytes) {
        if (bytes == 0) return;
        makeCurrent();
        cuMemsetD8Async(buffer.withByteOffset(offset), (byte) 0, bytes, stream);
    }

    @Override
    public void copyIn(Object hostArray, CUdeviceptr dst) {
        makeCurrent();
        cuMemcpyHtoD(dst, host(hostArray), (long) java.lang.reflect.Array.getLength(hostArray) * elementBytes(hostArray));
    }

    @Override
    public void copyOut(CUdeviceptr src, long offset, Object hostArray, int count) {
        makeCurrent();
        cuStreamSynchronize(stream);
        cuMemcpyDtoH(host(hostArray), src.withByteOffset(offset), (long) count * elementBytes(hostArray));
    }

    private static Pointer host(Object a) {
        return switch (a) {
            case float[] f -> Pointer.to(f);
            case double[] d -> Pointer.to(d);
            case int[] i -> Pointer.to(i);
            case long[] l -> Pointer.to(l);
            case byte[] b -> Pointer.to(b);
            case short[] s -> Pointer.to(s);
            default -> throw new IllegalArgumentException("cuda: unsupported host array " + a.getClass().getSimpleName());
        };
    }

    private static int elementBytes(Object a) {
        return switch (a) {
            case double[] d -> 8;
            case long[] l -> 8;
            case byte[] b -> 1;
            case short[] s -> 2;
            default -> 4;
        };
    }

    @Override
    public void copy(CUdeviceptr src, long srcOffset, CUdeviceptr dst, long dstOffset, long bytes) {
        makeCurrent();
        cuMemcpyDtoDAsync(dst.withByteOffset(dstOffset), src.withByteOffset(srcOffset), bytes, stream);
    }

    @Override
    public void synchronize() {
        makeCurrent();
        cuStreamSynchronize(stream);
    }

    // ---- kernels -----------------------------------------------------------------------------

    @Override
    public Program<CUfunction> compile(String name, String source) {
        makeCurrent();
        CUmodule module = new CUmodule();
        byte[] ptx = nvrtcArch != null ? compiled(name, source) : packaged(name, source);
        try {
            cuModuleLoadData(module, ptx);
        } catch (CudaException e) {
            // NVRTC newer than the driver writes PTX the driver cannot read; the packaged PTX may still load.
            Optional<byte[]> fallback = nvrtcArch != null ? PtxResources.load(name, packagedArch, sha256(source)) : Optional.empty();
            if (fallback.isEmpty()) throw new IllegalStateException("cuda: the driver cannot load the " + name + " kernels ("
                    + e.getMessage() + "); " + CudaProbe.explain(e), e);
            LOG.log(System.Logger.Level.WARNING, "ember: the driver refused NVRTC's PTX for " + name + " (" + e.getMessage()
                    + "); using the packaged PTX");
            cuModuleLoadData(module, fallback.get());
        }
        return kernel -> {
            CUfunction f = new CUfunction();
            try {
                cuModuleGetFunction(f, module, kernel);
            } catch (CudaException e) {
                throw new IllegalStateException("cuda: the " + name + " kernels have no kernel " + kernel + " (" + e.getMessage() + ")", e);
            }
            return f;
        };
    }

    /** NVRTC's PTX for {@code source}, from the disk cache when this source was compiled before by this NVRTC for this arch. */
    private byte[] compiled(String name, String source) {
        String key = KernelCache.key("nvrtc-ptx", nvrtc.library(), nvrtc.version(), nvrtcArch, String.join(" ", NVRTC_OPTIONS), source);
        byte[] ptx = cache.get(key).orElse(null);
        if (ptx == null) {
            ptx = nvrtc.compile(name, source, nvrtcArch, NVRTC_OPTIONS);
            JvmSignalHandlers.keep(); // should NVRTC's LLVM have taken the JVM's signals
            cache.put(key, ptx);
        }
        byte[] z = java.util.Arrays.copyOf(ptx, ptx.length + 1); // NUL-terminated for cuModuleLoadData
        return z;
    }

    private byte[] packaged(String name, String source) {
        return PtxResources.load(name, packagedArch, sha256(source)).orElseThrow(() -> new IllegalStateException("cuda: no NVRTC, "
                + "and the packaged PTX has no " + name + " kernels for " + packagedArch + " built from this source; install the "
                + "CUDA runtime compiler (libnvrtc) or set EMBER_NVRTC_PATH"));
    }

    @Override
    public void launch(CUfunction kernel, int[] grid, int threads, List<Object> args) {
        Pointer[] p = new Pointer[args.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = switch (args.get(i)) {
                case byte[] v -> Pointer.to(v);
                case CUdeviceptr d -> Pointer.to(d);
                default -> throw new IllegalArgumentException("cuda: kernel argument " + i + " is a " + args.get(i).getClass());
            };
        }
        makeCurrent();
        cuLaunchKernel(kernel, grid[0], grid[1], grid[2], threads, 1, 1, 0, stream, Pointer.to(p), null);
    }

    /** Milliseconds the device spent on the work queued by {@code work}, measured with events (benchmarks). */
    float time(Runnable work) {
        makeCurrent();
        CUevent start = new CUevent(), stop = new CUevent();
        cuEventCreate(start, 0);
        cuEventCreate(stop, 0);
        try {
            cuEventRecord(start, stream);
            work.run();
            cuEventRecord(stop, stream);
            cuEventSynchronize(stop);
            float[] ms = new float[1];
            cuEventElapsedTime(ms, start, stop);
            return ms[0];
        } finally {
            cuEventDestroy(start);
            cuEventDestroy(stop);
        }
    }

    static String sha256(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
