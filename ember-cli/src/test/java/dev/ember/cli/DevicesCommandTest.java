package dev.ember.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Device;
import dev.ember.backend.Backends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code ./ember devices}: one line per device, and one line saying why each absent backend is absent. */
class DevicesCommandTest {

    @Test
    void listsEveryBackendWithItsDevicesOrItsReason() {
        PrintStream old = System.out;
        var buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("devices");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("cpu     cpu: cpu ("), out);
        for (String name : new String[]{Device.CUDA_TYPE, Device.OPENCL_TYPE}) {
            Backends.Family f = Backends.family(name);
            if (f.available()) assertTrue(out.contains(name + " ".repeat(7 - name.length()) + " " + name + ":0"), out);
            else assertTrue(out.contains(name + " ".repeat(7 - name.length()) + " unavailable: " + f.reason()), out);
        }
        assertTrue(out.contains("best:   " + Backends.best()), out);
    }
}
