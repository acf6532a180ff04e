package dev.ember;

import java.util.Arrays;

/**
 * A region of code whose tensors are released together when it closes, so memory comes back to the
 * device's caching allocator at a known point instead of at some later garbage collection:
 *
 * <pre>{@code
 * for (Batch b : loader) {
 *     try (var scope = Ember.scope()) {
 *         Tensor loss = F.crossEntropy(model.forward(b.inputs()), b.targets());
 *         opt.zeroGrad();
 *         loss.backward();
 *         opt.step();
 *     } // every activation, temporary and graph tensor of this step is released here
 * }
 * }</pre>
 *
 * <p><b>What a scope releases.</b> Every tensor that allocated its memory on this thread while the
 * scope was the innermost open one, except those kept: {@link #keep} hands a tensor to the enclosing
 * scope (or to no scope when there is none), and {@link #escape} takes it out of every scope.
 * Parameters and buffers of modules, optimizer state and gradients ({@link Tensor#setGrad}) escape by
 * themselves; a gradient that {@code zeroGrad} or a later backward replaces goes to the scope open at
 * that moment. A view keeps its base: keeping a view keeps the memory it reads, and releasing a base
 * makes its views unusable. Tensors made on other threads (data-loader workers) belong to no scope.
 *
 * <p><b>After release</b> a tensor is {@linkplain Tensor#isClosed() closed}: an op on it, or on a view
 * of it, throws {@link IllegalStateException} naming the op. So does backward through a graph recorded
 * in a closed scope: run backward inside the scope that built the graph.
 *
 * <p>Scopes nest and belong to the thread that opened them; closing one first closes any scope opened
 * inside it that is still open. Closing twice does nothing.
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<TensorScope> CURRENT = new ThreadLocal<>();

    private final TensorScope parent;
    private final Thread thread;
    /** Owners (tensors that allocated their storage) registered here; those whose {@code scope} is still this one are released. */
    private Tensor[] tracked = new Tensor[16];
    private int size;
    private boolean closed;

    private TensorScope(TensorScope parent) {
        this.parent = parent;
        this.thread = Thread.currentThread();
    }

    /** Opens a scope nested in this thread's innermost open one (the same as {@link Ember#scope()}). */
    public static TensorScope open() {
        TensorScope s = new TensorScope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** This thread's innermost open scope, or null. */
    public static TensorScope current() { return CURRENT.get(); }

    /**
     * Keeps {@code tensor} beyond this scope: its memory (the base's, for a view) becomes the enclosing
     * scope's, or no scope's at the outermost level. Returns {@code tensor}, so {@code return scope.keep(y);}
     * reads naturally. A tensor this scope does not hold (made outside it, or already kept) is returned as is.
     *
     * @throws IllegalStateException if this scope is closed, or {@code tensor} was already released
     */
    public Tensor keep(Tensor tensor) {
        if (closed) throw new IllegalStateException("keep: the scope is closed; keep tensors before it closes");
        if (tensor.isClosed()) throw new IllegalStateException("keep: tensor " + Shapes.str(tensor.shape) + " on " + tensor.device()
                + " was closed");
        Tensor owner = ownerOf(tensor);
        if (owner != null && owner.scope != null && isThisOrInside(owner.scope)) {
            owner.scope = null;
            if (parent != null) parent.add(owner);
        }
        return tensor;
    }

    /** {@link #keep} for each tensor. */
    public void keep(Tensor... tensors) {
        for (Tensor t : tensors) keep(t);
    }

    /** {@link #keep} for each tensor. */
    public void keepAll(Iterable<Tensor> tensors) {
        for (Tensor t : tensors) keep(t);
    }

    /** Whether closing this scope would release {@code tensor}'s memory (its base's, for a view). */
    public boolean holds(Tensor tensor) {
        Tensor owner = ownerOf(tensor);
        return owner != null && owner.scope == this;
    }

    /**
     * Releases {@code tensor}'s memory now if this scope holds it (see {@link #holds}), rather than at
     * close; every view of it becomes unusable. Returns whether it did.
     */
    public boolean release(Tensor tensor) {
        Tensor owner = ownerOf(tensor);
        if (owner == null || owner.scope != this) return false;
        owner.scope = null;
        owner.close();
        return true;
    }

    /**
     * Takes {@code tensor}'s memory (its base's, for a view) out of every scope: only {@link Tensor#close()}
     * or the garbage collector end it. For state that outlives any step: parameters, buffers, optimizer
     * state, caches. Returns {@code tensor}.
     */
    public static Tensor escape(Tensor tensor) {
        Tensor owner = ownerOf(tensor);
        if (owner != null) owner.scope = null;
        return tensor;
    }

    /** Closes this scope, releasing every tensor it still holds (and first any scope still open inside it). */
    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != thread)
            throw new IllegalStateException("TensorScope.close: a scope belongs to the thread that opened it (" + thread.getName()
                    + "), not " + Thread.currentThread().getName());
        for (TensorScope inner = CURRENT.get(); inner != null && inner != this && inner.isInside(this); inner = CURRENT.get())
            inner.close();
        closed = true;
        if (CURRENT.get() == this) CURRENT.set(parent);
        Tensor[] t = tracked;
        int n = size;
        tracked = null;
        size = 0;
        RuntimeException failure = null;
        for (int i = 0; i < n; i++) {
            Tensor owner = t[i];
            if (owner.scope != this) continue;
            owner.scope = null;
            try {
                owner.close();
            } catch (RuntimeException e) { // release every other tensor before reporting
                if (failure == null) failure = e;
            }
        }
        if (failure != null) throw failure;
    }

    /** Number of tensors this scope would release if it closed now. */
    public int size() {
        int n = 0;
        for (int i = 0; i < size; i++) if (tracked[i].scope == this) n++;
        return n;
    }

    // ---- registration (tensor layer) ----------------------------------------------------------

    /** Registers a tensor that has just allocated its storage with this thread's innermost scope. */
    static void track(Tensor owner) {
        TensorScope s = CURRENT.get();
        if (s != null) s.add(owner);
    }

    /** Hands an owner that belongs to no scope to this thread's innermost scope, if one is open (a replaced gradient). */
    static void adopt(Tensor owner) {
        TensorScope s = CURRENT.get();
        if (s != null && owner.scope == null && !owner.isClosed()) s.add(owner);
    }

    /** {@code to} took over {@code from}'s storage ({@link Tensor#ownView}): it is released in from's place. */
    static void transfer(Tensor from, Tensor to) {
        TensorScope s = from.scope;
        if (s == null) return;
        from.scope = null;
        s.add(to);
    }

    private void add(Tensor owner) {
        if (closed) return; // a closed scope on the chain (closed on another path): the tensor belongs to no scope
        if (size == tracked.length) tracked = Arrays.copyOf(tracked, size * 2);
        tracked[size++] = owner;
        owner.scope = this;
    }

    private static Tensor ownerOf(Tensor t) {
        return t.storage.owner() instanceof Tensor owner ? owner : null;
    }

    /** Whether {@code s} is this scope or one opened inside it. */
    private boolean isThisOrInside(TensorScope s) {
        return s == this || s.isInside(this);
    }

    private boolean isInside(TensorScope outer) {
        for (TensorScope p = parent; p != null; p = p.parent) if (p == outer) return true;
        return false;
    }
}
