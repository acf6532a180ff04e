package dev.ember.data.datasets;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.data.TensorDataset;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST (Zalando; 60,000 training and 10,000 test 28x28 grey images of 10 kinds of
 * clothing). {@link #load} looks, in order, at an explicit directory, {@code ~/.ember/datasets/fashion-mnist},
 * Debian's {@code dataset-fashion-mnist} package ({@code /usr/share/datasets/fashion-mnist}),
 * then, when allowed, downloads from the official source checking MD5 sums; failing all that it
 * falls back to a committed subset of 2,000 training and 500 test images, and says so.
 * Images come as FLOAT32 {@code [n, 1, 28, 28]} in [0, 1], labels as INT64 {@code [n]}.
 *
 * <p>A malformed file (not IDX, cut short, corrupt gzip) throws {@link dev.ember.data.io.DataFormatException}
 * naming it and the byte offset (see {@link IdxReader}); images and labels that do not match, or
 * a label outside 0..9, throw {@link IllegalArgumentException}.
 */
public final class FashionMnist {
    private FashionMnist() {}

    /** The class names, by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot");

    /** Mean and standard deviation of the training pixels in [0, 1], for normalisation. */
    public static final double MEAN = 0.2860, STD = 0.3530;

    static final String[] FILES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    /** MD5 of the official gzip files (as published by Zalando and used by torchvision). */
    static final String[] MD5 = {"8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
            "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310"};
    static final String OFFICIAL_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
    static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final String RESOURCE_DIR = "/dev/ember/data/fashion-mnist/";

    /** How to get the full data set, for messages. */
    public static final String HOW_TO_GET = "install Debian's package (apt-get install dataset-fashion-mnist), put the four "
            + "*-ubyte(.gz) files in ~/.ember/datasets/fashion-mnist, or pass --data DIR";

    /** The splits and where they came from. */
    public record Splits(TensorDataset train, TensorDataset test, String source, boolean isEmbeddedSubset) {}

    /** The user's cache directory, {@code ~/.ember/datasets/fashion-mnist}. */
    public static Path userDirectory() { return Path.of(System.getProperty("user.home"), ".ember", "datasets", "fashion-mnist"); }

    /**
     * Finds and loads the full set, or the embedded subset when it is nowhere to be found.
     * {@code explicitDir} (may be null) must hold the files if given; {@code download} allows
     * fetching into {@link #userDirectory()}.
     */
    public static Splits load(Path explicitDir, boolean download) { return loadRaw(explicitDir, download).splits(); }

    /**
     * The four files as read (unsigned bytes), found as {@link #load} finds them: for a caller that converts only the
     * images it keeps ({@link Raw#train(int[])}), so that a subset never costs a float copy of the whole set.
     */
    public static Raw loadRaw(Path explicitDir, boolean download) {
        if (explicitDir != null) {
            if (!hasAll(explicitDir))
                throw new IllegalArgumentException("FashionMnist: " + explicitDir + " does not hold " + String.join(", ", FILES)
                        + " (plain or .gz)");
            return rawDirectory(explicitDir);
        }
        for (Path dir : List.of(userDirectory(), DEBIAN_DIR)) if (hasAll(dir)) return rawDirectory(dir);
        if (download) {
            try {
                download(userDirectory());
                return rawDirectory(userDirectory());
            } catch (RuntimeException ex) {
                System.err.println("FashionMnist: download failed (" + ex.getMessage() + "); using the embedded subset");
            }
        }
        return rawEmbedded();
    }

    /** Loads the four files from {@code dir}. */
    public static Splits loadDirectory(Path dir) { return rawDirectory(dir).splits(); }

    /** The committed subset (2,000 training, 500 test images; the first of each official split). */
    public static Splits loadEmbedded() { return rawEmbedded().splits(); }

    /**
     * The four IDX arrays of a load and where they came from; {@link #train(int[])} and {@link #test(int[])} convert
     * the rows asked for (images to FLOAT32 {@code [n, 1, 28, 28]} in [0, 1], labels to INT64), checking them as
     * {@link #load} does.
     */
    public record Raw(IdxReader.IdxArray trainImages, IdxReader.IdxArray trainLabels, IdxReader.IdxArray testImages,
                      IdxReader.IdxArray testLabels, String source, boolean isEmbeddedSubset) {
        /** The training images {@code rows} (indices into the official training split, in that order; null: all). */
        public TensorDataset train(int[] rows) { return train(rows, false); }

        /** The test images {@code rows} (null: all). */
        public TensorDataset test(int[] rows) { return test(rows, false); }

        /**
         * As {@link #train(int[])}; {@code normalized} gives {@code (x - MEAN) / STD} instead of {@code x}, the same
         * float32 values as {@link FashionMnist#normalize} of the unnormalised images, computed per byte value while
         * converting: no pass over the tensor, whose Vector API kernels would still be running in the interpreter
         * during a load, allocating a vector object for every 16 pixels.
         */
        public TensorDataset train(int[] rows, boolean normalized) {
            return dataset(trainImages, trainLabels, rows, isEmbeddedSubset ? "embedded train" : "files", normalized ? NORMALIZED : UNIT);
        }

        /** As {@link #test(int[])}, normalised as {@link #train(int[], boolean)} says. */
        public TensorDataset test(int[] rows, boolean normalized) {
            return dataset(testImages, testLabels, rows, isEmbeddedSubset ? "embedded test" : "files", normalized ? NORMALIZED : UNIT);
        }

        /** Both splits, whole. */
        public Splits splits() { return new Splits(train(null), test(null), source, isEmbeddedSubset); }
    }

    private static Raw rawDirectory(Path dir) {
        return new Raw(file(dir, FILES[0]), file(dir, FILES[1]), file(dir, FILES[2]), file(dir, FILES[3]), dir.toString(), false);
    }

    private static Raw rawEmbedded() {
        try {
            IdxReader.IdxArray[] parts = new IdxReader.IdxArray[4];
            for (int i = 0; i < 4; i++) {
                String name = RESOURCE_DIR + FILES[i] + ".gz";
                try (InputStream in = FashionMnist.class.getResourceAsStream(name)) {
                    if (in == null) throw new IllegalStateException("FashionMnist: the embedded resource " + name + " is missing from the build");
                    parts[i] = IdxReader.read(new GZIPInputStream(in), "resource " + name);
                }
            }
            return new Raw(parts[0], parts[1], parts[2], parts[3], "embedded subset (2,000 train / 500 test)", true);
        } catch (IOException ex) {
            throw new UncheckedIOException("FashionMnist: cannot read the embedded subset: " + ex.getMessage(), ex);
        }
    }

    /** Downloads the four official files into {@code dir}, checking each one's MD5; fails with a clear message offline. */
    public static void download(Path dir) { download(dir, OFFICIAL_URL); }

    /** Downloads from {@code baseUrl} (a mirror of the official files) into {@code dir}, checking MD5 sums. */
    public static void download(Path dir, String baseUrl) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < 4; i++) {
                Path target = dir.resolve(FILES[i] + ".gz");
                if (Files.exists(target) && md5(target).equals(MD5[i])) continue;
                String url = baseUrl + FILES[i] + ".gz";
                Path tmp = Files.createTempFile(dir, FILES[i], ".part");
                HttpResponse<Path> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).build(),
                        HttpResponse.BodyHandlers.ofFile(tmp));
                if (r.statusCode() != 200) {
                    Files.deleteIfExists(tmp);
                    throw new IllegalStateException("FashionMnist: GET " + url + " returned HTTP " + r.statusCode() + "; " + HOW_TO_GET);
                }
                String sum = md5(tmp);
                if (!sum.equals(MD5[i])) {
                    Files.deleteIfExists(tmp);
                    throw new IllegalStateException("FashionMnist: " + url + " has MD5 " + sum + ", expected " + MD5[i]);
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("FashionMnist: cannot download from " + baseUrl + " (" + ex + "); " + HOW_TO_GET, ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("FashionMnist: download interrupted", ex);
        }
    }

    static String md5(Path p) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            try (InputStream in = Files.newInputStream(p)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    static boolean hasAll(Path dir) {
        for (String f : FILES) if (findFile(dir, f) == null) return false;
        return true;
    }

    private static Path findFile(Path dir, String base) {
        for (String name : List.of(base + ".gz", base, base.replace("-idx", ".idx"))) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    private static IdxReader.IdxArray file(Path dir, String base) {
        Path p = findFile(dir, base);
        if (p == null) throw new IllegalArgumentException("FashionMnist: " + dir + " has no " + base + "(.gz)");
        return IdxReader.read(p);
    }

    /** Pixels converted per chunk: the load's peak is the result plus one chunk, not the result twice. */
    private static final int CHUNK_PIXELS = 1 << 18;
    /** A pixel's value for each byte: {@code b / 255}, and that normalised as {@link #normalize} does it in float32. */
    private static final float[] UNIT = new float[256], NORMALIZED = new float[256];
    static {
        for (int b = 0; b < 256; b++) {
            UNIT[b] = b / 255f;
            NORMALIZED[b] = (UNIT[b] - (float) MEAN) / (float) STD;
        }
    }

    /**
     * Images {@code [n, 28, 28]} bytes -> FLOAT32 {@code [rows, 1, 28, 28]}, pixel byte {@code b} becoming {@code value[b]}
     * ({@link #UNIT} or {@link #NORMALIZED}); labels bytes -> INT64 {@code [rows]}. {@code rows} (null: all) picks and
     * orders the items.
     */
    private static TensorDataset dataset(IdxReader.IdxArray images, IdxReader.IdxArray labels, int[] rows, String what, float[] value) {
        int[] s = images.shape();
        if (s.length != 3 || labels.shape().length != 1 || s[0] != labels.count())
            throw new IllegalArgumentException("FashionMnist: " + what + ": images " + java.util.Arrays.toString(s) + " and labels "
                    + java.util.Arrays.toString(labels.shape()) + " do not match ([n, 28, 28] and [n])");
        int n = rows == null ? s[0] : rows.length, pixels = s[1] * s[2];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int item = item(rows, i, s[0], what);
            y[i] = labels.data()[item] & 0xff;
            if (y[i] > 9) throw new IllegalArgumentException("FashionMnist: " + what + ": label " + y[i] + " at item " + item + " is not in 0..9");
        }
        Tensor x = Tensor.zeros(DType.FLOAT32, n, 1, s[1], s[2]); // FLOAT32 whatever the default dtype, as documented
        int chunk = Math.max(1, CHUNK_PIXELS / Math.max(1, pixels));
        float[] buf = new float[Math.min(n, chunk) * pixels];
        byte[] px = images.data();
        for (int r0 = 0; r0 < n; r0 += chunk) {
            int k = Math.min(chunk, n - r0);
            for (int i = 0; i < k; i++) {
                int from = item(rows, r0 + i, s[0], what) * pixels;
                for (int p = 0; p < pixels; p++) buf[i * pixels + p] = value[px[from + p] & 0xff];
            }
            float[] part = k * pixels == buf.length ? buf : java.util.Arrays.copyOf(buf, k * pixels);
            try (Tensor t = Tensor.of(part, k, 1, s[1], s[2])) {
                x.narrow(0, r0, k).copyFrom(t);
            }
        }
        return new TensorDataset(x, Tensor.of(y));
    }

    private static int item(int[] rows, int i, int count, String what) {
        if (rows == null) return i;
        int item = rows[i];
        if (item < 0 || item >= count)
            throw new IndexOutOfBoundsException("FashionMnist: " + what + ": row " + item + " is outside 0.." + (count - 1));
        return item;
    }

    /** {@code (x - MEAN) / STD}: the usual input normalisation. */
    public static Tensor normalize(Tensor images) { return images.sub(MEAN).div(STD); }

}
