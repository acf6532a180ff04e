package dev.ember.backend.cpu;

import dev.ember.DType;
import dev.ember.backend.Backend;
import dev.ember.backend.Storage;

/**
 * Heap storage: a {@code float[]}, {@code double[]}, {@code int[]}, {@code long[]},
 * {@code byte[]} (BOOL, 0 or 1) or {@code short[]} (FLOAT16 and BFLOAT16 bit patterns), of at least {@link #length()} elements (a size class
 * of the {@link CpuAllocator}). Released storage hands its array back to that allocator.
 * Storage that becomes unreachable without a release is the garbage collector's, array and
 * all, as plain Java objects are: no Cleaner follows it, because any reference-based hook
 * keeps a dropped array alive past the collection that finds it dead, and a loop that drops
 * its tensors then fills the heap with them (measured: 4 MB arrays allocated 2-6x slower, a
 * dropping 1M-float {@code add} 49 ms instead of under 1 ms). The allocator's statistics
 * therefore count such storage as allocated.
 */
public final class CpuStorage extends Storage {
    final Object array;
    /** True when the array came from the {@link CpuAllocator} and goes back to it on release. */
    private final boolean pooled;

    CpuStorage(DType dtype, Object array, int length) { this(dtype, array, length, false); }

    private CpuStorage(DType dtype, Object array, int length, boolean pooled) {
        super(dtype, length);
        this.array = array;
        this.pooled = pooled;
    }

    /** Zeroed storage of {@code n} elements from the caching allocator. */
    static CpuStorage allocate(DType dtype, int n) { return new CpuStorage(dtype, CpuAllocator.INSTANCE.take(dtype, n, true), n, true); }

    /** Storage of {@code n} elements from the caching allocator, holding whatever its array last held. */
    static CpuStorage allocateUninitialized(DType dtype, int n) {
        return new CpuStorage(dtype, CpuAllocator.INSTANCE.take(dtype, n, false), n, true);
    }

    /** A new zeroed heap array of {@code n} elements of {@code dtype}: the one table of dtype to array type. */
    static Object newArray(DType dtype, int n) {
        return switch (dtype) {
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case INT32 -> new int[n];
            case INT64 -> new long[n];
            case BOOL -> new byte[n];
            case FLOAT16, BFLOAT16 -> new short[n];
        };
    }

    /** The backing array; callers outside the backend must treat it as read-only. */
    public Object array() { return array; }

    @Override
    public Backend backend() { return CpuBackend.INSTANCE; }

    @Override
    protected void free() {
        if (pooled) CpuAllocator.INSTANCE.give(dtype(), array);
    }
}
