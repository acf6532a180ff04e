package dev.ember.backend.gpu;

import java.util.List;
import java.util.Optional;

/**
 * What a GPU API must provide for {@link GpuBackend} to implement every primitive on it: memory, copies,
 * a queue to wait for, a compiler and a launcher, and a few facts about the device. Everything else
 * (launch planning, kernels, argument encoding, the caching allocator, kernel errors) is shared. Calls
 * may come from any thread; work is queued in order (one stream or in-order queue per device).
 *
 * <p>{@code docs/adding-a-backend.md} walks through an implementation.
 *
 * @param <B> a device buffer handle
 * @param <K> a compiled kernel handle
 */
public interface GpuRuntime<B, K> {

    /** Facts about the device, fixed for the runtime's life. */
    DeviceInfo info();

    /** The kernel language {@link #compile} accepts. */
    Dialect dialect();

    /** A new buffer of {@code bytes} (its contents undefined); throws (anything) when the device is out of memory. */
    B malloc(long bytes) throws Exception;

    /** Frees a buffer from {@link #malloc}; queued work that uses it must still complete correctly. */
    void free(B buffer);

    /** Queues zeroing of {@code bytes} bytes from {@code offset} of {@code buffer}. */
    void zero(B buffer, long offset, long bytes);

    /**
     * Copies all of {@code hostArray} ({@code float[]}, {@code double[]}, {@code int[]}, {@code long[]},
     * {@code byte[]} or {@code short[]} for FLOAT16 and BFLOAT16) to the start of {@code dst}, ordered after queued work; the array may be reused on return.
     */
    void copyIn(Object hostArray, B dst);

    /** Waits for queued work, then copies {@code count} elements from byte {@code offset} of {@code src} into {@code hostArray}. */
    void copyOut(B src, long offset, Object hostArray, int count);

    /** Queues a copy of {@code bytes} bytes between device buffers. */
    void copy(B src, long srcOffset, B dst, long dstOffset, long bytes);

    /** Waits until all queued work has finished. */
    void synchronize();

    /**
     * Compiles {@code source} (in {@link #dialect()}) into a program; {@code name} is for messages and caches.
     * A compiler error throws an {@link IllegalStateException} carrying the compiler's log.
     */
    Program<K> compile(String name, String source);

    /**
     * Queues {@code kernel} on a grid of {@code grid[0] x grid[1] x grid[2]} blocks of {@code threads} threads.
     * {@code args} are {@code byte[]} values (native byte order, as the kernel's parameter types) and
     * {@code B} buffers.
     */
    void launch(K kernel, int[] grid, int threads, List<Object> args);

    /** A BLAS for float GEMM, where this device has one; Ember's own kernel serves otherwise. */
    default Optional<Blas<B>> blas() { return Optional.empty(); }

    /**
     * Raw device addresses of this runtime's buffers, its queue and whether the queue is idle, where the API has
     * them (CUDA); {@link GpuBackend} offers them as the {@link dev.ember.backend.NativeInterop} capability.
     */
    default Optional<Native<B>> nativeAccess() { return Optional.empty(); }

    /** See {@link #nativeAccess()}. */
    interface Native<B> {
        /** The device address of byte 0 of {@code buffer}, with the device current on the calling thread. */
        long address(B buffer);

        /** The native queue (stream) all work is ordered on. */
        long queue();

        /** Whether all queued work has finished, without blocking; throws if the queue failed. */
        boolean idle();
    }

    /** A compiled program's kernels by name. */
    @FunctionalInterface
    interface Program<K> {
        /** The entry point {@code name}; throws {@link IllegalStateException} when the program has none. */
        K kernel(String name);
    }
}
