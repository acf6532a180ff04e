package dev.ember.nn;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.backend.ConvGeometry;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The output sizes of every sliding-window op (conv2d, max / average pooling, adaptive average pooling,
 * unfold, fold) against PyTorch 1.13, case by case: the same shape where PyTorch computes one, and an
 * {@link IllegalArgumentException} naming the op where PyTorch refuses. The cases
 * ({@code src/test/resources/torch_geometry/geometry.json}) come from
 * {@code benchmarks/reference/make_geometry_refs.py}: a grid of small geometries (which includes windows
 * larger than the padded input with strides above 1, the case truncating division turned into a 1x1
 * output) and zero, negative and huge arguments.
 */
class GeometryTest {

    private static List<JsonObject> cases() {
        var in = GeometryTest.class.getResourceAsStream("/torch_geometry/geometry.json");
        if (in == null) throw new IllegalStateException("missing /torch_geometry/geometry.json; run benchmarks/reference/make_geometry_refs.py");
        List<JsonObject> out = new ArrayList<>();
        for (JsonElement e : JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject()
                .getAsJsonArray("cases")) out.add(e.getAsJsonObject());
        return out;
    }

    private static int[] ints(JsonObject c, String key) {
        JsonArray a = c.getAsJsonArray(key);
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
        return out;
    }

    private static long[] longs(JsonObject c, String key) {
        return Arrays.stream(ints(c, key)).asLongStream().toArray();
    }

    /** Runs one case through Ember. */
    private static Tensor run(JsonObject c) {
        String op = c.get("op").getAsString();
        Tensor x = Tensor.zeros(longs(c, "input"));
        return switch (op) {
            case "conv2d" -> x.conv2d(Tensor.zeros(longs(c, "weight")), null, ints(c, "stride"), ints(c, "padding"),
                    ints(c, "dilation"), c.get("groups").getAsInt());
            case "maxPool2d" -> x.maxPool2d(ints(c, "kernel"), ints(c, "stride"), ints(c, "padding"));
            case "avgPool2d" -> x.avgPool2d(ints(c, "kernel"), ints(c, "stride"), ints(c, "padding"));
            case "unfold" -> x.unfold(ints(c, "kernel"), ints(c, "dilation"), ints(c, "padding"), ints(c, "stride"));
            case "fold" -> x.fold(ints(c, "output"), ints(c, "kernel"), ints(c, "dilation"), ints(c, "padding"), ints(c, "stride"));
            case "adaptiveAvgPool2d" -> new AdaptiveAvgPool2d(ints(c, "output")[0], ints(c, "output")[1]).forward(x);
            default -> throw new IllegalStateException("unknown op " + op);
        };
    }

    @Test
    void everySlidingWindowOpAgreesWithPyTorchOnOutputSizeOrRefusal() {
        List<String> failures = new ArrayList<>();
        int refused = 0;
        List<JsonObject> all = cases();
        for (JsonObject c : all) {
            String op = c.get("op").getAsString();
            JsonElement want = c.get("result");
            try {
                Tensor out = run(c);
                if (!want.isJsonArray()) failures.add(c + ": Ember returned shape " + Arrays.toString(out.shape()) + ", PyTorch refuses");
                else if (!Arrays.equals(longs(c, "result"), out.shape()))
                    failures.add(c + ": Ember returned shape " + Arrays.toString(out.shape()));
            } catch (IllegalArgumentException e) {
                String name = op.equals("adaptiveAvgPool2d") ? "AdaptiveAvgPool2d" : op;
                if (want.isJsonArray()) failures.add(c + ": Ember refused: " + e.getMessage());
                else if (!e.getMessage().startsWith(name + ":")) failures.add(c + ": the message does not name " + name + ": " + e.getMessage());
                else refused++;
            } catch (RuntimeException e) {
                failures.add(c + ": " + e);
            }
        }
        if (!failures.isEmpty())
            fail(failures.size() + " of " + all.size() + " cases differ from PyTorch, e.g.\n" + String.join("\n", failures.subList(0, Math.min(15, failures.size()))));
        assertTrue(refused > 100, "the table exercises refusals: " + refused);
    }

    @Test
    void aWindowLargerThanThePaddedInputIsRefusedWithTheSizes() {
        Tensor x = Tensor.zeros(1, 1, 3, 3);
        // kernel 4 and stride 2: (3 - 4) / 2 + 1 truncates to 1 in Java; PyTorch's floor gives 0 and refuses.
        var e = assertThrows(IllegalArgumentException.class, () -> x.maxPool2d(new int[]{4, 4}, new int[]{2, 2}, new int[]{0, 0}));
        assertTrue(e.getMessage().startsWith("maxPool2d:") && e.getMessage().contains("4x4") && e.getMessage().contains("3x3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.conv2d(Tensor.zeros(1, 1, 3, 3), null, new int[]{2, 2}, new int[]{0, 0},
                new int[]{2, 2}, 1));
        assertTrue(e.getMessage().startsWith("conv2d:") && e.getMessage().contains("spans 5x5") && e.getMessage().contains("padded input 3x3"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.unfold(new int[]{4, 4}, new int[]{1, 1}, new int[]{0, 0}, new int[]{3, 3}));
        assertTrue(e.getMessage().startsWith("unfold:"), e.getMessage());
    }

    @Test
    void theGeometryRecordItselfRefusesAnEmptyOrOverflowingOutput() {
        // Backends receive ConvGeometry; a bad one cannot be built even outside the tensor layer.
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(3, 3, 4, 4, 2, 2, 0, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(3, 3, 1, 1, 1, 1, Integer.MAX_VALUE, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(3, 3, 2, 2, 1, 1, 0, 0, Integer.MAX_VALUE, 1));
        var g = new ConvGeometry(3, 7, 3, 2, 2, 3, 1, 0, 1, 2);
        assertEquals(2, g.outH()); // (3 + 2 - 2 - 1) / 2 + 1
        assertEquals(2, g.outW()); // (7 - 2 - 1) / 3 + 1
        var big = ConvGeometry.of("test", 1, 1, 1, 1, 1, 1, 1 << 29, 0, 1, 1);
        assertEquals((1 << 30) + 1, big.outH(), "sizes near 2^30 are computed without overflow");
    }

    @Test
    void adaptivePoolingWithAnEmptyOutputIsEmptyAsInPyTorch() {
        Tensor x = Tensor.ones(2, 3, 4, 4);
        assertArrayEquals(new long[]{2, 3, 0, 2}, new AdaptiveAvgPool2d(0, 2).forward(x).shape());
        assertArrayEquals(new float[]{1, 1, 1, 1}, new AdaptiveAvgPool2d(1, 1).forward(Tensor.ones(1, 4, 3, 5)).toFloatArray(), 0f);
    }
}
