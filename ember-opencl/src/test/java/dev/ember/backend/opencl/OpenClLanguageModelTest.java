package dev.ember.backend.opencl;

import static dev.ember.backend.opencl.ClTestSupport.openCl;

import dev.ember.Device;
import dev.ember.nn.testing.LmParity;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The language-model work on OpenCL (PoCL in CI) against the CPU: attention forward, backward and float64 gradient
 * checks, the sequence modules, and a 20-step GPT training run whose loss curve follows the CPU's within 1e-4.
 */
class OpenClLanguageModelTest {
    @BeforeEach
    void device() { openCl(); }

    @Test
    void attentionMatchesTheCpu() { LmParity.attention(Device.opencl()); }

    @Test
    void attentionGradientsMatchFiniteDifferences() { LmParity.attentionGradients(Device.opencl()); }

    @Test
    void sequenceModulesMatchTheCpu() { LmParity.modules(Device.opencl()); }

    @Test
    void gptTrainingFollowsTheCpuLossCurve() {
        LmParity.assertSameCurve(LmParity.gptLossCurve(Device.cpu(), 20), LmParity.gptLossCurve(Device.opencl(), 20), 1e-4);
    }
}
