package dev.ember.backend.cuda;

import static dev.ember.testing.LargeDeviceTensor.N;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.backend.gpu.GpuBackend;
import dev.ember.testing.LargeDeviceTensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link LargeDeviceTensor}'s 2 GiB BOOL tensor past 2^31 elements on the CUDA device: the kernels' {@code .i64}
 * variants and the 64-bit kernel error slot on a real GPU ({@code ci/gpu.sh} runs this package). Needs a device of at
 * least 4 GiB; skipped without CUDA and on the emulated device (1 GiB).
 */
@Tag("cuda")
@Tag("large")
class CudaLargeTensorTest {
    @Test
    void viewsPastTwoToTheThirtyOneAreFilledSummedAndReadBack() {
        GpuBackend<?, ?> backend = (GpuBackend<?, ?>) CudaTestSupport.cuda();
        long total = backend.totalMemory();
        assumeTrue(total >= 2 * N, () -> backend.name() + " has " + total + " bytes of memory, below the " + 2 * N + " this needs");
        LargeDeviceTensor.check(backend.device());
    }
}
