package dev.ember.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Generator;
import dev.ember.Tensor;
import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Geometry and colour transforms against scalar float64 formulas written here. */
class TransformsTest {
    private static double at(double[] d, int h, int w, int c, int y, int x) { return d[(c * h + y) * w + x]; }

    @Test
    void centerCropTakesTheMiddleWithRoundHalfEvenOffsets() {
        Tensor x = Tensor.rand(3, 7, 8).to(DType.FLOAT64);
        double[] d = x.toDoubleArray();
        double[] got = new CenterCrop(4, 5).apply(x).toDoubleArray();
        int top = 2, left = 2; // round(1.5) = 2 (half to even), round(1.5) = 2
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 4; y++)
                for (int xx = 0; xx < 5; xx++) assertEquals(at(d, 7, 8, c, top + y, left + xx), got[(c * 4 + y) * 5 + xx]);
        assertThrows(IllegalArgumentException.class, () -> new CenterCrop(9).apply(x));
    }

    @Test
    void randomCropIsAWindowOfTheZeroPaddedImageAndCoversAllOffsets() {
        Tensor x = Tensor.rand(1, 4, 4).to(DType.FLOAT64).add(1.0); // values in [1, 2): padding zeros are recognisable
        double[] d = x.toDoubleArray();
        Generator g = new Generator(5);
        Set<String> offsets = new HashSet<>();
        for (int trial = 0; trial < 200; trial++) {
            double[] got = new RandomCrop(4, 2).apply(x, g).toDoubleArray();
            // find the offset (top, left) into the 8x8 padded image that reproduces the crop
            String found = null;
            for (int top = 0; top <= 4 && found == null; top++)
                for (int left = 0; left <= 4 && found == null; left++) {
                    boolean ok = true;
                    for (int y = 0; y < 4 && ok; y++)
                        for (int xx = 0; xx < 4 && ok; xx++) {
                            int sy = top + y - 2, sx = left + xx - 2;
                            double expected = sy < 0 || sx < 0 || sy >= 4 || sx >= 4 ? 0 : at(d, 4, 4, 0, sy, sx);
                            ok = expected == got[y * 4 + xx];
                        }
                    if (ok) found = top + "," + left;
                }
            assertTrue(found != null, "crop is not a window of the padded image");
            offsets.add(found);
        }
        assertEquals(25, offsets.size(), "all 5x5 offsets occur");
    }

    @Test
    void flipsReverseTheLastAxesAndWorkOnBatches() {
        Tensor x = Tensor.arange(0, 24, 1).to(DType.FLOAT32).reshape(2, 1, 3, 4);
        float[] h = Flip.horizontal(1).apply(x).toFloatArray();
        float[] v = Flip.vertical(1).apply(x).toFloatArray();
        float[] d = x.toFloatArray();
        for (int n = 0; n < 2; n++)
            for (int y = 0; y < 3; y++)
                for (int xx = 0; xx < 4; xx++) {
                    assertEquals(d[n * 12 + y * 4 + (3 - xx)], h[n * 12 + y * 4 + xx]);
                    assertEquals(d[n * 12 + (2 - y) * 4 + xx], v[n * 12 + y * 4 + xx]);
                }
        assertArrayEquals(d, Flip.horizontal(0).apply(x).toFloatArray());
        Generator g = new Generator(2);
        int flipped = 0;
        for (int i = 0; i < 400; i++) if (Flip.horizontal(0.5).apply(x, g).toFloatArray()[0] != d[0]) flipped++;
        assertTrue(flipped > 150 && flipped < 250, "p = 0.5 flips about half the time: " + flipped);
    }

    @Test
    void colorAdjustmentsFollowTorchvisionsFormulas() {
        Tensor x = Tensor.rand(3, 4, 5).to(DType.FLOAT64);
        double[] d = x.toDoubleArray();
        int plane = 20;
        double[] grey = new double[plane];
        double meanGrey = 0;
        for (int i = 0; i < plane; i++) { grey[i] = 0.2989 * d[i] + 0.587 * d[plane + i] + 0.114 * d[2 * plane + i]; meanGrey += grey[i] / plane; }
        double[] b = ColorJitter.adjustBrightness(x, 1.7).toDoubleArray();
        double[] c = ColorJitter.adjustContrast(x, 0.4).toDoubleArray();
        double[] s = ColorJitter.adjustSaturation(x, 1.5).toDoubleArray();
        for (int i = 0; i < d.length; i++) {
            assertEquals(Math.min(1, 1.7 * d[i]), b[i], 1e-12);
            assertEquals(Math.min(1, Math.max(0, 0.4 * d[i] + 0.6 * meanGrey)), c[i], 1e-12);
            assertEquals(Math.min(1, Math.max(0, 1.5 * d[i] - 0.5 * grey[i % plane])), s[i], 1e-12);
        }
        Tensor jittered = new ColorJitter(0.4, 0.4, 0.4).apply(x, new Generator(3));
        assertArrayEquals(x.shape(), jittered.shape());
        assertTrue(jittered.ge(0.0).all() && jittered.le(1.0).all());
    }

    @Test
    void normalizeAndToTensorScaleAsDocumented() {
        Tensor x = Tensor.rand(2, 3, 3);
        float[] d = x.toFloatArray();
        float[] n = new Normalize(new double[]{0.5, 0.1}, new double[]{0.25, 2}).apply(x).toFloatArray();
        for (int i = 0; i < d.length; i++) assertEquals(i < 9 ? (d[i] - 0.5) / 0.25 : (d[i] - 0.1) / 2, n[i], 1e-5);
        Tensor batch = Tensor.rand(4, 2, 3, 3);
        assertArrayEquals(batch.shape(), new Normalize(new double[]{0, 0}, new double[]{1, 1}).apply(batch).shape());
        float[] scaled = new ToTensor().apply(Tensor.of(new int[]{0, 51, 255}, 1, 1, 3)).toFloatArray();
        assertArrayEquals(new float[]{0f, 0.2f, 1f}, scaled, 1e-7f);
    }

    @Test
    void randomResizedCropIsResizeOfItsCropBox() {
        Tensor x = Tensor.rand(3, 20, 30);
        RandomResizedCrop rrc = new RandomResizedCrop(8, 8, 0.08, 1, 3.0 / 4, 4.0 / 3);
        for (long seed = 0; seed < 20; seed++) {
            int[] box = rrc.cropBox(20, 30, new Generator(seed));
            assertTrue(box[0] >= 0 && box[1] >= 0 && box[0] + box[2] <= 20 && box[1] + box[3] <= 30, java.util.Arrays.toString(box));
            double area = (double) box[2] * box[3] / 600, ratio = (double) box[3] / box[2];
            assertTrue(area <= 1.0 + 1e-9 && ratio > 0.6 && ratio < 1.6, java.util.Arrays.toString(box));
            Tensor viaBox = new Resize(8, 8).apply(x.narrow(1, box[0], box[2]).narrow(2, box[1], box[3]).contiguous());
            assertArrayEquals(viaBox.toFloatArray(), rrc.apply(x, new Generator(seed)).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void composeAppliesInOrderAndBufferedImagesRoundTrip() {
        Tensor x = Tensor.rand(3, 6, 6);
        Transform t = new Compose(Flip.horizontal(1), new CenterCrop(4));
        assertArrayEquals(new CenterCrop(4).apply(Flip.horizontal(1).apply(x)).toFloatArray(), t.apply(x).toFloatArray());
        BufferedImage img = new BufferedImage(5, 4, BufferedImage.TYPE_INT_RGB);
        img.setRGB(2, 1, 0x102030);
        Tensor rgb = Images.toTensor(img);
        assertArrayEquals(new long[]{3, 4, 5}, rgb.shape());
        float[] v = rgb.toFloatArray();
        assertEquals(0x10 / 255f, v[1 * 5 + 2], 1e-7f);
        assertEquals(0x20 / 255f, v[20 + 1 * 5 + 2], 1e-7f);
        assertEquals(0x30 / 255f, v[40 + 1 * 5 + 2], 1e-7f);
        assertEquals(0x102030, Images.toImage(rgb).getRGB(2, 1) & 0xFFFFFF);
        BufferedImage grey = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(1, 1, 0, 200);
        Tensor g = Images.toTensor(grey);
        assertArrayEquals(new long[]{1, 2, 3}, g.shape());
        assertEquals(200 / 255f, g.toFloatArray()[4], 1e-7f);
    }
}
