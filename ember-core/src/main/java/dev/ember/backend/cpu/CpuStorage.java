package dev.ember.backend.cpu;

import dev.ember.DType;
import dev.ember.backend.Backend;
import dev.ember.backend.Storage;
import java.lang.ref.Cleaner;

/**
 * Heap storage: a {@code float[]}, {@code double[]}, {@code int[]}, {@code long[]}
 * or {@code byte[]} (BOOL, 0 or 1), of at least {@link #length()} elements (a size class
 * of the {@link CpuAllocator}). Released storage hands its array back to that allocator at
 * once; storage that becomes unreachable without a release hands it back once the garbage
 * collector has found it (a {@link Cleaner}, as the GPU storages do), so the allocator's
 * statistics count only live storages.
 */
public final class CpuStorage extends Storage {
    /** Hands the arrays of storages that became unreachable without being released back to the allocator. */
    private static final Cleaner CLEANER = Cleaner.create();

    final Object array;
    /** Gives the array back to the {@link CpuAllocator} (on release, or after the storage became unreachable); null when not pooled. */
    private final Cleaner.Cleanable giveBack;

    CpuStorage(DType dtype, Object array, int length) {
        super(dtype, length);
        this.array = array;
        this.giveBack = null;
    }

    private CpuStorage(DType dtype, Object array, int length, boolean pooled) {
        super(dtype, length);
        this.array = array;
        this.giveBack = pooled && length > 0 ? CLEANER.register(this, new GiveBack(dtype, array)) : null;
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
        };
    }

    /** The backing array; callers outside the backend must treat it as read-only. */
    public Object array() { return array; }

    @Override
    public Backend backend() { return CpuBackend.INSTANCE; }

    @Override
    protected void free() {
        if (giveBack != null) giveBack.clean();
    }

    /** The array's way back; it holds no reference to the storage, so the storage can become unreachable. */
    private record GiveBack(DType dtype, Object array) implements Runnable {
        @Override
        public void run() { CpuAllocator.INSTANCE.give(dtype, array); }
    }
}
