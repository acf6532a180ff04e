package dev.ember.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Choosing NVRTC and its target without a GPU; compiling through it is tested by {@link EmulatedCudaTest}
 * (a stand-in libnvrtc with NVRTC's C API) and on a GPU by {@code ci/gpu.sh}.
 */
class NvrtcTest {

    @Test
    void theTargetIsTheNewestArchitectureNvrtcSupportsAtOrBelowTheDevice() {
        int[] cuda12 = {50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86, 87, 89, 90};
        assertEquals("compute_90", Nvrtc.archFor(90, cuda12));
        assertEquals("compute_86", Nvrtc.archFor(86, cuda12));
        assertEquals("compute_90", Nvrtc.archFor(120, cuda12), "a newer GPU gets PTX its driver compiles");
        assertNull(Nvrtc.archFor(75, new int[]{80, 90}), "nothing at or below the device");
        assertEquals("compute_89", Nvrtc.archFor(89, null), "an NVRTC too old to list its targets gets the device's");
    }

    @Test
    void aMachineWithoutNvrtcGetsTheListOfWhatWasTried() {
        List<String> tried = new ArrayList<>();
        var found = Nvrtc.find(tried);
        if (found.isPresent()) {
            assertTrue(found.get().library().contains("libnvrtc"), found.get().library()); // an NVRTC is installed here
        } else {
            String all = String.join("; ", tried);
            assertTrue(all.contains("libnvrtc.so.13/libnvrtc.so.12") && all.contains("/usr/local/cuda/lib64"), all);
        }
    }

    @Test
    void theProbeKeepsEmbersOwnReasonAsItIs() {
        String why = "no NVRTC to compile Ember's kernels (libnvrtc.so.13/libnvrtc.so.12/libnvrtc.so not found on the loader path)";
        assertEquals(why, CudaProbe.explain(new CudaProvider.CudaUnavailableException(why)));
    }
}
