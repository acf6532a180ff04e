package dev.ember.autograd;

import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.TensorScope;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The backward pass: visits the graph below a tensor in reverse topological order
 * (iteratively, so a chain of any length cannot overflow the stack), applies each
 * node's formula once all of its output's gradient has arrived, accumulates into
 * the {@code grad} of leaves and of tensors that {@link Tensor#retainGrad() retain}
 * it, and releases each intermediate gradient (its memory back to the device's allocator) as soon
 * as the last node that reads it has run, and each formula's temporaries when it returns.
 */
public final class Engine {
    private Engine() {}

    /**
     * Back-propagates {@code gradient} (of {@code root}'s shape) from {@code root}. Unless
     * {@code retainGraph}, every node's formula and saved tensors are released afterwards.
     */
    public static void backward(Tensor root, Tensor gradient, boolean retainGraph) {
        if (root.isClosed())
            throw new IllegalStateException("backward: tensor " + Arrays.toString(root.shape()) + " on " + root.device() + " was closed");
        if (!root.requiresGrad())
            throw new IllegalStateException("backward: the tensor does not require grad and has no grad_fn "
                    + "(did you call requiresGrad(true) on an input, or run the forward under noGrad?)");
        if (!Arrays.equals(root.shape(), gradient.shape()))
            throw new IllegalArgumentException("backward: gradient shape " + Arrays.toString(gradient.shape())
                    + " does not match the tensor's shape " + Arrays.toString(root.shape()));
        // Gradients run in the forward's dtypes: an autocast scope around backward() changes nothing, as in PyTorch.
        try (var ignored = GradMode.set(false); var noAutocast = dev.ember.Autocast.suspend()) {
            if (root.gradFn() == null) {
                root.accumulateGrad(gradient);
                runHooks(root);
                return;
            }
            run(root, gradient, retainGraph);
        }
    }

    private static void run(Tensor root, Tensor gradient, boolean retainGraph) {
        Map<Node, Integer> dependents = countDependents(root.gradFn());
        Map<Tensor, Integer> hookedLeafEdges = countHookedLeafEdges(dependents.keySet());
        Map<Node, Tensor> pending = new IdentityHashMap<>();
        Map<Node, Tensor> retained = new IdentityHashMap<>();
        // Every tensor backward allocates belongs to this scope; a gradient is released as soon as the last
        // node that reads it has run (Intermediates counts them), whatever is left when backward ends.
        try (TensorScope pass = Ember.scope()) {
            Intermediates live = new Intermediates(pass);
            pending.put(root.gradFn(), gradient);
            live.hold(gradient);
            if (root.retainsGrad()) retained.put(root.gradFn(), root);
            ArrayDeque<Node> ready = new ArrayDeque<>();
            ready.push(root.gradFn());
            while (!ready.isEmpty()) {
                Node node = ready.pop();
                Tensor g = pending.remove(node);
                Tensor keeper = retained.remove(node);
                // The node's temporaries (and gradients that no pending node takes) die with this inner scope.
                try (TensorScope step = Ember.scope()) {
                    if (keeper != null && g != null) keeper.accumulateGrad(g);
                    Tensor[] grads = g == null ? null : node.apply(g);
                    if (!retainGraph) node.release();
                    Tensor[] inputs = node.inputs();
                    for (int i = 0; i < inputs.length; i++) {
                        Tensor in = inputs[i];
                        if (in == null || !in.requiresGrad()) continue;
                        Tensor gi = grads == null || i >= grads.length ? null : grads[i];
                        if (gi != null && !Arrays.equals(gi.shape(), in.shape()))
                            throw new IllegalStateException("backward of " + node.name() + ": gradient for input " + i + " has shape "
                                    + Arrays.toString(gi.shape()) + " but the input has shape " + Arrays.toString(in.shape()));
                        Node next = in.gradFn();
                        if (next == null) {
                            // A gradient this step made and nothing else reads becomes the leaf's grad (no copy).
                            if (gi != null) in.accumulateGrad(gi, step.holds(gi) && !live.reads(gi) && !sharedWithin(grads, i));
                            // The last edge into a hooked leaf: its gradient for this pass is final.
                            if (hookedLeafEdges != null && hookedLeafEdges.merge(in, -1, Integer::sum) == 0) runHooks(in);
                            continue;
                        }
                        if (gi != null) {
                            Tensor prev = pending.get(next);
                            Tensor sum = prev == null ? gi : prev.add(gi);
                            pending.put(next, step.keep(sum));
                            live.hold(sum);
                            if (prev != null) live.drop(prev);
                        }
                        if (in.retainsGrad()) retained.put(next, in);
                        if (dependents.merge(next, -1, Integer::sum) == 0) ready.push(next);
                    }
                }
                if (g != null) live.drop(g);
            }
        }
    }

    /**
     * Counts, per storage, the pending gradients that read it (a formula may pass its incoming gradient
     * on, or views of it, to several inputs), and releases a storage of the backward pass once none does.
     */
    private static final class Intermediates {
        private final TensorScope pass;
        private final Map<Object, Integer> readers = new IdentityHashMap<>();

        Intermediates(TensorScope pass) { this.pass = pass; }

        void hold(Tensor t) { readers.merge(t.strided().storage(), 1, Integer::sum); }

        /** Whether a pending gradient reads {@code t}'s memory. */
        boolean reads(Tensor t) { return readers.containsKey(t.strided().storage()); }

        void drop(Tensor t) {
            Object storage = t.strided().storage();
            if (readers.merge(storage, -1, Integer::sum) == 0) {
                readers.remove(storage);
                pass.release(t); // only what this pass allocated: never the caller's gradient or a saved tensor
            }
        }
    }

    /** Whether another of a formula's gradients shares {@code grads[i]}'s memory (one tensor passed to several inputs). */
    private static boolean sharedWithin(Tensor[] grads, int i) {
        Object storage = grads[i].strided().storage();
        for (int j = 0; j < grads.length; j++)
            if (j != i && grads[j] != null && grads[j].strided().storage() == storage) return true;
        return false;
    }

    /** For each node below {@code start}, the number of edges that lead into it. */
    private static Map<Node, Integer> countDependents(Node start) {
        Map<Node, Integer> count = new IdentityHashMap<>();
        ArrayDeque<Node> stack = new ArrayDeque<>();
        count.put(start, 0);
        stack.push(start);
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            for (Tensor in : node.inputs()) {
                if (in == null || in.gradFn() == null || !in.requiresGrad()) continue;
                Node next = in.gradFn();
                Integer c = count.get(next);
                if (c == null) stack.push(next);
                count.put(next, c == null ? 1 : c + 1);
            }
        }
        return count;
    }

    /**
     * For each leaf with post-accumulate-grad hooks, the number of graph edges that lead into it
     * (null when no leaf has hooks, the common case, so backward pays nothing for the feature).
     */
    private static Map<Tensor, Integer> countHookedLeafEdges(Iterable<Node> nodes) {
        Map<Tensor, Integer> count = null;
        for (Node node : nodes) {
            for (Tensor in : node.inputs()) {
                if (in == null || in.gradFn() != null || !in.requiresGrad() || in.postAccumulateGradHooks().isEmpty()) continue;
                if (count == null) count = new IdentityHashMap<>();
                count.merge(in, 1, Integer::sum);
            }
        }
        return count;
    }

    private static void runHooks(Tensor leaf) {
        for (var hook : leaf.postAccumulateGradHooks()) hook.accept(leaf);
    }

}
