package dev.ember.backend.cuda;

import java.lang.reflect.Method;
import jcuda.NativePointerObject;

/**
 * The raw address behind a JCuda handle (device pointer, stream), for the libraries Ember calls
 * through {@code java.lang.foreign}. JCuda keeps it in a protected accessor.
 */
final class NativeAddress {
    private NativeAddress() {}

    private static final Method GET;

    static {
        try {
            GET = NativePointerObject.class.getDeclaredMethod("getNativePointer");
            GET.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static long of(NativePointerObject p) {
        try {
            return (long) GET.invoke(p);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cuda: cannot read a JCuda handle's address", e);
        }
    }
}
