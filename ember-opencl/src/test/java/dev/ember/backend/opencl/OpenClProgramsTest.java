package dev.ember.backend.opencl;

import static dev.ember.backend.opencl.ClTestSupport.openCl;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lwjgl.opencl.CL10;

/**
 * The kernel sources themselves: every family also builds in its variant for devices without
 * {@code cl_khr_fp64} (no double anywhere) and with 8x8 GEMM work-groups, and a build failure
 * carries the compiler's log.
 */
class OpenClProgramsTest {

    @Test
    void everyFamilyBuildsWithoutFp64AndWithSmallGemmGroups() {
        ClDevice device = ((OpenClBackend) openCl()).device;
        for (ClPrograms.Family f : ClPrograms.Family.values()) {
            String src = ClPrograms.source(f, false, 8);
            assertFalse(src.contains("#define EMBER_FP64"), f + ": no fp64 define");
            CL10.clReleaseProgram(device.compile(src, f + " without fp64"));
        }
    }

    @Test
    void aBuildFailureReportsTheBuildLog() {
        ClDevice device = ((OpenClBackend) openCl()).device;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> device.compile("__kernel void broken(__global float* x) { x[0] = undeclared_name; }", "a broken kernel"));
        assertTrue(e.getMessage().contains("building a broken kernel failed"), e.getMessage());
        assertTrue(e.getMessage().contains("undeclared_name"), "the build log names the error: " + e.getMessage());
    }
}
