package dev.ember.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import dev.ember.backend.CachingAllocator;
import dev.ember.backend.KernelErrorSlots;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUdevice_attribute;

/**
 * One CUDA device as the driver API sees it: its primary context, one stream on which every op is
 * queued, Ember's PTX modules, the caching allocator and the error words of the launching threads.
 */
final class CudaContext {
    static final int THREADS = 256;
    /** Caps the memory each CUDA device's allocator reserves ({@code 512m}, {@code 4g}); see {@link CachingAllocator}. */
    static final String MEMORY_LIMIT_PROPERTY = "ember.cuda.memoryLimit";

    final int index;
    final CUdevice device = new CUdevice();
    final CUcontext context = new CUcontext();
    final CUstream stream = new CUstream();
    final String deviceName;
    final int ccMajor, ccMinor, multiprocessors;
    final long totalMemory;
    final String arch;
    final CachingAllocator<CUdeviceptr> allocator;
    private final List<CUmodule> modules = new ArrayList<>();
    private final ConcurrentHashMap<String, CUfunction> functions = new ConcurrentHashMap<>();
    /** Per launching thread, a device int where kernels record errors they cannot throw (see common.cuh's ErrorCode). */
    final KernelErrorSlots<CUdeviceptr> errors;

    CudaContext(int index) {
        this.index = index;
        cuDeviceGet(device, index);
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, device);
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        deviceName = new String(name, 0, len, StandardCharsets.UTF_8);
        ccMajor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        ccMinor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        long[] mem = new long[1];
        cuDeviceTotalMem(mem, device);
        totalMemory = mem[0];
        arch = PtxResources.archFor(ccMajor, ccMinor);
        if (arch == null)
            throw new IllegalStateException("cuda:" + index + " (" + deviceName + ") has compute capability " + ccMajor + "."
                    + ccMinor + "; Ember needs 7.5 or newer");
        cuDevicePrimaryCtxRetain(context, device);
        makeCurrent();
        // A blocking stream: synchronous copies on the legacy default stream stay ordered with it.
        cuStreamCreate(stream, 0);
        for (String m : PtxResources.MODULES) {
            CUmodule module = new CUmodule();
            cuModuleLoadData(module, PtxResources.load(m, arch));
            modules.add(module);
        }
        errors = new KernelErrorSlots<>(new KernelErrorSlots.Device<>() {
            @Override
            public CUdeviceptr create() {
                makeCurrent();
                CUdeviceptr word = new CUdeviceptr();
                cuMemAlloc(word, 4); // outside the allocator's statistics
                cuMemsetD8Async(word, (byte) 0, 4, stream);
                return word;
            }

            @Override
            public void clear(CUdeviceptr word) {
                makeCurrent();
                cuMemsetD8Async(word, (byte) 0, 4, stream);
            }
        });
        allocator = new CachingAllocator<>("cuda:" + index, new CachingAllocator.Device<>() {
            @Override
            public CUdeviceptr malloc(long bytes) {
                makeCurrent();
                CUdeviceptr p = new CUdeviceptr();
                cuMemAlloc(p, bytes);
                return p;
            }

            @Override
            public void free(CUdeviceptr block) {
                makeCurrent();
                cuMemFree(block);
            }

            @Override
            public void synchronize() {
                makeCurrent();
                CudaContext.this.synchronize();
            }
        }, CachingAllocator.limitFromProperty(MEMORY_LIMIT_PROPERTY));
    }

    private int attribute(int attr) {
        int[] v = new int[1];
        cuDeviceGetAttribute(v, attr, device);
        return v[0];
    }

    /** Binds this device's context to the calling thread (cheap; every entry point calls it). */
    void makeCurrent() { cuCtxSetCurrent(context); }

    /** A kernel by its {@code extern "C"} name, searched in every module once and cached. */
    CUfunction function(String name) {
        return functions.computeIfAbsent(name, n -> {
            for (CUmodule m : modules) {
                CUfunction f = new CUfunction();
                try {
                    cuModuleGetFunction(f, m, n);
                    return f;
                } catch (jcuda.CudaException notHere) {
                    // CUDA_ERROR_NOT_FOUND: try the next module
                }
            }
            throw new IllegalStateException("cuda: kernel '" + n + "' is not in Ember's PTX modules");
        });
    }

    /** Queues a launch; a grid-stride one gets blocks for its work items, capped at 32 per multiprocessor. */
    void launch(Launch l) {
        if (l.grid() != null) {
            launch(l.kernel(), l.grid()[0], l.grid()[1], l.grid()[2], l.threads(), l.args());
            return;
        }
        if (l.work() <= 0) return;
        int blocks = (int) Math.max(1, Math.min((l.work() + l.threads() - 1) / l.threads(), (long) multiprocessors * 32));
        launch(l.kernel(), blocks, 1, 1, l.threads(), l.args());
    }

    /** Queues a kernel with an explicit grid of {@code threads}-wide blocks. */
    void launch(String kernel, int gx, int gy, int gz, int threads, KernelArgs args) {
        cuLaunchKernel(function(kernel), gx, gy, gz, threads, 1, 1, 0, stream, parameters(args), null);
    }

    /** cuLaunchKernel's parameter array: a pointer to each argument's value. */
    private Pointer parameters(KernelArgs args) {
        var values = args.values();
        Pointer[] p = new Pointer[values.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = switch (values.get(i)) {
                case Integer v -> Pointer.to(new int[]{v});
                case Long v -> Pointer.to(new long[]{v});
                case Float v -> Pointer.to(new float[]{v});
                case Double v -> Pointer.to(new double[]{v});
                case Byte v -> Pointer.to(new byte[]{v});
                case int[] struct -> Pointer.to(struct);
                case CudaStorage s -> Pointer.to(s.ptr);
                case Object o when o == KernelArgs.ERROR_WORD -> Pointer.to(errors.slot());
                case Object o -> throw new IllegalArgumentException("cuda: a " + o.getClass().getSimpleName()
                        + " cannot be a kernel argument (an operand on another device?)");
            };
        }
        return Pointer.to(p);
    }

    void synchronize() { cuStreamSynchronize(stream); }

    /** Milliseconds the device spent on the work queued by {@code work}, measured with events. */
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

    /**
     * Reads (synchronising) and clears the calling thread's error word if a kernel it launched since its
     * last check may have written it; 0 when no kernel of this thread reported an error.
     */
    int takeError() {
        CUdeviceptr word = errors.takePending();
        if (word == null) return 0;
        int[] code = new int[1];
        cuStreamSynchronize(stream);
        cuMemcpyDtoH(Pointer.to(code), word, 4);
        if (code[0] != 0) errors.clear(word);
        return code[0];
    }
}
