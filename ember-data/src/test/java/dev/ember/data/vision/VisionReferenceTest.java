package dev.ember.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Resize and rotation against PyTorch 1.13 (benchmarks/reference/make_data_refs.py):
 * {@code F.interpolate(align_corners=False)} and {@code grid_sample(affine_grid(theta))}.
 */
class VisionReferenceTest {
    private static JsonArray cases() throws Exception {
        try (var r = new InputStreamReader(VisionReferenceTest.class.getResourceAsStream("/data/vision_refs.json"), StandardCharsets.UTF_8)) {
            return JsonParser.parseReader(r).getAsJsonArray();
        }
    }

    private static double[] doubles(JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsDouble();
        return out;
    }

    private static long[] longs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsLong();
        return out;
    }

    @Test
    void resizeAndRotateMatchPyTorchWithin1e4() throws Exception {
        int checked = 0;
        for (JsonElement el : cases()) {
            JsonObject c = el.getAsJsonObject();
            Interpolation mode = c.get("mode").getAsString().equals("nearest") ? Interpolation.NEAREST : Interpolation.BILINEAR;
            long[] shape = longs(c.getAsJsonArray("shape"));
            double[] input = doubles(c.getAsJsonArray("input"));
            double[] expected = doubles(c.getAsJsonArray("output"));
            // run in float32, as images are, against the float64 reference
            float[] in32 = new float[input.length];
            for (int i = 0; i < in32.length; i++) in32[i] = (float) input[i];
            Tensor x = Tensor.of(in32, shape);
            Tensor y = switch (c.get("op").getAsString()) {
                case "resize" -> {
                    long[] size = longs(c.getAsJsonArray("size"));
                    yield new Resize((int) size[0], (int) size[1], mode).apply(x);
                }
                case "rotate" -> Rotate.by(c.get("angle").getAsDouble(), mode).apply(x);
                default -> throw new IllegalStateException(c.get("op").getAsString());
            };
            float[] got = y.toFloatArray();
            assertEquals(expected.length, got.length);
            for (int i = 0; i < got.length; i++)
                assertEquals(expected[i], got[i], 1e-4, c.get("op") + " " + mode + " " + java.util.Arrays.toString(shape) + " at " + i);
            checked++;
        }
        assertEquals(18, checked);
    }

    @Test
    void rotatingByZeroIsTheIdentityAndBy90MovesTheBottomToTheRight() {
        Tensor x = Tensor.rand(2, 5, 5);
        assertArrayEquals(x.toFloatArray(), Rotate.by(0, Interpolation.BILINEAR).apply(x).toFloatArray(), 1e-6f);
        float[] img = new float[9];
        img[7] = 1; // bottom middle of a 3x3
        float[] rotated = Rotate.by(90, Interpolation.NEAREST).apply(Tensor.of(img, 1, 3, 3)).toFloatArray();
        assertEquals(1f, rotated[5], 1e-6f); // middle right: counter-clockwise
        assertEquals(1f, (float) java.util.stream.IntStream.range(0, 9).mapToDouble(i -> rotated[i]).sum(), 1e-6f);
        assertTrue(Rotate.random(30, Interpolation.BILINEAR).apply(x, new dev.ember.Generator(1)).shape()[1] == 5);
    }
}
