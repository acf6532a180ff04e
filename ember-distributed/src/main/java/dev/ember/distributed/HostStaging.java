package dev.ember.distributed;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Copies tensors into native host buffers for a collective and back. The tensor may live on any
 * device: reading it copies device to host and writing it back copies host to device, which is
 * how CUDA tensors travel through MPI when NCCL is absent ("host staging").
 */
final class HostStaging {
    private HostStaging() {}

    /** A native copy of {@code t}'s elements in row-major order, allocated in {@code arena}. */
    static MemorySegment toSegment(Tensor t, Arena arena) {
        return toSegment(t, arena.allocate(Math.max(1, t.numel()) * t.dtype().byteSize(), 64));
    }

    /** Copies {@code t}'s elements in row-major order to the start of {@code seg}; returns the slice written. */
    static MemorySegment toSegment(Tensor t, MemorySegment into) {
        long n = t.numel();
        MemorySegment seg = into.asSlice(0, n * t.dtype().byteSize());
        switch (t.dtype()) {
            case FLOAT32 -> MemorySegment.copy(t.toFloatArray(), 0, seg, ValueLayout.JAVA_FLOAT, 0, (int) n);
            case FLOAT64 -> MemorySegment.copy(t.toDoubleArray(), 0, seg, ValueLayout.JAVA_DOUBLE, 0, (int) n);
            case INT32 -> MemorySegment.copy(t.toIntArray(), 0, seg, ValueLayout.JAVA_INT, 0, (int) n);
            case INT64 -> MemorySegment.copy(t.toLongArray(), 0, seg, ValueLayout.JAVA_LONG, 0, (int) n);
            case BOOL -> {
                boolean[] b = t.toBooleanArray();
                for (int i = 0; i < b.length; i++) seg.set(ValueLayout.JAVA_BYTE, i, (byte) (b[i] ? 1 : 0));
            }
            case FLOAT16, BFLOAT16 -> MemorySegment.copy(t.toBits(), 0, seg, ValueLayout.JAVA_SHORT, 0, (int) n);
        }
        return seg;
    }

    /** A new CPU tensor of {@code shape} and {@code dtype} read from {@code seg} at element {@code from}. */
    static Tensor fromSegment(MemorySegment seg, long from, DType dtype, long[] shape) {
        int n = 1;
        for (long s : shape) n = Math.multiplyExact(n, (int) s);
        long off = from * dtype.byteSize();
        return switch (dtype) {
            case FLOAT32 -> Tensor.of(seg.asSlice(off, (long) n * 4).toArray(ValueLayout.JAVA_FLOAT), shape);
            case FLOAT64 -> Tensor.of(seg.asSlice(off, (long) n * 8).toArray(ValueLayout.JAVA_DOUBLE), shape);
            case INT32 -> Tensor.of(seg.asSlice(off, (long) n * 4).toArray(ValueLayout.JAVA_INT), shape);
            case INT64 -> Tensor.of(seg.asSlice(off, (long) n * 8).toArray(ValueLayout.JAVA_LONG), shape);
            case BOOL -> {
                boolean[] b = new boolean[n];
                for (int i = 0; i < n; i++) b[i] = seg.get(ValueLayout.JAVA_BYTE, off + i) != 0;
                yield Tensor.of(b, shape);
            }
            case FLOAT16, BFLOAT16 -> Tensor.ofBits(seg.asSlice(off, (long) n * 2).toArray(ValueLayout.JAVA_SHORT), dtype, shape);
        };
    }

    /** Writes {@code seg}'s elements back into {@code t} in place (on {@code t}'s device). */
    static void copyBack(MemorySegment seg, Tensor t) {
        Tensor host = fromSegment(seg, 0, t.dtype(), t.shape());
        try (var ignored = Ember.noGrad()) { // parameters are leaves that require grad
            t.copyFrom(host);
        }
    }
}
