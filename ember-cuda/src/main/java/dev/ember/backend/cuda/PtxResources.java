package dev.ember.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The PTX modules shipped in the jar ({@code dev/ember/kernels/cuda/<module>.<arch>.ptx}, generated
 * from {@code kernels/cuda/<module>.cu} by {@code native/build-ptx.sh}) and which architecture's
 * PTX a device loads.
 */
public final class PtxResources {
    private PtxResources() {}

    /** One module per {@code .cu} file in {@code kernels/cuda}. */
    public static final List<String> MODULES = List.of("elementwise", "reduce", "indexing", "conv", "random", "optim", "gemm");

    /** The PTX targets built: the oldest supported (Turing) and Hopper. */
    public static final List<String> ARCHES = List.of("compute_75", "compute_90");

    /**
     * The PTX a device of compute capability {@code major.minor} loads: {@code compute_90} on sm_90 and
     * newer, {@code compute_75} on sm_75 to sm_89; {@code null} for older devices, which Ember does not support.
     */
    public static String archFor(int major, int minor) {
        if (major >= 9) return "compute_90";
        if (major > 7 || (major == 7 && minor >= 5)) return "compute_75";
        return null;
    }

    /** Class-path location of one module's PTX. */
    public static String resource(String module, String arch) {
        return "/dev/ember/kernels/cuda/" + module + "." + arch + ".ptx";
    }

    /** The module's PTX text, NUL-terminated as {@code cuModuleLoadData} expects. */
    public static byte[] load(String module, String arch) {
        String path = resource(module, arch);
        try (InputStream in = PtxResources.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("cuda: PTX resource " + path + " is missing from the jar");
            byte[] text = in.readAllBytes();
            byte[] z = java.util.Arrays.copyOf(text, text.length + 1);
            return z;
        } catch (IOException e) {
            throw new IllegalStateException("cuda: cannot read PTX resource " + path + ": " + e.getMessage(), e);
        }
    }
}
