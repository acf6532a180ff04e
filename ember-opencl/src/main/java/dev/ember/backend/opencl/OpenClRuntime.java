package dev.ember.backend.opencl;

import static org.lwjgl.opencl.CL10.*;

import dev.ember.backend.gpu.DeviceInfo;
import dev.ember.backend.gpu.Dialect;
import dev.ember.backend.gpu.GpuRuntime;
import dev.ember.backend.gpu.JvmSignalHandlers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.List;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL11;
import org.lwjgl.opencl.CL12;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * One OpenCL device through LWJGL: a context and an in-order queue, {@code cl_mem} buffers (handles as
 * {@code long}), programs built from the kernels rendered in the OpenCL dialect, and launches. Calls that
 * touch the queue or a kernel's arguments are serialized, because a {@code cl_kernel}'s arguments are
 * shared state.
 */
final class OpenClRuntime implements GpuRuntime<Long, Long> {
    final String name, platformName, openClC;
    /** The {@code cl_device_id} (tests read its limits). */
    final long device;
    private final long context, queue;
    private final DeviceInfo info;
    /** Correctly rounded float division and sqrt, as Java's, where the device offers them. */
    private final String buildOptions;

    OpenClRuntime(long platform, long device) {
        this.device = device;
        this.name = deviceString(device, CL_DEVICE_NAME).trim();
        this.platformName = platformString(platform, CL_PLATFORM_NAME).trim();
        this.openClC = deviceString(device, CL11.CL_DEVICE_OPENCL_C_VERSION).trim();
        boolean gpu = (deviceLong(device, CL_DEVICE_TYPE) & CL_DEVICE_TYPE_GPU) != 0;
        boolean fp64 = (" " + deviceString(device, CL_DEVICE_EXTENSIONS) + " ").contains(" cl_khr_fp64 ");
        boolean exactDivSqrt = (deviceLong(device, CL_DEVICE_SINGLE_FP_CONFIG) & CL12.CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0;
        this.buildOptions = exactDivSqrt ? "-cl-fp32-correctly-rounded-divide-sqrt" : "";
        this.info = new DeviceInfo(name + " (" + openClC + " on " + platformName + (fp64 ? ", fp64" : ", no fp64") + ")", gpu,
                deviceLong(device, CL_DEVICE_GLOBAL_MEM_SIZE), fp64, deviceInt(device, CL_DEVICE_MAX_COMPUTE_UNITS),
                (int) Math.min(Integer.MAX_VALUE, deviceLong(device, CL_DEVICE_MAX_WORK_GROUP_SIZE)));
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            PointerBuffer props = stack.mallocPointer(3).put(CL_CONTEXT_PLATFORM).put(platform).put(0).flip();
            context = clCreateContext(props, device, null, 0, err);
            ClError.check(err.get(0), "clCreateContext on " + name);
            queue = clCreateCommandQueue(context, device, 0, err);
            ClError.check(err.get(0), "clCreateCommandQueue on " + name);
        }
        keepJvmSignalHandlers(); // PoCL starts its compiler with the context
    }

    @Override
    public DeviceInfo info() { return info; }

    @Override
    public Dialect dialect() { return Dialect.OPENCL; }

    // ---- memory ------------------------------------------------------------------------------

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
    public void free(Long buffer) { clReleaseMemObject(buffer); }

    @Override
    public synchronized void zero(Long buffer, long offset, long bytes) {
        if (bytes == 0) return;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            ByteBuffer pattern = stack.calloc(1);
            ClError.check(CL12.clEnqueueFillBuffer(queue, buffer, pattern, offset, bytes, null, null), "clEnqueueFillBuffer");
        }
    }

    @Override
    public synchronized void copyIn(Object hostArray, Long dst) {
        int n = java.lang.reflect.Array.getLength(hostArray);
        ByteBuffer buf = MemoryUtil.memAlloc(n * elementBytes(hostArray)).order(ByteOrder.nativeOrder());
        try {
            switch (hostArray) {
                case float[] f -> buf.asFloatBuffer().put(f);
                case double[] d -> buf.asDoubleBuffer().put(d);
                case int[] i -> buf.asIntBuffer().put(i);
                case long[] l -> buf.asLongBuffer().put(l);
                case byte[] b -> buf.put(0, b);
                case short[] s -> buf.asShortBuffer().put(s);
                default -> throw new IllegalArgumentException("opencl: unsupported host array " + hostArray.getClass());
            }
            // Blocking: the staging buffer is freed right after.
            ClError.check(clEnqueueWriteBuffer(queue, dst, true, 0, buf, null, null), "clEnqueueWriteBuffer");
        } finally {
            MemoryUtil.memFree(buf);
        }
    }

    @Override
    public synchronized void copyOut(Long src, long offset, Object hostArray, int count) {
        ByteBuffer buf = MemoryUtil.memAlloc(count * elementBytes(hostArray)).order(ByteOrder.nativeOrder());
        try {
            ClError.check(clEnqueueReadBuffer(queue, src, true, offset, buf, null, null), "clEnqueueReadBuffer");
            switch (hostArray) {
                case float[] f -> buf.asFloatBuffer().get(f, 0, count);
                case double[] d -> buf.asDoubleBuffer().get(d, 0, count);
                case int[] i -> buf.asIntBuffer().get(i, 0, count);
                case long[] l -> buf.asLongBuffer().get(l, 0, count);
                case byte[] b -> buf.get(0, b, 0, count);
                case short[] s -> buf.asShortBuffer().get(s, 0, count);
                default -> throw new IllegalArgumentException("opencl: unsupported host array " + hostArray.getClass());
            }
        } finally {
            MemoryUtil.memFree(buf);
        }
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
    public synchronized void copy(Long src, long srcOffset, Long dst, long dstOffset, long bytes) {
        if (bytes == 0) return;
        ClError.check(clEnqueueCopyBuffer(queue, src, dst, srcOffset, dstOffset, bytes, null, null), "clEnqueueCopyBuffer");
    }

    @Override
    public synchronized void synchronize() {
        ClError.check(clFinish(queue), "clFinish");
        keepJvmSignalHandlers(); // a driver may compile when the kernel runs
    }

    /** Puts the JVM's signal handlers back if the driver's compiler replaced them ({@link JvmSignalHandlers}). */
    private static void keepJvmSignalHandlers() { JvmSignalHandlers.keep(); }

    // ---- programs and launches ---------------------------------------------------------------

    @Override
    public Program<Long> compile(String programName, String source) {
        long program = build(source, "the " + programName + " kernels");
        return kernel -> {
            try (MemoryStack stack = MemoryStack.stackPush()) {
                IntBuffer err = stack.mallocInt(1);
                long k = clCreateKernel(program, kernel, err);
                if (err.get(0) != CL_SUCCESS)
                    throw new IllegalStateException("opencl: the " + programName + " kernels have no kernel " + kernel + " ("
                            + ClError.name(err.get(0)) + ")");
                return k;
            }
        };
    }

    /** Builds {@code src} for this device; a failure throws with the compiler's build log. */
    long build(String src, String what) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            long program = clCreateProgramWithSource(context, src, err);
            ClError.check(err.get(0), "clCreateProgramWithSource(" + what + ")");
            int rc = clBuildProgram(program, device, buildOptions, null, 0);
            keepJvmSignalHandlers();
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

    @Override
    public synchronized void launch(Long kernel, int[] grid, int threads, List<Object> args) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            for (int i = 0; i < args.size(); i++) {
                int rc = switch (args.get(i)) {
                    case byte[] v -> clSetKernelArg(kernel, i, stack.bytes(v));
                    case Long mem -> clSetKernelArg1p(kernel, i, mem);
                    default -> throw new IllegalArgumentException("opencl: kernel argument " + i + " is a " + args.get(i).getClass());
                };
                ClError.check(rc, "clSetKernelArg(" + i + ")");
            }
            PointerBuffer global = stack.mallocPointer(3).put((long) grid[0] * threads).put(grid[1]).put(grid[2]).flip();
            PointerBuffer local = stack.mallocPointer(3).put(threads).put(1).put(1).flip();
            ClError.check(clEnqueueNDRangeKernel(queue, kernel, 3, null, global, local, null, null), "clEnqueueNDRangeKernel");
            keepJvmSignalHandlers(); // a driver may compile a kernel for its work-group size when it is enqueued
        }
    }

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

    static int deviceInt(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer v = stack.callocInt(1);
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
