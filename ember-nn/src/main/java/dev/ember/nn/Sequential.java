package dev.ember.nn;

import dev.ember.Tensor;
import java.util.List;

/** Modules applied in order; submodules are named {@code "0"}, {@code "1"}, ... as in PyTorch. */
public final class Sequential extends Module {
    private final List<Module> layers;

    /** A {@code Sequential} with the given {@code layers}. */
    public Sequential(Module... layers) {
        this.layers = List.of(layers);
        for (int i = 0; i < layers.length; i++) registerModule(Integer.toString(i), layers[i]);
    }

    /** The layers in order. */
    public List<Module> layers() { return layers; }

    /** The layer at {@code index}. */
    public Module get(int index) { return layers.get(index); }

    @Override
    public Tensor forward(Tensor x) {
        for (Module m : layers) x = m.forward(x);
        return x;
    }
}
