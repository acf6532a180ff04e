package dev.ember.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Device;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Discovery must not fail silently: every other OpenCL test skips when no device is found, so
 * on a machine with an OpenCL driver installed (an ICD file) the backend is required here.
 */
class OpenClDiscoveryTest {

    private static boolean icdInstalled() {
        String dir = System.getenv().getOrDefault("OCL_ICD_VENDORS", "/etc/OpenCL/vendors");
        File d = new File(dir);
        String[] icds = d.isDirectory() ? d.list((f, name) -> name.endsWith(".icd")) : (d.isFile() ? new String[]{dir} : null);
        return icds != null && icds.length > 0;
    }

    @Test
    void aMachineWithAnOpenClDriverGetsTheBackend() {
        Assumptions.assumeTrue(icdInstalled(), "no OpenCL ICD installed");
        Backends.Family f = Backends.family(Device.OPENCL_TYPE);
        assertTrue(f.available(), "an OpenCL ICD is installed, yet discovery failed: " + f.reason());
        Backend b = f.devices().getFirst();
        assertEquals(Device.opencl(0), b.device());
        assertTrue(b instanceof Backends.GpuInfo g && g.totalMemory() > 0, "GpuInfo reports the device memory");
        assertFalse(b.name().isBlank());
    }

    @Test
    void startingTheProviderAgainFindsTheSameDevices() {
        Assumptions.assumeTrue(Backends.family(Device.OPENCL_TYPE).available(), "no OpenCL device");
        List<Backend> again = new OpenClProvider().start(); // the OpenCL library is already loaded now
        assertEquals(Backends.family(Device.OPENCL_TYPE).devices().size(), again.size());
        assertEquals(Backends.family(Device.OPENCL_TYPE).devices().getFirst().name(), again.getFirst().name());
    }
}
