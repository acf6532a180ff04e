package dev.ember.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.io.DataFormatException;
import dev.ember.testing.Allocation;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small image file cannot make the reader allocate more than its header is allowed to
 * declare: the pixel limit is checked from the header before decoding, and a PNG must carry
 * enough compressed data for the pixels it declares.
 */
class ImageLimitsTest {
    @TempDir
    Path dir;

    @AfterEach
    void restoreLimits() {
        ImageFolder.setMaxPixels(0);
        System.clearProperty(ImageFolder.MAX_PIXELS_PROPERTY);
    }

    /** A PNG of {@code w x h} 8-bit RGB pixels whose IDAT holds {@code rawBytes} deflated zero bytes (the real size needs h * (3w + 1)). */
    static byte[] png(int w, int h, int rawBytes) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array());
        Deflater d = new Deflater(9);
        d.setInput(new byte[rawBytes]);
        d.finish();
        byte[] z = new byte[rawBytes / 100 + 64];
        int n = d.deflate(z);
        chunk(out, "IDAT", java.util.Arrays.copyOf(z, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static DataFormatException refusedCheaply(Path p, String... phrases) {
        DataFormatException[] e = new DataFormatException[1];
        long allocated = Allocation.bytesAllocatedBy(() -> e[0] = assertThrows(DataFormatException.class, () -> ImageFolder.read(p)));
        assertTrue(allocated < 16 << 20, "allocated " + allocated + " bytes to refuse a " + p.toFile().length() + "-byte file");
        assertTrue(e[0].getMessage().contains(p.toString()), e[0].getMessage());
        for (String phrase : phrases) assertTrue(e[0].getMessage().contains(phrase), "'" + phrase + "' in " + e[0].getMessage());
        return e[0];
    }

    @Test
    void aSmallPngDeclaringHugeDimensionsIsRefusedFromItsHeader() throws Exception {
        // 20000 x 20000 RGB: the decoder used to allocate a 1.2 GB raster for this 100-byte file
        Path p = write("bomb.png", png(20_000, 20_000, 1000));
        refusedCheaply(p, "20000 x 20000 = 400000000 pixels", "limit of " + ImageFolder.DEFAULT_MAX_PIXELS);
    }

    @Test
    void aPngWhoseCompressedDataCannotFillItsPixelsIsRefused() throws Exception {
        // 4000 x 3000 is under the pixel limit, but 1 kB of deflate inflates to at most about 1 MB, not 36 MB
        Path p = write("thin.png", png(4000, 3000, 1000));
        refusedCheaply(p, "PNG IDAT data", "inflate to at most");
        // a real PNG of the same kind still reads
        Path ok = write("full.png", png(40, 30, 30 * (3 * 40 + 1)));
        BufferedImage img = ImageFolder.read(ok);
        assertEquals(40, img.getWidth());
        assertEquals(30, img.getHeight());
    }

    @Test
    void aJpegDeclaringHugeDimensionsIsRefusedFromItsHeader() throws Exception {
        var out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "jpg", out);
        byte[] jpg = out.toByteArray();
        int sof = 2;
        while (!((jpg[sof] & 0xFF) == 0xFF && (jpg[sof + 1] & 0xFF) == 0xC0)) sof++;
        ByteBuffer.wrap(jpg, sof + 5, 4).putShort((short) 30_000).putShort((short) 30_000); // height, width
        Path p = write("bomb.jpg", jpg);
        refusedCheaply(p, "30000 x 30000 = 900000000 pixels");
    }

    @Test
    void theLimitIsSetBySetterOrSystemProperty() throws Exception {
        Path small = write("s.png", png(10, 10, 10 * 31));
        Path large = write("l.png", png(20, 20, 20 * 61));
        assertEquals(ImageFolder.DEFAULT_MAX_PIXELS, ImageFolder.maxPixels());
        assertEquals(89_478_485, ImageFolder.DEFAULT_MAX_PIXELS, "Pillow's MAX_IMAGE_PIXELS");
        ImageFolder.setMaxPixels(100);
        assertEquals(10, ImageFolder.read(small).getWidth());
        refusedCheaply(large, "400 pixels, more than the limit of 100");
        ImageFolder.setMaxPixels(0);
        System.setProperty(ImageFolder.MAX_PIXELS_PROPERTY, "399");
        assertEquals(399, ImageFolder.maxPixels());
        refusedCheaply(large, "limit of 399", ImageFolder.MAX_PIXELS_PROPERTY);
        System.setProperty(ImageFolder.MAX_PIXELS_PROPERTY, "lots");
        var e = assertThrows(IllegalArgumentException.class, ImageFolder::maxPixels);
        assertTrue(e.getMessage().contains("lots"), e.getMessage());
        System.clearProperty(ImageFolder.MAX_PIXELS_PROPERTY);
        assertEquals(20, ImageFolder.read(large).getWidth());
    }

    @Test
    void toTensorRefusesImagesTooLargeForOneTensorInsteadOfOverflowing() {
        // 50000 x 50000 by its own account; the overflowed int size used to give NegativeArraySizeException
        BufferedImage liar = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY) {
            @Override public int getWidth() { return 50_000; }
            @Override public int getHeight() { return 50_000; }
        };
        var e = assertThrows(IllegalArgumentException.class, () -> Images.toTensor(liar, 3));
        assertTrue(e.getMessage().contains("50000 x 50000") && e.getMessage().contains("7500000000 values"), e.getMessage());
        assertArrayEquals(new long[]{1, 1, 1}, Images.toTensor(new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY)).shape());
    }
}
