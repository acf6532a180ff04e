/**
 * Data-parallel training over the tools clusters already run: {@code ProcessGroup}s over MPI (Open MPI or
 * MPICH through FFM) and NCCL for CUDA tensors, {@code DistributedDataParallel}, {@code DistributedSampler}.
 */
module dev.ember.distributed {
    requires transitive dev.ember.nn;
    requires transitive dev.ember.data;

    exports dev.ember.distributed;
}
