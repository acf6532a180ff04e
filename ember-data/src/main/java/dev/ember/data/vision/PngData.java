package dev.ember.data.vision;

import dev.ember.data.io.DataFormatException;
import java.nio.file.Path;

/**
 * The chunk layout of a PNG file, walked without decoding: the IHDR's bit depth and colour
 * type, and the total size of the compressed image data (IDAT chunks). A PNG whose pixels need
 * more bytes than its IDAT data can inflate to cannot be a real image, only a header that makes
 * the decoder allocate a raster for nothing; it is refused before decoding.
 */
final class PngData {
    private PngData() {}

    /** Refuses {@code b} (a PNG whose signature is checked) if its IDAT data cannot hold {@code w x h} pixels. */
    static void checkCompressedSize(Path file, byte[] b, int w, int h, long maxRatio) {
        int bitsPerPixel = -1;
        long idat = 0;
        int at = 8;
        while (at + 8 <= b.length) {
            long length = Integer.toUnsignedLong(readInt(b, at));
            String type = new String(b, at + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (length > b.length - at - 12L)
                throw new DataFormatException(file, "byte " + at, "PNG chunk '" + type + "' declares " + length
                        + " data bytes, more than the " + Math.max(0, b.length - at - 12) + " left in the file");
            if (type.equals("IHDR") && length >= 10) bitsPerPixel = bitsPerPixel(file, at, b[at + 16] & 0xFF, b[at + 17] & 0xFF);
            if (type.equals("IDAT")) idat += length;
            if (type.equals("IEND")) break;
            at += (int) length + 12;
        }
        if (bitsPerPixel < 0) return; // no usable IHDR: the decoder reports it
        // the pixels alone (no filter bytes, which interlacing would add to) are a lower bound on the inflated size
        long needed = ((long) w * h * bitsPerPixel + 7) / 8;
        if (needed > maxRatio * idat + maxRatio)
            throw new DataFormatException(file, "PNG IDAT data", "the header declares " + w + " x " + h + " pixels of " + bitsPerPixel
                    + " bits (" + needed + " bytes), but its " + idat + " bytes of compressed data inflate to at most "
                    + maxRatio * (idat + 1) + "; the file is cut or forged");
    }

    private static int bitsPerPixel(Path file, int chunk, int depth, int colourType) {
        int samples = switch (colourType) {
            case 0, 3 -> 1;  // grey, palette
            case 2 -> 3;     // RGB
            case 4 -> 2;     // grey + alpha
            case 6 -> 4;     // RGBA
            default -> throw new DataFormatException(file, "byte " + (chunk + 17), "expected a PNG colour type 0, 2, 3, 4 or 6, found " + colourType);
        };
        if (depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16)
            throw new DataFormatException(file, "byte " + (chunk + 16), "expected a PNG bit depth of 1, 2, 4, 8 or 16, found " + depth);
        return samples * depth;
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }
}
