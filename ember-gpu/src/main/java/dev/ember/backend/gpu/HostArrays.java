package dev.ember.backend.gpu;

import dev.ember.DType;
import java.lang.reflect.Array;

/** Which Java array holds each dtype on the host, for transfers. */
final class HostArrays {
    private HostArrays() {}

    /** Throws unless {@code host} is the array type of {@code dtype} ({@code byte[]} for BOOL). */
    static void require(String op, DType dtype, Object host) {
        Class<?> expected = switch (dtype) {
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case INT32 -> int[].class;
            case INT64 -> long[].class;
            case BOOL -> byte[].class;
            case FLOAT16, BFLOAT16 -> short[].class;
        };
        if (host == null || host.getClass() != expected)
            throw new IllegalArgumentException(op + ": a " + dtype + " tensor needs a " + expected.getSimpleName() + ", got "
                    + (host == null ? "null" : host.getClass().getSimpleName()));
    }

    static int length(Object host) { return Array.getLength(host); }
}
