package dev.ember.data;

import dev.ember.Tensor;
import dev.ember.data.vision.BatchTransforms;
import dev.ember.data.vision.Compose;
import dev.ember.data.vision.Flip;
import dev.ember.data.vision.Normalize;
import dev.ember.data.vision.RandomCrop;
import dev.ember.data.vision.TransformedDataset;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Measures samples/s of loading + augmenting (random crop with padding 4, horizontal flip,
 * normalize) 28x28 Fashion-MNIST images from an in-memory dataset with 0, 1 and 2 workers.
 * Not a test (no time assertions): run it by hand, e.g.
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes:<gson.jar> dev.ember.data.LoaderThroughput [count] [reverse]}.
 * Uses /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist) when present, else random images.
 */
public final class LoaderThroughput {
    private LoaderThroughput() {}

    /** Runs the measurement; the optional argument is the number of images (default 10000). */
    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10000;
        Path idx = Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
        Tensor images;
        String source;
        if (Files.exists(idx)) {
            images = readImages(idx, n);
            source = "Fashion-MNIST " + idx;
        } else {
            images = Tensor.rand(n, 1, 28, 28);
            source = "random images (Fashion-MNIST not installed)";
        }
        TensorDataset base = new TensorDataset(images, Tensor.zeros(dev.ember.DType.INT64, n));
        var augment = new Compose(new RandomCrop(28, 4), Flip.horizontal(0.5), new Normalize(new double[]{0.2860}, new double[]{0.3530}));
        System.out.printf("data: %s, %d images, batch 64, random crop (pad 4) + h-flip + normalize, %d cores%n",
                source, n, Runtime.getRuntime().availableProcessors());
        int[] order = args.length > 1 && args[1].equals("reverse") ? new int[]{2, 1, 0} : new int[]{0, 1, 2};
        for (int round = 0; round < 3; round++) {
            for (int workers : order) {
                DataLoader loader = DataLoader.builder(new TransformedDataset(base, augment, 1))
                        .batchSize(64).shuffle(true).seed(round).numWorkers(workers).build();
                long start = System.nanoTime();
                long samples = 0;
                for (Batch b : loader) samples += b.size();
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("round %d, workers %d: %8.0f samples/s%n", round, workers, samples / seconds);
            }
            // the same augmentation on whole batches with tensor ops (BatchTransforms), on the consuming thread
            Normalize normalize = new Normalize(new double[]{0.2860}, new double[]{0.3530});
            dev.ember.Generator random = new dev.ember.Generator(round);
            long start = System.nanoTime();
            long samples = 0;
            for (Batch b : DataLoader.builder(base).batchSize(64).shuffle(true).seed(round).build()) {
                Tensor x = BatchTransforms.randomHorizontalFlip(BatchTransforms.randomCrop(b.inputs(), 28, 4, random), 0.5, random);
                samples += normalize.apply(x, random).size(0);
            }
            System.out.printf("round %d, batched:   %8.0f samples/s%n", round, samples / ((System.nanoTime() - start) / 1e9));
        }
    }

    private static Tensor readImages(Path file, int limit) throws IOException {
        try (var in = new DataInputStream(new GZIPInputStream(Files.newInputStream(file)))) {
            int magic = in.readInt();
            if (magic != 0x803) throw new IOException(file + ": byte 0: expected IDX magic 0x00000803, found 0x" + Integer.toHexString(magic));
            int count = Math.min(limit, in.readInt()), rows = in.readInt(), cols = in.readInt();
            byte[] raw = new byte[count * rows * cols];
            in.readFully(raw);
            float[] pixels = new float[raw.length];
            for (int i = 0; i < raw.length; i++) pixels[i] = (raw[i] & 0xFF) / 255f;
            return Tensor.of(pixels, count, 1, rows, cols);
        }
    }
}
