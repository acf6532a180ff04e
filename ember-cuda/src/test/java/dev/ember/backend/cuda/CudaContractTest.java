package dev.ember.backend.cuda;

import dev.ember.testing.BackendContractSuite;

/** The backend contract on the first CUDA device (a GPU in ci/gpu.sh, the emulated device in EmulatedCudaTest). */
class CudaContractTest extends BackendContractSuite { CudaContractTest() { super("cuda"); } }
