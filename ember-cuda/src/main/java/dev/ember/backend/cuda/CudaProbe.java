package dev.ember.backend.cuda;

import java.util.Locale;

/**
 * Turns whatever went wrong while starting CUDA into the one-line reason that
 * {@code ./ember devices} shows. Pure, so it is tested without a GPU.
 */
public final class CudaProbe {
    private CudaProbe() {}

    /** One line explaining why the CUDA backend could not start, from the failure {@code t}. */
    public static String explain(Throwable t) {
        String msg = t.getMessage() == null ? "" : t.getMessage();
        String lower = msg.toLowerCase(Locale.ROOT);
        if (t instanceof UnsatisfiedLinkError) {
            if (lower.contains("libcuda.so")) return "no NVIDIA driver (libcuda.so.1 not found)";
            return "CUDA native library failed to load: " + firstLine(msg);
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

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
