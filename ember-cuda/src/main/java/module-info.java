/**
 * The CUDA runtime of the shared GPU backend: JCuda's driver API, NVRTC and cuBLAS through java.lang.foreign
 * (or cuBLAS 12 through JCublas2); it exports nothing and is found by {@code ServiceLoader}.
 */
module dev.ember.cuda {
    requires dev.ember.gpu;
    requires jcuda;
    requires jcublas;

    provides dev.ember.backend.BackendProvider with dev.ember.backend.cuda.CudaProvider;
}
