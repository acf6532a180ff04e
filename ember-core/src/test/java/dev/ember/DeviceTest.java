package dev.ember;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.Backends;
import org.junit.jupiter.api.Test;

/** Device names: a type is any backend's name, parsed and printed as PyTorch does ({@code cuda:1}). */
class DeviceTest {

    @Test
    void namesParseAndPrint() {
        assertEquals(Device.cpu(), Device.parse("CPU"));
        assertEquals("cpu", Device.cpu().toString());
        assertTrue(Device.cpu().isCpu());
        assertEquals("cuda:1", Device.of("cuda", 1).toString());
        assertEquals(Device.cuda(1), Device.of(Device.CUDA_TYPE, 1));
        assertEquals(Device.best(), Device.parse("auto"));
    }

    @Test
    void typesListTheCpuFirst() {
        assertEquals(Device.CPU_TYPE, Backends.types().getFirst());
        assertTrue(Backends.family(Device.CPU_TYPE).available());
    }

    @Test
    void badNamesAreErrorsThatSayWhatIsExpected() {
        var e = assertThrows(IllegalArgumentException.class, () -> Device.parse("gpu"));
        assertTrue(e.getMessage().contains("unknown device 'gpu'") && e.getMessage().contains("cpu"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Device.parse("cpu:x"));
        assertThrows(IllegalArgumentException.class, () -> Device.of("CUDA", 0));
        assertThrows(IllegalArgumentException.class, () -> Device.of("cuda", -1));
        assertThrows(IllegalArgumentException.class, () -> Device.of("cpu", 1));
        // a type no module provides is a clear error when used, not at construction
        var absent = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2).to(Device.of("tpu", 0)));
        assertTrue(absent.getMessage().contains("tpu"), absent.getMessage());
    }
}
