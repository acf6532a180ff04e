package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Without {@code --add-modules jdk.incubator.vector} Ember must still run (scalar kernels), say so
 * once, and say how to enable SIMD. Runs a child JVM, since the module is fixed at JVM start.
 */
class ScalarFallbackTest {

    /** The child's program: a matmul and a softmax, printing results and the backend's name. */
    public static final class Probe {
        public static void main(String[] args) {
            dev.ember.Tensor a = dev.ember.Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
            dev.ember.Tensor b = dev.ember.Tensor.of(new float[]{1, 0, 0, 1, 1, 1}, 3, 2);
            System.out.println(java.util.Arrays.toString(a.matmul(b).toFloatArray()));
            System.out.println(a.softmax(1).sum(1).sub(1.0).abs().max().item() < 1e-6);
            System.out.println(CpuBackend.INSTANCE.name());
        }
    }

    @Test
    void runsScalarKernelsAndWarnsOnce() throws Exception {
        var r = dev.ember.testing.ChildJvm.runPlain(List.of(), Map.of(), 5, Probe.class);
        String out = r.output();
        assertEquals(0, r.exitCode(), out);
        assertTrue(out.contains("[4.0, 5.0, 10.0, 11.0]"), out);
        assertTrue(out.contains("true"), out);
        assertTrue(out.contains("scalar, no Vector API"), out);
        assertTrue(out.contains("--add-modules jdk.incubator.vector"), "the warning says how to enable SIMD: " + out);
        int warnings = out.split("jdk.incubator.vector is not enabled", -1).length - 1;
        assertEquals(1, warnings, out);
    }
}
