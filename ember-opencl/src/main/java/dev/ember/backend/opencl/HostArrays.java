package dev.ember.backend.opencl;

import dev.ember.DType;
import java.nio.ByteBuffer;

/**
 * The host side of transfers: which Java array holds each dtype, and moving elements between
 * such an array and a native-order staging buffer.
 */
final class HostArrays {
    private HostArrays() {}

    /** Throws unless {@code host} is the array type of {@code dtype} ({@code byte[]} for BOOL). */
    static void require(String op, DType dtype, Object host) {
        String expected = switch (dtype) {
            case FLOAT32 -> "float[]";
            case FLOAT64 -> "double[]";
            case INT32 -> "int[]";
            case INT64 -> "long[]";
            case BOOL -> "byte[]";
        };
        if (host == null || !host.getClass().getSimpleName().equals(expected))
            throw new IllegalArgumentException("opencl " + op + ": a " + dtype + " tensor needs a " + expected + ", got "
                    + (host == null ? "null" : host.getClass().getSimpleName()));
    }

    static int length(Object host) { return java.lang.reflect.Array.getLength(host); }

    /** Copies all of {@code host} into {@code buf} (native order), leaving buf's position at 0. */
    static void pack(Object host, ByteBuffer buf) {
        switch (host) {
            case float[] f -> buf.asFloatBuffer().put(f);
            case double[] d -> buf.asDoubleBuffer().put(d);
            case int[] i -> buf.asIntBuffer().put(i);
            case long[] l -> buf.asLongBuffer().put(l);
            case byte[] b -> buf.put(0, b);
            default -> throw new IllegalArgumentException("opencl: unsupported host array " + host.getClass());
        }
    }

    /** Copies the first {@code n} elements of {@code buf} (native order) into {@code host}. */
    static void unpack(ByteBuffer buf, Object host, int n) {
        switch (host) {
            case float[] f -> buf.asFloatBuffer().get(f, 0, n);
            case double[] d -> buf.asDoubleBuffer().get(d, 0, n);
            case int[] i -> buf.asIntBuffer().get(i, 0, n);
            case long[] l -> buf.asLongBuffer().get(l, 0, n);
            case byte[] b -> buf.get(0, b, 0, n);
            default -> throw new IllegalArgumentException("opencl: unsupported host array " + host.getClass());
        }
    }
}
