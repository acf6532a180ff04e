package dev.ember.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.io.DataFormatException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    @TempDir Path root;

    private static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, rgb);
        return img;
    }

    @Test
    void readsPngAndJpegWithOneClassPerFolder() throws Exception {
        Files.createDirectories(root.resolve("dog"));
        Files.createDirectories(root.resolve("cat"));
        ImageIO.write(solid(4, 3, 0xFF0000), "png", root.resolve("cat/a.png").toFile());
        ImageIO.write(solid(4, 3, 0x00FF00), "png", root.resolve("dog/b.PNG").toFile());
        ImageIO.write(solid(4, 3, 0x808080), "jpg", root.resolve("dog/c.jpg").toFile());
        Files.writeString(root.resolve("dog/readme.txt"), "not an image");
        ImageFolder folder = new ImageFolder(root);
        assertEquals(List.of("cat", "dog"), folder.classes());
        assertEquals(3, folder.size());
        var cat = folder.get(0);
        assertArrayEquals(new long[]{3, 3, 4}, cat.input().shape());
        assertEquals(0, cat.target().itemLong());
        float[] red = cat.input().toFloatArray();
        assertEquals(1f, red[0]);
        assertEquals(0f, red[12]);
        assertEquals(1, folder.get(2).target().itemLong());
        float[] grey = folder.get(2).input().toFloatArray();
        assertEquals(128 / 255f, grey[5], 3 / 255f); // JPEG is lossy
        assertArrayEquals(new long[]{1, 3, 4}, new ImageFolder(root, 1).get(1).input().shape());
        var all = folder.loadAll(null);
        assertArrayEquals(new long[]{3, 3, 3, 4}, all.inputs().shape());
        assertArrayEquals(new long[]{0, 1, 1}, all.targets().toLongArray());
        assertArrayEquals(folder.get(1).input().toFloatArray(), all.get(1).input().toFloatArray());
        ImageIO.write(solid(5, 5, 0), "png", root.resolve("dog/d.png").toFile());
        ImageFolder mixed = new ImageFolder(root);
        var e = assertThrows(DataFormatException.class, () -> mixed.loadAll(null));
        assertTrue(e.getMessage().contains("d.png") && e.getMessage().contains("[3, 5, 5]"), e.getMessage());
        assertArrayEquals(new long[]{4, 3, 2, 2}, mixed.loadAll(new Resize(2, 2)).inputs().shape());
        BufferedImage two = solid(2, 1, 0);
        two.setRGB(0, 0, 0xFF0000);
        BufferedImage flipped = Images.apply(Flip.horizontal(1), two, new dev.ember.Generator(0));
        assertEquals(0xFF0000, flipped.getRGB(1, 0) & 0xFFFFFF);
        assertEquals(0, flipped.getRGB(0, 0) & 0xFFFFFF);
    }

    @Test
    void malformedAndTruncatedImagesNameFilePositionAndExpectation() throws Exception {
        Files.createDirectories(root.resolve("x"));
        Path png = root.resolve("x/good.png");
        ImageIO.write(solid(8, 8, 0x123456), "png", png.toFile());
        byte[] bytes = Files.readAllBytes(png);
        Path truncated = root.resolve("x/truncated.png");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 10));
        Path fake = root.resolve("x/fake.jpg");
        Files.writeString(fake, "GIF89a....");
        ImageFolder folder = new ImageFolder(root);
        var t = assertThrows(DataFormatException.class, () -> folder.get(folder.files().indexOf(truncated)));
        assertTrue(t.getMessage().contains(truncated.toString()) && t.getMessage().contains("byte " + (bytes.length - 10))
                && t.getMessage().contains("IEND"), t.getMessage());
        var f = assertThrows(DataFormatException.class, () -> folder.get(folder.files().indexOf(fake)));
        assertTrue(f.getMessage().contains(fake.toString()) && f.getMessage().contains("byte 0")
                && f.getMessage().contains("expected a PNG signature") && f.getMessage().contains("47 49 46"), f.getMessage());
        assertEquals(0x12 / 255f, folder.get(folder.files().indexOf(png)).input().toFloatArray()[0], 1e-7f);
    }
}
