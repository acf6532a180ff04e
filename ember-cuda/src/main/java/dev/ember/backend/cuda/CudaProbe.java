package dev.ember.backend.cuda;

/**
 * Turns whatever went wrong while starting CUDA into the one-line reason that
 * {@code ./ember devices} shows. Pure, so it is tested without a GPU.
 */
public final class CudaProbe {
    private CudaProbe() {}

    /** One line explaining why the CUDA backend could not start, from the failure {@code t}. */
    public static String explain(Throwable t) {
        String msg = t.getMessage() == null ? "" : t.getMessage();
        if (t instanceof CudaProvider.CudaUnavailableException) return msg; // already Ember's one-line reason
        if (t instanceof UnsatisfiedLinkError) {
            String driver = loaderSaid(msg, "libcuda.so");
            if (driver != null) {
                if (driver.contains("No such file or directory") || driver.endsWith("cannot open shared object file"))
                    return "no NVIDIA driver (libcuda.so.1 not found)";
                // present but unloadable (not an ELF file, wrong architecture, unreadable, missing symbols)
                return "the NVIDIA driver library could not be loaded: " + driver;
            }
            String resource = lineAfter(msg, "attempt to load the library as a resource:");
            return "CUDA native library failed to load: " + (resource != null ? strip(resource) : firstLine(msg));
        }
        if (t instanceof NoClassDefFoundError || t instanceof ExceptionInInitializerError)
            return "JCuda failed to initialise earlier in this process: " + firstLine(msg.isEmpty() ? t.toString() : msg);
        if (msg.contains("CUDA_ERROR_NO_DEVICE")) return "no CUDA device (the driver reports none)";
        if (msg.contains("CUDA_ERROR_INSUFFICIENT_DRIVER") || msg.contains("cudaErrorInsufficientDriver"))
            return "the NVIDIA driver is older than this CUDA version";
        if (msg.contains("CUDA_ERROR_UNSUPPORTED_PTX_VERSION"))
            return "the NVIDIA driver is too old for Ember's PTX (built by CUDA 13: needs driver 580 or newer)";
        if (msg.contains("CUDA_ERROR_INVALID_PTX") || msg.contains("CUDA_ERROR_NO_BINARY_FOR_GPU"))
            return "the driver cannot compile Ember's PTX for this GPU (" + firstLine(msg) + ")";
        if (msg.contains("CUDA_ERROR_NOT_INITIALIZED") || msg.contains("CUDA_ERROR_SYSTEM_DRIVER_MISMATCH")
                || msg.contains("CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE"))
            return "the CUDA driver could not initialise (" + firstLine(msg) + ")";
        return t.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + firstLine(msg));
    }

    /**
     * What the dynamic loader said about {@code library}: JCuda's error quotes dlerror(), as in
     * {@code .../libJCudaDriver-12.0.0-linux-x86_64.so: /opt/x/libcuda.so.1: file too short}; this returns
     * {@code /opt/x/libcuda.so.1: file too short}. Null when no line names the library.
     */
    static String loaderSaid(String msg, String library) {
        for (String line : msg.split("\n")) {
            int i = line.lastIndexOf(library);
            if (i < 0) continue;
            int start = line.lastIndexOf(' ', i) + 1; // the path or name of the library starts the loader's words
            return line.substring(start).trim();
        }
        return null;
    }

    private static String lineAfter(String msg, String marker) {
        String[] lines = msg.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) if (lines[i].contains(marker)) return lines[i + 1];
        return null;
    }

    private static String strip(String line) {
        String prefix = "java.lang.UnsatisfiedLinkError: ";
        return (line.startsWith(prefix) ? line.substring(prefix.length()) : line).trim();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
