package dev.ember.backend.cuda;

import dev.ember.Device;
import dev.ember.nn.testing.LmParity;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The language-model work on CUDA against the CPU (run on the emulated device by {@link EmulatedCudaTest}, and on a
 * GPU by ci/gpu.sh): attention forward, backward and float64 gradient checks, an LSTM and multi-head attention, and a
 * GPT's training loss curve. Sizes are small because the emulated device runs every GPU thread as a host thread; the
 * full set runs on PoCL ({@code OpenClLanguageModelTest}). Skipped with the probe's reason where no CUDA device is present.
 */
@Tag("cuda")
class CudaLanguageModelTest {
    @BeforeEach
    void device() {
        CudaTestSupport.cuda();
    }

    @Test
    void attentionMatchesTheCpu() { LmParity.attentionQuick(Device.cuda()); }

    @Test
    void attentionGradientsMatchFiniteDifferences() { LmParity.attentionGradients(Device.cuda(), 2, 3); }

    @Test
    void sequenceModulesMatchTheCpu() { LmParity.modulesQuick(Device.cuda()); }

    @Test
    void gptTrainingFollowsTheCpuLossCurve() {
        LmParity.assertSameCurve(LmParity.gptLossCurve(Device.cpu(), 4, 1, 8), LmParity.gptLossCurve(Device.cuda(), 4, 1, 8), 1e-4);
    }
}
