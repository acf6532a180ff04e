package dev.ember.data.vision;

import dev.ember.data.io.DataFormatException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes one PNG or JPEG file with {@code javax.imageio}, refusing before any pixel is
 * allocated an image whose header declares more pixels than {@link ImageFolder#maxPixels()}
 * or, for PNG, more pixel bytes than its compressed data can expand to. Failures of the JDK's
 * decoders on corrupt data (they throw unchecked exceptions as well as {@code IIOException})
 * become {@link DataFormatException}s naming the file.
 */
final class ImageDecoder {
    /** Deflate's largest expansion: a 258-byte match coded in 2 bits. */
    private static final long DEFLATE_MAX_RATIO = 1032;

    private ImageDecoder() {}

    static BufferedImage read(Path file, long maxPixels) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8)
                throw new DataFormatException(file, "open", "the file is " + size + " bytes; image files of 2 GiB and more are not read");
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataFormatException(file, "open", "cannot read the file: " + e, e);
        }
        String format = ImageSignature.check(file, bytes);
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        if (!readers.hasNext()) throw new DataFormatException(file, "byte 0", "no javax.imageio reader for " + format + " is installed");
        ImageReader reader = readers.next();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            int w = reader.getWidth(0), h = reader.getHeight(0); // the header only: nothing is decoded yet
            checkSize(file, format, w, h, maxPixels);
            if (format.equals("png")) PngData.checkCompressedSize(file, bytes, w, h, DEFLATE_MAX_RATIO);
            BufferedImage image = reader.read(0);
            if (image == null) throw new DataFormatException(file, "byte 0", "expected an image javax.imageio can decode, found none");
            return image;
        } catch (IOException e) {
            throw new DataFormatException(file, "image data", "expected a decodable " + format + " image: " + e.getMessage(), e);
        } catch (DataFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            // e.g. IllegalArgumentException, ArrayIndexOutOfBoundsException or NegativeArraySizeException from the
            // JDK's PNG and JPEG plugins on corrupt headers or data
            throw new DataFormatException(file, "image data", "the " + format + " decoder failed on corrupt data: " + e, e);
        } finally {
            reader.dispose();
        }
    }

    private static void checkSize(Path file, String format, int w, int h, long maxPixels) {
        if (w <= 0 || h <= 0)
            throw new DataFormatException(file, format + " header", "expected a positive width and height, found " + w + " x " + h);
        long pixels = (long) w * h;
        if (pixels > maxPixels)
            throw new DataFormatException(file, format + " header", "the image declares " + w + " x " + h + " = " + pixels
                    + " pixels, more than the limit of " + maxPixels + " (raise it with ImageFolder.setMaxPixels or -D"
                    + ImageFolder.MAX_PIXELS_PROPERTY + ")");
    }
}
