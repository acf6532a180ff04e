/** The CUDA backend (JCuda, cuBLAS through JCublas2 or FFM); it exports nothing and is found by {@code ServiceLoader}. */
module dev.ember.cuda {
    requires dev.ember.core;
    requires jcuda;
    requires jcublas;

    // device addresses and the stream of CUDA tensors, for NCCL collectives
    exports dev.ember.backend.cuda to dev.ember.distributed;

    provides dev.ember.backend.BackendProvider with dev.ember.backend.cuda.CudaProvider;
}
