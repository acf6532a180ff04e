package dev.ember.backend;

/**
 * Optional capability ({@link Backend#capability}): raw device addresses, for native libraries that work on a
 * device's memory themselves and must order their work with the backend's (NCCL collectives on CUDA tensors).
 * Ops never need it.
 */
public interface NativeInterop {

    /** The device address of {@code s}'s first element; the device is made current on the calling thread. */
    long address(Strided s);

    /** The native queue all of this device's work is ordered on (a CUDA stream, an OpenCL command queue). */
    long queue();

    /** Whether all queued work has finished, without blocking (so a caller can wait with a timeout); throws if the queue failed. */
    boolean idle();
}
