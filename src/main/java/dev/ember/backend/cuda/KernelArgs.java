package dev.ember.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/** Builds the {@code kernelParams} array of {@code cuLaunchKernel}: one pointer to each argument's value. */
final class KernelArgs {
    private final List<Pointer> args = new ArrayList<>();

    KernelArgs i(int v) { args.add(Pointer.to(new int[]{v})); return this; }

    KernelArgs l(long v) { args.add(Pointer.to(new long[]{v})); return this; }

    KernelArgs f(float v) { args.add(Pointer.to(new float[]{v})); return this; }

    KernelArgs d(double v) { args.add(Pointer.to(new double[]{v})); return this; }

    KernelArgs b(byte v) { args.add(Pointer.to(new byte[]{v})); return this; }

    /** A struct of ints passed by value (Shape, Strides, Geometry, Operand). */
    KernelArgs struct(int[] fields) { args.add(Pointer.to(fields)); return this; }

    /** A device pointer. */
    KernelArgs ptr(CUdeviceptr p) { args.add(Pointer.to(p)); return this; }

    Pointer build() { return Pointer.to(args.toArray(new Pointer[0])); }
}
