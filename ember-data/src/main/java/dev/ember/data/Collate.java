package dev.ember.data;

import dev.ember.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a list of examples into one batch, as the {@code collate_fn} of a PyTorch loader.
 * The default ({@link #stack()}) stacks inputs {@code [...] -> [batch, ...]} and targets alike.
 */
@FunctionalInterface
public interface Collate {
    /** The batch made of {@code examples}, in their order. */
    Batch collate(List<Example> examples);

    /** Stacks inputs and targets along a new first dim; every example must have the same shapes. */
    static Collate stack() {
        return examples -> {
            List<Tensor> xs = new ArrayList<>(examples.size()), ys = new ArrayList<>(examples.size());
            for (Example e : examples) {
                xs.add(e.input());
                ys.add(e.target());
            }
            return new Batch(Tensor.stack(xs, 0), Tensor.stack(ys, 0));
        };
    }
}
