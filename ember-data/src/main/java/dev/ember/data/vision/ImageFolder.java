package dev.ember.data.vision;

import dev.ember.Tensor;
import dev.ember.data.Dataset;
import dev.ember.data.Example;
import dev.ember.data.io.DataFormatException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Images in one folder per class ({@code root/cat/001.png}, {@code root/dog/a.jpg}), as
 * torchvision's {@code ImageFolder}: classes are the sub-folder names in sorted order, label =
 * class index. PNG and JPEG files are decoded with {@code javax.imageio} when read, giving
 * float32 {@code [channels, H, W]} in {@code [0, 1]} and an int64 label.
 *
 * <p>Each file's signature and end marker are checked before decoding, so a non-image or a
 * truncated file throws a {@link DataFormatException} naming the file, the byte position and
 * the expected bytes. Images larger than {@link #maxPixels()} are refused from their header,
 * before any pixel is decoded (see {@link #read}).
 */
public final class ImageFolder implements Dataset<Example> {
    /** The system property that sets {@link #maxPixels()}. */
    public static final String MAX_PIXELS_PROPERTY = "ember.image.maxPixels";
    /** The default pixel limit: Pillow's {@code MAX_IMAGE_PIXELS}, {@code 1024 * 1024 * 1024 / 4 / 3}. */
    public static final long DEFAULT_MAX_PIXELS = 1024L * 1024 * 1024 / 4 / 3;
    private static volatile long maxPixelsOverride;

    private final Path root;
    private final int channels;
    private final List<String> classes = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();

    /** Reads the folder layout under {@code root}; images load as RGB (3 channels). */
    public ImageFolder(Path root) { this(root, 3); }

    /** Reads the folder layout under {@code root}; images load with 1 (grey) or 3 (RGB) channels. */
    public ImageFolder(Path root, int channels) {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("ImageFolder: channels must be 1 or 3, got " + channels);
        this.root = root;
        this.channels = channels;
        if (!Files.isDirectory(root)) throw new IllegalArgumentException("ImageFolder: " + root + " is not a directory");
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().forEach(classes::add);
            for (int c = 0; c < classes.size(); c++) {
                try (Stream<Path> images = Files.list(root.resolve(classes.get(c)))) {
                    List<Path> found = images.filter(p -> Files.isRegularFile(p) && isImageName(p)).sorted().toList();
                    for (Path f : found) { files.add(f); labels.add(c); }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("ImageFolder: cannot list " + root + ": " + e, e);
        }
        if (files.isEmpty()) throw new IllegalArgumentException("ImageFolder: no .png, .jpg or .jpeg files in class folders under " + root);
    }

    private static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    /** Class names, index = label. */
    public List<String> classes() { return List.copyOf(classes); }

    /** The image files, in dataset order. */
    public List<Path> files() { return List.copyOf(files); }

    /** Label of example {@code index}, without reading the image. */
    public int label(int index) { return labels.get(index); }

    @Override
    public int size() { return files.size(); }

    @Override
    public Example get(int index) {
        if (index < 0 || index >= files.size()) throw new IndexOutOfBoundsException("ImageFolder: index " + index + " out of range for size " + files.size());
        return new Example(Images.toTensor(read(files.get(index)), channels), Tensor.scalar(labels.get(index), dev.ember.DType.INT64));
    }

    /**
     * Reads every image now into one in-memory dataset: inputs {@code [n, channels, H, W]}, labels
     * {@code [n]}. {@code transform} (may be {@code null}) runs on each image first, e.g. a
     * {@link Resize} when sizes differ. Nothing is returned unless every file reads and all
     * images end up the same shape; the error names the first file that fails.
     */
    public dev.ember.data.TensorDataset loadAll(Transform transform) {
        java.util.List<Tensor> inputs = new ArrayList<>(files.size());
        long[] labelArray = new long[files.size()];
        long[] shape = null;
        for (int i = 0; i < files.size(); i++) {
            Tensor x = Images.toTensor(read(files.get(i)), channels);
            if (transform != null) x = transform.apply(x, new dev.ember.Generator(i));
            if (shape == null) shape = x.shape();
            else if (!java.util.Arrays.equals(shape, x.shape()))
                throw new DataFormatException(files.get(i), "image size", "expected an image of shape " + java.util.Arrays.toString(shape)
                        + " like " + files.get(0).getFileName() + ", found " + java.util.Arrays.toString(x.shape()) + "; pass a Resize transform");
            inputs.add(x);
            labelArray[i] = labels.get(i);
        }
        return new dev.ember.data.TensorDataset(Tensor.stack(inputs, 0), Tensor.of(labelArray, labelArray.length));
    }

    /**
     * Reads and decodes one PNG or JPEG file. Before decoding, it checks the signature and end
     * marker, reads the width and height from the header alone and refuses an image of more than
     * {@link #maxPixels()} pixels, or a PNG whose compressed data is too small for its declared
     * size; so a small file cannot make the decoder allocate gigabytes.
     *
     * @throws DataFormatException naming the file and position, for a file that cannot be read, is
     *     not a PNG or JPEG, is truncated, exceeds the limits or fails to decode
     */
    public static BufferedImage read(Path file) { return ImageDecoder.read(file, maxPixels()); }

    /**
     * The most pixels (width x height) an image may declare: {@link #setMaxPixels} if called,
     * else the system property {@value #MAX_PIXELS_PROPERTY}, else {@value #DEFAULT_MAX_PIXELS}
     * (Pillow's {@code Image.MAX_IMAGE_PIXELS}, about 89.5 Mpx: a 9,459 x 9,459 image; decoded to
     * RGB floats it takes 1 GiB).
     */
    public static long maxPixels() {
        long set = maxPixelsOverride;
        if (set > 0) return set;
        String property = System.getProperty(MAX_PIXELS_PROPERTY);
        if (property == null) return DEFAULT_MAX_PIXELS;
        try {
            long v = Long.parseLong(property.strip());
            if (v > 0) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("ImageFolder: -D" + MAX_PIXELS_PROPERTY + "=" + property + " is not a positive number of pixels");
    }

    /** Sets the pixel limit of {@link #read} for the whole JVM; {@code pixels <= 0} restores the default (property or built-in). */
    public static void setMaxPixels(long pixels) { maxPixelsOverride = Math.max(0, pixels); }

    @Override
    public String toString() { return "ImageFolder(" + root + ", " + files.size() + " images, classes " + classes + ")"; }
}
