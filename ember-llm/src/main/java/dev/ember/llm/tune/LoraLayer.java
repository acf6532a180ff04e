package dev.ember.llm.tune;

import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.nn.Dropout;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.init.Init;

/**
 * LoRA's low-rank update of one frozen {@link Linear} layer {@code W [out, in]}: {@code y = x W^T + b + s * B(A(
 * dropout(x)))} with {@code A [r, in]} (PEFT's {@code lora_A}, initialised as a {@code Linear}: Kaiming-uniform) and
 * {@code B [out, r]} ({@code lora_B}, zeros, so the adapted model starts as the base), {@code s} the config's
 * scaling. Attached as the layer's {@linkplain Linear#setAdapter adapter}; {@link #merge} folds {@code s B A} into
 * {@code W} (inference at the base model's cost) and {@link #unmerge} takes it out again.
 */
public final class LoraLayer extends Module {
    private final Linear base;
    private final Linear loraA, loraB;
    private final Dropout dropout;
    private final double scaling;
    private boolean merged;

    /** An update of rank {@code r} for {@code base}, not yet attached. */
    LoraLayer(Linear base, int r, double scaling, double dropoutP) {
        this.base = base;
        Tensor w = base.weight();
        int out = (int) w.size(0), in = (int) w.size(1);
        loraA = registerModule("lora_A", new Linear(in, r, false));
        loraB = registerModule("lora_B", new Linear(r, out, false));
        dropout = registerModule("lora_dropout", new Dropout(dropoutP));
        Init.zeros(loraB.weight());
        this.scaling = scaling;
        try (var ignored = Ember.noGrad()) {
            // on the base layer's device and dtype
            if (!w.device().equals(loraA.weight().device())) {
                loraA.to(w.device());
                loraB.to(w.device());
            }
        }
    }

    /**
     * The update {@code s * B(A(dropout(x)))}: {@code [..., in] -> [..., out]}. The scale is applied to the rank-r
     * tensor {@code A x} rather than to the output, so that without dropout the graph keeps only {@code [..., r]}
     * tensors beyond the input that the base layer keeps anyway.
     */
    @Override
    public Tensor forward(Tensor x) {
        return loraB.forward(loraA.forward(dropout.forward(x)).mul(scaling)); // F.dropout returns x itself when p is 0 or in eval
    }

    /** {@code A} {@code [r, in]}. */
    public Tensor a() { return loraA.weight(); }

    /** {@code B} {@code [out, r]}. */
    public Tensor b() { return loraB.weight(); }

    /** The base layer. */
    public Linear base() { return base; }

    /** Whether the update is folded into the base weight. */
    public boolean isMerged() { return merged; }

    void attach() {
        if (!merged) base.setAdapter(this::forward);
    }

    void detach() { base.setAdapter(null); }

    /** {@code W += s B A}, and the layer stops adding the update separately. No-op when merged. */
    public void merge() {
        if (merged) return;
        try (var ignored = Ember.noGrad()) {
            Tensor w = base.weight();
            w.copyFrom(w.add(delta()));
        }
        base.setAdapter(null);
        merged = true;
    }

    /** {@code W -= s B A} (up to float rounding), and the layer adds the update separately again. No-op unless merged. */
    public void unmerge() {
        if (!merged) return;
        try (var ignored = Ember.noGrad()) {
            Tensor w = base.weight();
            w.copyFrom(w.sub(delta()));
        }
        merged = false;
        attach();
    }

    /** {@code s B A} {@code [out, in]}. */
    public Tensor delta() {
        try (var ignored = Ember.noGrad()) {
            return loraB.weight().matmul(loraA.weight()).mul(scaling).to(base.weight().dtype());
        }
    }
}
