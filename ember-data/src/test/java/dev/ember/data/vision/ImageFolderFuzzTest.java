package dev.ember.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ember.Tensor;
import dev.ember.data.io.DataFormatException;
import dev.ember.testing.FuzzTargets;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz target: {@link ImageFolder#read} (PNG and JPEG through {@code javax.imageio}) and
 * {@link Images#toTensor} on arbitrary bytes, with the pixel limit lowered to 1 Mpx so the
 * allocation budget is tight. Documented failure: {@link DataFormatException}.
 */
public class ImageFolderFuzzTest {
    private static final List<Class<? extends Exception>> DOCUMENTED = List.of(DataFormatException.class);
    private static final long MAX_PIXELS = 1 << 20;

    @BeforeAll
    static void limitAndWarmUp() throws Exception {
        ImageFolder.setMaxPixels(MAX_PIXELS);
        for (byte[] seed : seeds().values()) check(seed);
    }

    @AfterAll
    static void restore() { ImageFolder.setMaxPixels(0); }

    @DictionaryFile(resourcePath = "images.dict")
    @FuzzTest(maxDuration = "20s")
    void read(byte[] data) throws Exception {
        check(data);
    }

    private static void check(byte[] data) throws Exception {
        Path p = FuzzTargets.file("input.png", data);
        // a 1 Mpx image of 16-bit RGBA is 8 MB decoded, 12 MB as a float tensor
        Tensor t = FuzzTargets.read(() -> Images.toTensor(ImageFolder.read(p)), (96 << 20) + 64L * data.length, DOCUMENTED);
        if (t == null) return;
        long[] s = t.shape();
        assertTrue(s.length == 3 && (s[0] == 1 || s[0] == 3) && s[1] * s[2] <= MAX_PIXELS, java.util.Arrays.toString(s));
        float[] v = t.toFloatArray();
        for (float x : v) assertTrue(x >= 0 && x <= 1, "pixel " + x);
        if (s[1] * s[2] <= 4096) assertArrayEquals(s, Images.toTensor(Images.toImage(t)).shape()); // toImage is per pixel: small ones only
    }

    /** The committed seeds: PNGs of every colour type (one interlaced, one 16-bit) and JPEGs (baseline, progressive, grey). */
    public static Map<String, byte[]> seeds() throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("rgb.png", write(image(5, 4, BufferedImage.TYPE_INT_RGB), "png", false));
        out.put("argb.png", write(image(3, 3, BufferedImage.TYPE_INT_ARGB), "png", false));
        out.put("grey.png", write(image(4, 2, BufferedImage.TYPE_BYTE_GRAY), "png", false));
        out.put("grey16.png", write(image(2, 2, BufferedImage.TYPE_USHORT_GRAY), "png", false));
        out.put("palette.png", write(image(4, 4, BufferedImage.TYPE_BYTE_INDEXED), "png", false));
        out.put("binary.png", write(image(9, 3, BufferedImage.TYPE_BYTE_BINARY), "png", false));
        out.put("interlaced.png", write(image(9, 9, BufferedImage.TYPE_INT_RGB), "png", true));
        out.put("baseline.jpg", write(image(8, 8, BufferedImage.TYPE_INT_RGB), "jpeg", false));
        out.put("progressive.jpg", write(image(17, 9, BufferedImage.TYPE_INT_RGB), "jpeg", true));
        out.put("grey.jpg", write(image(8, 16, BufferedImage.TYPE_BYTE_GRAY), "jpeg", false));
        return out;
    }

    private static BufferedImage image(int w, int h, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, 0x80000000 | (x * 40 << 16) | (y * 50 << 8) | ((x + y) * 20));
        return img;
    }

    private static byte[] write(BufferedImage img, String format, boolean progressive) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        var bytes = new ByteArrayOutputStream();
        try (var out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (progressive) param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
