package dev.ember.nn;

import dev.ember.Tensor;
import java.util.List;

/**
 * Submodules held in a list and named {@code "0"}, {@code "1"}, ... as PyTorch's {@code nn.ModuleList}, for
 * models that call them themselves (with more arguments than {@link #forward} takes).
 */
public final class ModuleList<M extends Module> extends Module {
    private final List<M> modules;

    /** A list of {@code modules}, registered in order. */
    public ModuleList(List<M> modules) {
        this.modules = List.copyOf(modules);
        for (int i = 0; i < this.modules.size(); i++) registerModule(Integer.toString(i), this.modules.get(i));
    }

    /** The module at {@code index}. */
    public M get(int index) { return modules.get(index); }

    /** Number of modules. */
    public int size() { return modules.size(); }

    /** The modules in order. */
    public List<M> modules() { return modules; }

    /** A module list has no forward of its own, as in PyTorch. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ModuleList has no forward; call its modules");
    }
}
