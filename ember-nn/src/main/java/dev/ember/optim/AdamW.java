package dev.ember.optim;

import dev.ember.Tensor;
import java.util.List;

/** Adam with decoupled weight decay ({@code p *= 1 - lr wd}), as {@code torch.optim.AdamW}; weight decay defaults to 0.01. */
public final class AdamW extends Adam {
    /** A {@code AdamW} with the given {@code params}. */
    public AdamW(List<Tensor> params) { this(params, 1e-3); }

    /** A {@code AdamW} with the given {@code params}, {@code lr}. */
    public AdamW(List<Tensor> params, double lr) { this(builder(lr), params); }

    AdamW(Adam.Builder b, List<Tensor> params) { super(b, params, true); }

    AdamW(Adam.Builder b, List<ParamGroup> groups, boolean grouped) { super(b, groups, true, true); }

    /** Options with AdamW's default weight decay 0.01; finish with {@link Adam.Builder#buildW}. */
    public static Adam.Builder builder(double lr) { return new Adam.Builder(lr, 0.01, "AdamW"); }
}
