package dev.ember.autograd;

import dev.ember.Tensor;

/**
 * One recorded op in the autograd graph: its name, its inputs, and the formula
 * that maps the gradient of its output to gradients of its inputs. The formula
 * is dropped after backward (unless the graph is retained), releasing the
 * tensors it saved.
 */
public final class Node {

    /**
     * A gradient formula: given the gradient of the op's output, returns one gradient per input
     * (null for an input that gets none). {@code needs[i]} says whether input {@code i} wants one,
     * so expensive formulas can skip work.
     */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor grad, boolean[] needs);
    }

    private final String name;
    private final Tensor[] inputs;
    private final boolean[] needs;
    private final Tensor[] saved;
    private final int[] savedVersions;
    private Backward backward;

    /**
     * @param saved every tensor whose values the formula reads (inputs, the output, indices); their
     *              versions are recorded now, and backward fails if one was modified in place in
     *              between, as PyTorch does, or closed (its memory may already hold other data)
     */
    public Node(String name, Tensor[] inputs, Tensor[] saved, Backward backward) {
        this.name = name;
        this.inputs = inputs;
        this.backward = backward;
        this.saved = saved;
        this.savedVersions = new int[saved.length];
        for (int i = 0; i < saved.length; i++) savedVersions[i] = saved[i].version();
        this.needs = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) needs[i] = inputs[i] != null && inputs[i].requiresGrad();
    }

    /** The op's name, e.g. {@code "matmul"}. */
    public String name() { return name; }

    /** The op's inputs, in argument order (null for non-tensor arguments). */
    public Tensor[] inputs() { return inputs; }

    boolean needs(int i) { return needs[i]; }

    /** Applies the formula; fails if the graph was already freed by an earlier backward. */
    Tensor[] apply(Tensor grad) {
        if (backward == null)
            throw new IllegalStateException("backward: trying to backward through the graph a second time (through "
                    + name + "); its saved tensors were freed after the first backward. "
                    + "Call backward(gradient, true) the first time to retain the graph.");
        for (Tensor t : saved)
            if (t.isClosed())
                throw new IllegalStateException("backward: a tensor of shape " + java.util.Arrays.toString(t.shape()) + " on "
                        + t.device() + " needed for the gradient of " + name + " (" + this + ") was closed before backward. "
                        + "Keep the tensors a graph uses open until backward has run.");
        for (int i = 0; i < saved.length; i++)
            if (saved[i].version() != savedVersions[i])
                throw new IllegalStateException("backward: a tensor of shape " + java.util.Arrays.toString(saved[i].shape())
                        + " needed for the gradient of " + name + " has been modified by an in-place operation: it is at version "
                        + saved[i].version() + ", expected version " + savedVersions[i]
                        + ". Do the in-place update after backward, or on a clone().");
        return backward.apply(grad, needs);
    }

    /** Drops the formula and the tensors it captured. */
    void release() { backward = null; }

    @Override
    public String toString() { return Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Backward0"; }
}
