package dev.ember.backend.cpu;

import dev.ember.DType;
import dev.ember.backend.Backend;
import dev.ember.backend.Storage;

/**
 * Heap storage: a {@code float[]}, {@code double[]}, {@code int[]}, {@code long[]},
 * {@code byte[]} (BOOL, 0 or 1) or {@code short[]} (FLOAT16 and BFLOAT16 bit patterns).
 * The garbage collector owns its lifetime.
 */
public final class CpuStorage extends Storage {
    final Object array;

    CpuStorage(DType dtype, Object array, int length) {
        super(dtype, length);
        this.array = array;
    }

    static CpuStorage allocate(DType dtype, int n) {
        Object a = switch (dtype) {
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case INT32 -> new int[n];
            case INT64 -> new long[n];
            case BOOL -> new byte[n];
            case FLOAT16, BFLOAT16 -> new short[n];
        };
        return new CpuStorage(dtype, a, n);
    }

    /** The backing array; callers outside the backend must treat it as read-only. */
    public Object array() { return array; }

    @Override
    public Backend backend() { return CpuBackend.INSTANCE; }
}
