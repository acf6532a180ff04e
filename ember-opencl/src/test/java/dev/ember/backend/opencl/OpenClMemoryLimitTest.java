package dev.ember.backend.opencl;

import static dev.ember.backend.opencl.ClTestSupport.openCl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.testing.DeviceMemoryPrograms;
import dev.ember.testing.TestPrograms;
import dev.ember.testing.ChildJvm;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PoCL under {@code -Dember.opencl.memoryLimit=64m}, in a child JVM (the limit is read when the
 * device starts): tensors dropped without {@code close()} are reclaimed, so a loop of 4 MB tensors
 * well past the limit completes; in scopes, 2,000 iterations reuse a few blocks; tensors kept alive end
 * in an out-of-memory error with statistics.
 */
class OpenClMemoryLimitTest {

    @Test
    void droppedTensorsAreReclaimedAndLiveOnesFailWithStatistics() throws Exception {
        openCl();
        long limit = 64L << 20;
        ChildJvm.Result r = ChildJvm.run(List.of("-Dember.opencl.memoryLimit=64m", "-Dember.test.device=opencl",
                        "-Dember.test.memoryLimitBytes=" + limit), Map.of(), 5,
                TestPrograms.class.getName(), DeviceMemoryPrograms.class.getName());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("passed 3 of 3"), r.output());
    }
}
