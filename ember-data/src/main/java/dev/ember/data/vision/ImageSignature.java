package dev.ember.data.vision;

import dev.ember.data.io.DataFormatException;
import java.nio.file.Path;

/** Checks the start and end markers of PNG and JPEG files, to report truncation precisely. */
final class ImageSignature {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final byte[] PNG_IEND = {'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82};

    private ImageSignature() {}

    /** Checks the markers and returns the format's {@code javax.imageio} name, "png" or "jpeg". */
    static String check(Path file, byte[] b) {
        if (startsWith(b, PNG)) {
            if (!endsWith(b, PNG_IEND))
                throw new DataFormatException(file, "byte " + b.length + " (end of file)",
                        "expected a PNG IEND chunk at the end, the file is truncated or has trailing data");
            return "png";
        }
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            if (!(b.length >= 4 && (b[b.length - 2] & 0xFF) == 0xFF && (b[b.length - 1] & 0xFF) == 0xD9))
                throw new DataFormatException(file, "byte " + b.length + " (end of file)", "expected the JPEG end marker FF D9, the file is truncated");
            return "jpeg";
        }
        StringBuilder found = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) found.append(String.format("%02X ", b[i] & 0xFF));
        throw new DataFormatException(file, "byte 0", "expected a PNG signature (89 50 4E 47 0D 0A 1A 0A) or a JPEG one (FF D8 FF), found "
                + (b.length == 0 ? "an empty file" : found.toString().strip()));
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (b[i] != prefix[i]) return false;
        return true;
    }

    private static boolean endsWith(byte[] b, byte[] suffix) {
        if (b.length < suffix.length) return false;
        for (int i = 0; i < suffix.length; i++) if (b[b.length - suffix.length + i] != suffix[i]) return false;
        return true;
    }
}
