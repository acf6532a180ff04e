package dev.ember.backend.cuda;

import java.util.Locale;

/**
 * Picks the GEMM path from what loaded, with the reason logged at start. Kept free of CUDA calls
 * so the decision is unit-tested on machines without a GPU.
 *
 * @param path   the chosen path
 * @param reason one line saying why (what was tried and failed)
 */
public record GemmPathChoice(GemmPath path, String reason) {

    /**
     * What the GEMM probes found.
     *
     * @param forced        {@code EMBER_CUDA_GEMM} ({@code jcublas}, {@code ffm}, {@code kernel}) or null/blank
     * @param jcublasError  why JCublas2 failed to start, or null when it works
     * @param ffmLibrary    the cuBLAS library bound through FFM (e.g. {@code libcublas.so.13}), or null
     * @param ffmError      why no cuBLAS could be bound through FFM, or null
     */
    public record Probes(String forced, String jcublasError, String ffmLibrary, String ffmError) {}

    /** The path for these probe results. */
    public static GemmPathChoice choose(Probes p) {
        String forced = p.forced() == null ? "" : p.forced().trim().toLowerCase(Locale.ROOT);
        switch (forced) {
            case "" -> { }
            case "kernel" -> { return new GemmPathChoice(GemmPath.KERNEL, "forced by EMBER_CUDA_GEMM=kernel"); }
            case "jcublas" -> {
                if (p.jcublasError() == null) return new GemmPathChoice(GemmPath.JCUBLAS, "forced by EMBER_CUDA_GEMM=jcublas");
                return new GemmPathChoice(GemmPath.KERNEL, "EMBER_CUDA_GEMM=jcublas but JCublas2 failed (" + p.jcublasError() + ")");
            }
            case "ffm" -> {
                if (p.ffmLibrary() != null)
                    return new GemmPathChoice(GemmPath.CUBLAS_FFM, "forced by EMBER_CUDA_GEMM=ffm (" + p.ffmLibrary() + ")");
                return new GemmPathChoice(GemmPath.KERNEL, "EMBER_CUDA_GEMM=ffm but no cuBLAS could be bound (" + p.ffmError() + ")");
            }
            default -> throw new IllegalArgumentException("EMBER_CUDA_GEMM must be jcublas, ffm or kernel, got '" + p.forced() + "'");
        }
        if (p.jcublasError() == null) return new GemmPathChoice(GemmPath.JCUBLAS, "libcublas.so.12 loaded");
        if (p.ffmLibrary() != null)
            return new GemmPathChoice(GemmPath.CUBLAS_FFM, "JCublas2 unavailable (" + p.jcublasError() + "); bound " + p.ffmLibrary());
        return new GemmPathChoice(GemmPath.KERNEL, "JCublas2 unavailable (" + p.jcublasError() + "); no cuBLAS for java.lang.foreign ("
                + p.ffmError() + ")");
    }

    /** The start-up log line. */
    public String logLine() { return "GEMM: " + path.label() + " (" + reason + ")"; }
}
