package dev.ember.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.Properties;

/**
 * The fallback where NVRTC is absent: PTX that a build on a machine with {@code nvcc} rendered from the same
 * generated sources and packaged ({@code native/build-ptx.sh}, Maven profile {@code nvcc}), under
 * {@code dev/ember/kernels/cuda/<program>.<arch>.ptx}, with {@code manifest.properties} recording the SHA-256
 * of the source each was compiled from. A packaged PTX is used only for the very source the backend
 * renders now; nothing is committed, so a jar built without {@code nvcc} has none and needs NVRTC.
 */
final class PtxResources {
    private PtxResources() {}

    static final String DIR = "/dev/ember/kernels/cuda/";

    /** The PTX targets built: the oldest supported architecture (Turing) and Hopper. */
    static final String[] ARCHES = {"compute_75", "compute_90"};

    private static volatile Properties manifest;

    /**
     * The packaged architecture a device of compute capability {@code major.minor} loads: {@code compute_90} on
     * sm_90 and newer, {@code compute_75} on sm_75 to sm_89; null for older devices, which Ember does not support.
     */
    static String archFor(int major, int minor) {
        if (major >= 9) return "compute_90";
        if (major > 7 || (major == 7 && minor >= 5)) return "compute_75";
        return null;
    }

    /** True when this jar carries packaged PTX. */
    static boolean available() { return !manifest().isEmpty(); }

    /**
     * The packaged PTX of {@code program} for {@code arch}, NUL-terminated as {@code cuModuleLoadData} wants, if it
     * was compiled from a source whose SHA-256 is {@code sourceSha256}.
     */
    static Optional<byte[]> load(String program, String arch, String sourceSha256) {
        String key = program + "." + arch;
        if (!sourceSha256.equals(manifest().getProperty(key))) return Optional.empty();
        try (InputStream in = PtxResources.class.getResourceAsStream(DIR + key + ".ptx")) {
            if (in == null) return Optional.empty();
            byte[] text = in.readAllBytes();
            return Optional.of(Arrays.copyOf(text, text.length + 1));
        } catch (IOException e) {
            throw new UncheckedIOException("cuda: cannot read packaged PTX " + key, e);
        }
    }

    private static Properties manifest() {
        Properties m = manifest;
        if (m != null) return m;
        m = new Properties();
        try (InputStream in = PtxResources.class.getResourceAsStream(DIR + "manifest.properties")) {
            if (in != null) m.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cuda: cannot read the packaged PTX manifest", e);
        }
        manifest = m;
        return m;
    }
}
