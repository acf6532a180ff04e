/**
 * Ember's core: {@code Tensor} and its ops, autograd, the backend SPI that device modules implement, the
 * CPU backend (the reference and the fallback) and safetensors files. Backends of other devices are found
 * with {@link java.util.ServiceLoader} ({@code BackendProvider}); the CPU backend's package stays internal.
 * The Vector API is optional at run time: without {@code jdk.incubator.vector} the CPU runs scalar kernels.
 */
module dev.ember.core {
    requires static jdk.incubator.vector;
    requires com.google.gson;
    requires java.management; // the compiler directive for the CPU kernels (KernelCompilation)

    exports dev.ember;
    exports dev.ember.autograd;
    exports dev.ember.backend;
    exports dev.ember.io;

    uses dev.ember.backend.BackendProvider;
}
