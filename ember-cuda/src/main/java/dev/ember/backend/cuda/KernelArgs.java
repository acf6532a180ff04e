package dev.ember.backend.cuda;

import dev.ember.backend.Storage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A kernel's arguments in order, independent of the driver: boxed scalars ({@code Integer},
 * {@code Long}, {@code Float}, {@code Double}, {@code Byte}), {@code int[]} structs passed by value
 * (Shape, Strides, Geometry, Operand), buffers (the {@link Storage} whose memory is passed) and
 * {@link #ERROR_WORD}. {@link CudaContext} turns them into {@code cuLaunchKernel}'s parameter array.
 */
final class KernelArgs {
    /** Stands for the launching thread's error word (an {@code int*}; see {@link dev.ember.backend.KernelErrorSlots}). */
    static final Object ERROR_WORD = new Object() {
        @Override
        public String toString() { return "ERROR_WORD"; }
    };

    private final List<Object> args = new ArrayList<>();

    KernelArgs i(int v) { args.add(v); return this; }

    KernelArgs l(long v) { args.add(v); return this; }

    KernelArgs f(float v) { args.add(v); return this; }

    KernelArgs d(double v) { args.add(v); return this; }

    KernelArgs b(byte v) { args.add(v); return this; }

    /** A struct of ints passed by value. */
    KernelArgs struct(int[] fields) { args.add(fields.clone()); return this; }

    /** The memory of a buffer (element 0; offsets travel as separate arguments). */
    KernelArgs buf(Storage s) { args.add(s); return this; }

    KernelArgs errorWord() { args.add(ERROR_WORD); return this; }

    List<Object> values() { return Collections.unmodifiableList(args); }
}
