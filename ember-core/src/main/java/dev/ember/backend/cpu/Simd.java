package dev.ember.backend.cpu;

/**
 * Whether the Vector API ({@code jdk.incubator.vector}) is in this JVM. Only when it is
 * are the classes that use it ({@link SimdKernels}, {@link SimdGemm}) loaded; without it
 * the scalar kernels run and one warning says how to enable SIMD.
 */
final class Simd {
    private Simd() {}

    static final boolean AVAILABLE = detect();

    /** Float lanes per vector, or 1 without the Vector API. */
    static final int FLOAT_LANES = AVAILABLE ? SimdKernels.lanes() : 1;

    private static boolean detect() {
        if (Boolean.getBoolean("ember.noSimd")) return false;
        boolean present = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        if (!present) {
            System.getLogger("dev.ember").log(System.Logger.Level.WARNING,
                    "ember: jdk.incubator.vector is not enabled, so CPU kernels run without SIMD (several times slower). "
                            + "Start java with --add-modules jdk.incubator.vector (./ember does this for you).");
        }
        if (present) KernelCompilation.requestForeground(); // vector code must not linger in C1: see there
        return present;
    }
}
