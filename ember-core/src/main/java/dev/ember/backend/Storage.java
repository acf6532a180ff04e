package dev.ember.backend;

import dev.ember.DType;

/**
 * A flat buffer of {@code length} elements of one dtype, owned by one backend.
 * Tensors are strided views over a storage; several views may share one.
 *
 * <p>The version counter is bumped by every in-place write, so autograd can
 * tell that a tensor it saved for backward has since been modified.
 *
 * <p><b>Lifetime.</b> A storage is live until {@link #release()} (or {@link #close()}, the same
 * thing) marks it released and hands its memory back to the backend's allocator; that is the one
 * place a storage becomes released, and it happens at most once (later calls do nothing). After
 * it, the memory may already belong to another storage, so nothing may read or write it: the
 * tensor layer checks {@link #isReleased()} (one field read) before it hands a storage to a
 * backend, and every view of a released storage is therefore unusable too. A storage that
 * becomes unreachable without being released is freed by its backend's safety net (a
 * {@code Cleaner}), which never runs while a tensor can still reach it.
 */
public abstract class Storage implements AutoCloseable {
    private final DType dtype;
    private final long length;
    private int version;
    private Object owner;
    /** Volatile so a release on one thread is seen by a use on another (a plain load on x86 and ARM's ldar). */
    private volatile boolean released;

    protected Storage(DType dtype, long length) {
        this.dtype = dtype;
        this.length = length;
    }

    public final DType dtype() { return dtype; }

    public final long length() { return length; }

    /** The backend that owns this memory. */
    public abstract Backend backend();

    /** Number of in-place writes so far. */
    public final int version() { return version; }

    /** Claims this storage for {@code tensor} if no tensor owns it yet; views of it never do. */
    public final void claim(Object tensor) {
        if (owner == null) owner = tensor;
    }

    /** Makes {@code to} the owner in place of {@code from}, if {@code from} owns this storage (a view taking over its base's memory). */
    public final void transferOwner(Object from, Object to) {
        if (owner == from) owner = to;
    }

    /** True when {@code tensor} is the one that first wrapped this storage (and may free it). */
    public final boolean ownedBy(Object tensor) { return owner == tensor; }

    /** The tensor that first wrapped this storage (its views keep it, and so the storage, alive), or null. */
    public final Object owner() { return owner; }

    /** Records an in-place write. */
    public final void bumpVersion() { version++; }

    /** True once {@link #release()} has run: the memory is no longer this storage's to use. */
    public final boolean isReleased() { return released; }

    /**
     * Marks this storage released and returns its memory to the backend (its caching allocator on a
     * GPU). Idempotent: only the first call frees anything. Safe for work already queued on the
     * device: GPU queues are in order, so a later owner of the block runs after it.
     */
    public final void release() {
        synchronized (this) {
            if (released) return;
            released = true;
        }
        free();
    }

    /** The same as {@link #release()}, so internal temporaries can use try-with-resources. */
    @Override
    public final void close() { release(); }

    /**
     * Returns the memory to where it came from; called once, by {@link #release()}. Heap storages
     * have nothing to do (the garbage collector owns their arrays).
     */
    protected void free() {}
}
