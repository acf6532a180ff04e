package dev.ember.backend.cuda;

/** The ways the CUDA backend multiplies matrices, in order of preference. */
public enum GemmPath {
    /** cuBLAS 12 through JCublas2 (needs {@code libcublas.so.12}). */
    JCUBLAS("cuBLAS 12 via JCublas2"),
    /** The installed cuBLAS (13 or newer) bound through {@code java.lang.foreign}. */
    CUBLAS_FFM("cuBLAS via java.lang.foreign"),
    /** Ember's own tiled GEMM kernel ({@code kernels/cuda/gemm.cu}). */
    KERNEL("Ember's tiled GEMM kernel");

    private final String label;

    GemmPath(String label) { this.label = label; }

    /** A short human-readable description. */
    public String label() { return label; }
}
