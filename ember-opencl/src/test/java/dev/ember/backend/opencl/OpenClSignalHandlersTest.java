package dev.ember.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lwjgl.opencl.CL10.clReleaseProgram;

import dev.ember.Device;
import dev.ember.Tensor;
import dev.ember.backend.Backends;
import dev.ember.backend.gpu.GpuBackend;
import dev.ember.backend.gpu.JvmSignalHandlers;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The JVM keeps its signal handlers beside an LLVM-based driver ({@link JvmSignalHandlers}): after
 * PoCL compiles a program it has never seen (so its compiler runs and writes files, where LLVM installs its
 * handlers), SIGSEGV is handled by the JVM again. Without the restore, LLVM's handler stays installed and a safepoint
 * can kill the process (exit status 139, no error report).
 */
class OpenClSignalHandlersTest {

    @Test
    void theJvmsHandlersAreBackAfterTheDriverCompiles() {
        Assumptions.assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"), "Linux only");
        Backends.Family f = Backends.family(Device.OPENCL_TYPE);
        Assumptions.assumeTrue(f.available(), () -> "no OpenCL device: " + f.reason());
        assertTrue(JvmSignalHandlers.recording(), "the JVM's handlers were recorded before the driver loaded");
        GpuBackend<?, ?> backend = (GpuBackend<?, ?>) f.devices().getFirst();
        OpenClRuntime runtime = (OpenClRuntime) backend.runtime();
        // a source no driver cache holds: the compiler runs
        String source = "__kernel void fresh_" + System.nanoTime() + "(__global float* x) { x[get_global_id(0)] *= "
                + (1 + Math.random()) + "f; }";
        clReleaseProgram(runtime.build(source, "a fresh kernel"));
        assertTrue(JvmSignalHandlers.intact(), "SIGSEGV is the JVM's after a program build");
        // and after kernels that are compiled for their work-group size when first enqueued
        Tensor x = Tensor.of(new float[]{1, 2, 3}).to(backend.device());
        assertArrayEquals(new float[]{2, 4, 6}, x.mul(2).toFloatArray());
        assertTrue(JvmSignalHandlers.intact(), "SIGSEGV is the JVM's after launches");
    }
}
