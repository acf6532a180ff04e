package dev.ember.backend;

import dev.ember.DType;

/**
 * A flat buffer of {@code length} elements of one dtype, owned by one backend.
 * Tensors are strided views over a storage; several views may share one.
 *
 * <p>The version counter is bumped by every in-place write, so autograd can
 * tell that a tensor it saved for backward has since been modified.
 */
public abstract class Storage implements AutoCloseable {
    private final DType dtype;
    private final int length;
    private int version;
    private Object owner;

    protected Storage(DType dtype, int length) {
        this.dtype = dtype;
        this.length = length;
    }

    public final DType dtype() { return dtype; }

    public final int length() { return length; }

    /** The backend that owns this memory. */
    public abstract Backend backend();

    /** Number of in-place writes so far. */
    public final int version() { return version; }

    /** Claims this storage for {@code tensor} if no tensor owns it yet; views of it never do. */
    public final void claim(Object tensor) {
        if (owner == null) owner = tensor;
    }

    /** True when {@code tensor} is the one that first wrapped this storage (and may free it). */
    public final boolean ownedBy(Object tensor) { return owner == tensor; }

    /** Records an in-place write. */
    public final void bumpVersion() { version++; }

    /** Releases device memory now (returning it to the backend's cache); a no-op on the heap. */
    @Override
    public void close() {}
}
