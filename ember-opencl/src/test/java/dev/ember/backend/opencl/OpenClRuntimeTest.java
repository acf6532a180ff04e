package dev.ember.backend.opencl;

import static dev.ember.testing.StridedOperands.assertClose;
import static dev.ember.testing.StridedOperands.operand;
import static dev.ember.testing.StridedOperands.output;
import static dev.ember.testing.StridedOperands.read;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lwjgl.opencl.CL10.CL_DEVICE_MAX_MEM_ALLOC_SIZE;
import static org.lwjgl.opencl.CL10.clReleaseProgram;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import dev.ember.backend.gpu.Dialect;
import dev.ember.backend.gpu.GpuBackend;
import dev.ember.backend.gpu.IndexWidth;
import dev.ember.backend.gpu.KernelSource;
import dev.ember.testing.StridedOperands.Operand;
import dev.ember.testing.StridedOperands.View;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenCL runtime with the kernel sources the shared backend renders: every family also builds for devices
 * without {@code cl_khr_fp64} and with small work-groups, and with 64-bit indices, which then compute what
 * the CPU computes; a build failure carries the compiler's log.
 */
class OpenClRuntimeTest {
    private GpuBackend<?, ?> backend;
    private OpenClRuntime runtime;

    @BeforeEach
    void device() {
        Backends.Family f = Backends.family(Device.OPENCL_TYPE);
        Assumptions.assumeTrue(f.available(), () -> "no OpenCL device: " + f.reason());
        backend = (GpuBackend<?, ?>) f.devices().getFirst();
        runtime = (OpenClRuntime) backend.runtime();
    }

    @Test
    void everyFamilyBuildsWithoutFp64WithSmallWorkGroupsAndWith64BitIndices() {
        for (KernelSource.Options o : new KernelSource.Options[]{new KernelSource.Options(Dialect.OPENCL, false, IndexWidth.I32, 64, 8),
                new KernelSource.Options(Dialect.OPENCL, true, IndexWidth.I64, 256, 16)})
            for (KernelSource.Family f : KernelSource.Family.values())
                clReleaseProgram(runtime.build(KernelSource.render(f, o), f + " " + o));
    }

    @Test
    void aBuildFailureReportsTheBuildLog() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> runtime.build("__kernel void broken(__global float* x) { x[0] = undeclared_name; }", "a broken kernel"));
        assertTrue(e.getMessage().contains("building a broken kernel failed"), e.getMessage());
        assertTrue(e.getMessage().contains("undeclared_name"), "the build log names the error: " + e.getMessage());
    }

    /** A buffer past the device's largest (and its global memory) is refused with the driver's reason; nothing is truncated. */
    @Test
    void anAllocationPastTheDevicesLargestBufferFailsWithTheDriversReason() {
        long largest = Math.max(OpenClRuntime.deviceLong(runtime.device, CL_DEVICE_MAX_MEM_ALLOC_SIZE), backend.totalMemory());
        long length = 2 * largest + 1;
        var e = assertThrows(IllegalStateException.class, () -> backend.allocate(DType.BOOL, length));
        assertTrue(e.getMessage().contains("out of device memory") && e.getMessage().contains("clCreateBuffer("),
                e.getMessage());
    }

    @Test
    void sixtyFourBitIndicesComputeWhatTheCpuComputes() {
        Backend wide = new GpuBackend<>(runtime, Device.opencl(0), true);
        Backend cpu = Backends.of(Device.cpu());
        Random rnd = new Random(3);
        Operand x = operand(rnd, DType.FLOAT32, View.STEPPED_WITH_OFFSET, 3, 70), y = operand(rnd, DType.FLOAT32, View.BROADCAST, 3, 70);
        Strided[] expected = run(cpu, x, y), actual = run(wide, x, y);
        for (int i = 0; i < expected.length; i++)
            assertClose("64-bit indices, result " + i, read(cpu, expected[i]), read(wide, actual[i]), 1e-4, 1e-5);
    }

    /** exp, a broadcast multiply, a row sum, an argmax and a matmul. */
    private static Strided[] run(Backend b, Operand xo, Operand yo) {
        Strided x = xo.on(b), y = yo.on(b);
        Strided e = output(b, DType.FLOAT32, 3, 70), p = output(b, DType.FLOAT32, 3, 70), s = output(b, DType.FLOAT32, 3),
                i = output(b, DType.INT64, 3), m = output(b, DType.FLOAT32, 1, 3, 3);
        b.unary(UnaryOp.EXP, x, e, 0, 0);
        b.binary(BinaryOp.MUL, e, y, p);
        b.reduce(ReduceOp.SUM, p, s);
        b.reduce(ReduceOp.ARGMAX, x, i);
        // p [3, 70] @ x^T [70, 3], x^T a transposed view
        b.matmul(new Strided(p.storage(), new long[]{1, 3, 70}, new long[]{0, 70, 1}, 0),
                new Strided(x.storage(), new long[]{1, 70, 3}, new long[]{0, x.strides()[1], x.strides()[0]}, x.offset()), m);
        return new Strided[]{e, p, s, i, m};
    }
}
