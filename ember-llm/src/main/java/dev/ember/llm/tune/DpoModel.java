package dev.ember.llm.tune;

import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.nn.Module;
import dev.ember.nn.lm.GPT;

/**
 * A policy and its frozen reference on DPO rows ({@code dev.ember.llm.data.DpoDataset}): input INT64
 * {@code [batch, 2, 3, T]} (chosen and rejected rows) to logits {@code [batch, 4, T, vocab]}: the policy's on the
 * chosen and rejected rows, then the reference's (computed without gradients). Only the policy (and its adapter) is
 * part of this module's state: the reference is the policy's starting point, reloaded rather than checkpointed.
 */
public final class DpoModel extends Module {
    private final CausalLm policy;
    private final CausalLm reference;

    /** {@code policy} (with {@code adapter}, null: none) trained against {@code reference} (frozen, eval mode). */
    public DpoModel(GPT policy, Module adapter, GPT reference) {
        this.policy = registerModule("policy", new CausalLm(policy, adapter));
        for (Tensor p : reference.parameters()) p.requiresGrad(false);
        reference.eval();
        this.reference = new CausalLm(reference, null);
    }

    /** The policy model. */
    public GPT policy() { return policy.model(); }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != 2 || x.size(2) != 3)
            throw new IllegalArgumentException("DpoModel: expected rows [batch, 2, 3, T], got " + java.util.Arrays.toString(x.shape()));
        long b = x.size(0), t = x.size(3);
        Tensor rows = x.reshape(b * 2, 3, t);
        Tensor p = policy.forward(rows);
        Tensor r;
        try (var ignored = Ember.noGrad()) {
            r = reference.forward(rows);
        }
        long v = p.size(-1);
        return Tensor.cat(java.util.List.of(p.reshape(b, 2, t, v), r.reshape(b, 2, t, v)), 1);
    }
}
