package dev.ember.backend;

import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Tensor;
import dev.ember.testing.Checks;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every device's conversions between the 16-bit floats and float32 against PyTorch's, bit for bit: the tables
 * and inputs of {@link HalfConversionsTest} (all 65,536 patterns widened; every value, tie and neighbour of a
 * tie narrowed, NaNs, random patterns), converted on the device (a GPU's generated copy kernels) through a
 * contiguous and a transposed view, plus FLOAT16 to BFLOAT16 and back, which convert through float32.
 */
@Tag("devices")
class HalfDeviceConversionTest {
    static Stream<Device> devices() { return Checks.devices().stream(); }

    @ParameterizedTest
    @MethodSource("devices")
    void everyPatternOnTheDevice(Device dev) {
        for (HalfConversionsTest.Type t : new HalfConversionsTest.Type[]{HalfConversionsTest.F16, HalfConversionsTest.BF16}) {
            int[] widened = HalfConversionsTest.widenTable(t);
            short[] patterns = new short[65536];
            for (int h = 0; h < 65536; h++) patterns[h] = (short) h;
            Tensor x = Tensor.ofBits(patterns, t.dtype()).to(dev);
            float[] f = x.to(DType.FLOAT32).toFloatArray();
            float[] ft = x.reshape(256, 256).transpose(0, 1).to(DType.FLOAT32).toFloatArray();
            for (int h = 0; h < 65536; h++) {
                int got = Float.floatToRawIntBits(f[h]), gotT = Float.floatToRawIntBits(ft[(h % 256) * 256 + h / 256]);
                if (got != widened[h] || gotT != widened[h])
                    fail(t.dtype() + " " + String.format("0x%04x", h) + " to float32 on " + dev + " gives " + Integer.toHexString(got)
                            + " (transposed: " + Integer.toHexString(gotT) + "), torch gives " + Integer.toHexString(widened[h]));
            }
            int[] inputs = HalfConversionsTest.narrowInputs(widened, t.finite(), t.aboveMax());
            short[] expected = HalfConversionsTest.narrowTable(t, inputs.length);
            float[] values = new float[inputs.length];
            for (int i = 0; i < values.length; i++) values[i] = Float.intBitsToFloat(inputs[i]);
            short[] got = Tensor.of(values).to(dev).to(t.dtype()).toBits();
            for (int i = 0; i < values.length; i++)
                if (got[i] != expected[i])
                    fail("float32 " + Integer.toHexString(inputs[i]) + " to " + t.dtype() + " on " + dev + " gives "
                            + String.format("0x%04x", got[i]) + ", torch gives " + String.format("0x%04x", expected[i]));
            // across the 16-bit types: through float32, the same on the device as on the CPU
            DType other = t.dtype() == DType.FLOAT16 ? DType.BFLOAT16 : DType.FLOAT16;
            short[] cross = x.to(other).toBits(), crossCpu = Tensor.ofBits(patterns, t.dtype()).to(other).toBits();
            for (int h = 0; h < 65536; h++)
                if (cross[h] != crossCpu[h])
                    fail(t.dtype() + " " + String.format("0x%04x", h) + " to " + other + " on " + dev + " gives "
                            + String.format("0x%04x", cross[h]) + ", the CPU " + String.format("0x%04x", crossCpu[h]));
        }
    }
}
