/**
 * The GPU backend shared by every GPU runtime: {@link dev.ember.backend.gpu.GpuBackend} implements each
 * primitive once over a small {@link dev.ember.backend.gpu.GpuRuntime} (memory, copies, compile, launch),
 * with kernels rendered from the op table for a {@link dev.ember.backend.gpu.Dialect}. ember-cuda and
 * ember-opencl supply the runtimes; docs/adding-a-backend.md says how to write another.
 */
module dev.ember.gpu {
    requires transitive dev.ember.core;

    exports dev.ember.backend.gpu;
}
