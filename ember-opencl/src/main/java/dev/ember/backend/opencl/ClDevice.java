package dev.ember.backend.opencl;

import static org.lwjgl.opencl.CL10.*;

import dev.ember.backend.CachingAllocator;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL11;
import org.lwjgl.opencl.CL12;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * One OpenCL device as Ember uses it: a context and an in-order queue, the kernel programs (built
 * on first use and cached), a caching allocator for buffers, kernel launches, host transfers, and
 * the word through which kernels report errors ({@link KernelErrors}). Launches are serialized
 * because a {@code cl_kernel}'s arguments are shared state.
 */
final class ClDevice {
    /** Caps the memory each OpenCL device's allocator reserves ({@code 512m}, {@code 4g}); see {@link CachingAllocator}. */
    static final String MEMORY_LIMIT_PROPERTY = "ember.opencl.memoryLimit";
    final long platform, device, context, queue;
    final String name, platformName, openClC;
    final boolean gpu, fp64;
    final long globalMemory;
    /** GEMM work-groups are gemmGroup x gemmGroup: 16 where the device allows 256 work-items, else 8. */
    final int gemmGroup;
    final CachingAllocator<Long> allocator;
    private final String buildOptions;
    private final Map<ClPrograms.Family, Long> programs = new EnumMap<>(ClPrograms.Family.class);
    private final Map<String, Long> kernels = new HashMap<>();
    /** Where kernels record the errors they cannot throw. */
    final KernelErrors errors;

    ClDevice(long platform, long device) {
        this.platform = platform;
        this.device = device;
        this.name = deviceString(device, CL_DEVICE_NAME).trim();
        this.platformName = platformString(platform, CL_PLATFORM_NAME).trim();
        this.openClC = deviceString(device, CL11.CL_DEVICE_OPENCL_C_VERSION).trim();
        this.gpu = (deviceLong(device, CL_DEVICE_TYPE) & CL_DEVICE_TYPE_GPU) != 0;
        this.globalMemory = deviceLong(device, CL_DEVICE_GLOBAL_MEM_SIZE);
        this.gemmGroup = deviceLong(device, CL_DEVICE_MAX_WORK_GROUP_SIZE) >= 256 ? 16 : 8;
        this.fp64 = (" " + deviceString(device, CL_DEVICE_EXTENSIONS) + " ").contains(" cl_khr_fp64 ");
        boolean exactDivSqrt = (deviceLong(device, CL_DEVICE_SINGLE_FP_CONFIG) & CL12.CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0;
        // Correctly rounded float division and sqrt, as Java's, where the device offers them.
        this.buildOptions = exactDivSqrt ? "-cl-fp32-correctly-rounded-divide-sqrt" : "";
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            PointerBuffer props = stack.mallocPointer(3).put(CL_CONTEXT_PLATFORM).put(platform).put(0).flip();
            context = clCreateContext(props, device, null, 0, err);
            ClError.check(err.get(0), "clCreateContext on " + name);
            queue = clCreateCommandQueue(context, device, 0, err);
            ClError.check(err.get(0), "clCreateCommandQueue on " + name);
        }
        allocator = new CachingAllocator<>("opencl " + name, new CachingAllocator.Device<>() {
            @Override
            public Long malloc(long bytes) {
                try (MemoryStack stack = MemoryStack.stackPush()) {
                    IntBuffer err = stack.mallocInt(1);
                    long mem = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, err);
                    ClError.check(err.get(0), "clCreateBuffer(" + bytes + " bytes)");
                    return mem;
                }
            }

            @Override
            public void free(Long block) { clReleaseMemObject(block); }
        }, CachingAllocator.limitFromProperty(MEMORY_LIMIT_PROPERTY));
        errors = new KernelErrors(this);
    }

    // ---- programs and launches ---------------------------------------------------------------

    /** The kernel {@code kernel} of {@code family}, building the family's program on first use. */
    synchronized long kernel(ClPrograms.Family family, String kernel) {
        Long k = kernels.get(kernel);
        if (k != null) return k;
        long program = programs.computeIfAbsent(family, this::build);
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            long created = clCreateKernel(program, kernel, err);
            ClError.check(err.get(0), "clCreateKernel(" + kernel + ") on " + name);
            kernels.put(kernel, created);
            return created;
        }
    }

    private long build(ClPrograms.Family family) {
        return compile(ClPrograms.source(family, fp64, gemmGroup), "the " + family.name().toLowerCase() + " kernels");
    }

    /** Builds {@code src} for this device; a failure throws with the compiler's build log. */
    long compile(String src, String what) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            long program = clCreateProgramWithSource(context, src, err);
            ClError.check(err.get(0), "clCreateProgramWithSource(" + what + ")");
            int rc = clBuildProgram(program, device, buildOptions, null, 0);
            if (rc != CL_SUCCESS) {
                String log = buildLog(program);
                clReleaseProgram(program);
                throw new IllegalStateException("opencl: building " + what + " failed on " + name + " (" + ClError.name(rc)
                        + "); build log:\n" + log);
            }
            return program;
        }
    }

    private String buildLog(long program) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, (ByteBuffer) null, size);
            ByteBuffer buf = MemoryUtil.memAlloc((int) size.get(0));
            try {
                clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, buf, null);
                return MemoryUtil.memUTF8(buf, Math.max(0, buf.remaining() - 1));
            } finally {
                MemoryUtil.memFree(buf);
            }
        }
    }

    /** A device buffer as a kernel argument (for buffers that are not a storage). */
    record Mem(long handle) {}

    /**
     * Sets the arguments of {@code kernel} and enqueues it over {@code global} work-items
     * ({@code local} may be null). Arguments: {@link ClStorage} or {@link Mem} (buffers),
     * {@code Integer}, {@code Long}, {@code Float}, {@code Double}, {@code int[]} (int4/int8), {@code long[]} (long4).
     */
    synchronized void launch(ClPrograms.Family family, String kernel, long[] global, long[] local, Object... args) {
        long k = kernel(family, kernel);
        for (int i = 0; i < args.length; i++) {
            int rc = switch (args[i]) {
                case ClStorage s -> clSetKernelArg1p(k, i, s.mem());
                case Mem m -> clSetKernelArg1p(k, i, m.handle());
                case Integer v -> clSetKernelArg1i(k, i, v);
                case Long v -> clSetKernelArg1l(k, i, v);
                case Float v -> clSetKernelArg1f(k, i, v);
                case Double v -> clSetKernelArg1d(k, i, v);
                case int[] v -> clSetKernelArg(k, i, v);
                case long[] v -> clSetKernelArg(k, i, v);
                default -> throw new IllegalArgumentException("opencl: unsupported kernel argument " + args[i].getClass());
            };
            ClError.check(rc, "clSetKernelArg(" + kernel + ", " + i + ")");
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer g = stack.mallocPointer(global.length);
            for (long v : global) g.put(v);
            g.flip();
            PointerBuffer l = null;
            if (local != null) {
                l = stack.mallocPointer(local.length);
                for (long v : local) l.put(v);
                l.flip();
            }
            ClError.check(clEnqueueNDRangeKernel(queue, k, global.length, null, g, l, null, null), "launching " + kernel);
        }
    }

    // ---- transfers ---------------------------------------------------------------------------

    /** Enqueues zeroing of {@code bytes} at {@code offset} of {@code mem}. */
    synchronized void zero(long mem, long offset, long bytes) {
        if (bytes == 0) return;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            ByteBuffer pattern = stack.calloc(1);
            ClError.check(CL12.clEnqueueFillBuffer(queue, mem, pattern, offset, bytes, null, null), "clEnqueueFillBuffer");
        }
    }

    /** Writes {@code data} (all remaining bytes) to {@code mem}, waiting until the host buffer is no longer needed. */
    synchronized void write(long mem, ByteBuffer data) {
        ClError.check(clEnqueueWriteBuffer(queue, mem, true, 0, data, null, null), "clEnqueueWriteBuffer");
    }

    /** Reads {@code into.remaining()} bytes from {@code offset} of {@code mem}, waiting for all queued work. */
    synchronized void read(long mem, long offset, ByteBuffer into) {
        ClError.check(clEnqueueReadBuffer(queue, mem, true, offset, into, null, null), "clEnqueueReadBuffer");
    }

    synchronized void copyBuffer(long src, long srcOffset, long dst, long dstOffset, long bytes) {
        if (bytes == 0) return;
        ClError.check(clEnqueueCopyBuffer(queue, src, dst, srcOffset, dstOffset, bytes, null, null), "clEnqueueCopyBuffer");
    }

    synchronized void finish() { ClError.check(clFinish(queue), "clFinish"); }

    // ---- device queries ----------------------------------------------------------------------

    static String deviceString(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            ClError.check(clGetDeviceInfo(device, param, (ByteBuffer) null, size), "clGetDeviceInfo");
            ByteBuffer buf = stack.malloc((int) size.get(0));
            ClError.check(clGetDeviceInfo(device, param, buf, null), "clGetDeviceInfo");
            return MemoryUtil.memUTF8(buf, Math.max(0, buf.remaining() - 1));
        }
    }

    static long deviceLong(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            LongBuffer v = stack.callocLong(1);
            ClError.check(clGetDeviceInfo(device, param, v, null), "clGetDeviceInfo");
            return v.get(0);
        }
    }

    static String platformString(long platform, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            ClError.check(clGetPlatformInfo(platform, param, (ByteBuffer) null, size), "clGetPlatformInfo");
            ByteBuffer buf = stack.malloc((int) size.get(0));
            ClError.check(clGetPlatformInfo(platform, param, buf, null), "clGetPlatformInfo");
            return MemoryUtil.memUTF8(buf, Math.max(0, buf.remaining() - 1));
        }
    }
}
