package dev.ember.nn;

import dev.ember.Tensor;

/**
 * One encoder layer as PyTorch's {@code nn.TransformerEncoderLayer}: self-attention and a feed-forward layer
 * ({@code linear2(dropout(activation(linear1(x))))}), each with dropout and a residual connection, normalised
 * after the residual (post-norm, default) or before each block ({@code normFirst}). {@code [T, N, dModel]}
 * (or {@code [N, T, dModel]} batch-first) keeps its shape. Submodules carry PyTorch's names ({@code self_attn},
 * {@code linear1}, {@code linear2}, {@code norm1}, {@code norm2}), so state dicts load from PyTorch.
 */
public final class TransformerEncoderLayer extends Module {
    private final MultiheadAttention selfAttn;
    private final Linear linear1, linear2;
    private final Dropout dropout, dropout1, dropout2;
    private final LayerNorm norm1, norm2;
    private final Module activation;
    private final boolean normFirst;

    /** A layer with PyTorch's defaults. */
    public TransformerEncoderLayer(int dModel, int nhead) { this(dModel, nhead, new TransformerOptions()); }

    /** A layer with the given options. */
    public TransformerEncoderLayer(int dModel, int nhead, TransformerOptions o) {
        selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, o.dropout, true, o.batchFirst, dModel, dModel));
        linear1 = registerModule("linear1", new Linear(dModel, o.dimFeedforward));
        dropout = registerModule("dropout", new Dropout(o.dropout));
        linear2 = registerModule("linear2", new Linear(o.dimFeedforward, dModel));
        norm1 = registerModule("norm1", new LayerNorm(new long[]{dModel}, o.layerNormEps, true));
        norm2 = registerModule("norm2", new LayerNorm(new long[]{dModel}, o.layerNormEps, true));
        dropout1 = registerModule("dropout1", new Dropout(o.dropout));
        dropout2 = registerModule("dropout2", new Dropout(o.dropout));
        activation = o.activationModule();
        normFirst = o.normFirst;
    }

    @Override
    public Tensor forward(Tensor src) { return forward(src, null, null, false); }

    /**
     * With an optional {@code srcMask} ({@code [T, T]} or {@code [N * nhead, T, T]}) and {@code srcKeyPaddingMask}
     * ({@code [N, T]}), in {@link MultiheadAttention}'s convention (BOOL true = not attended, or float added), and
     * {@code isCausal}.
     */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask, boolean isCausal) {
        Tensor x = src;
        if (normFirst) {
            x = x.add(selfAttention(norm1.forward(x), srcMask, srcKeyPaddingMask, isCausal));
            return x.add(feedForward(norm2.forward(x)));
        }
        x = norm1.forward(x.add(selfAttention(x, srcMask, srcKeyPaddingMask, isCausal)));
        return norm2.forward(x.add(feedForward(x)));
    }

    private Tensor selfAttention(Tensor x, Tensor mask, Tensor padding, boolean causal) {
        return dropout1.forward(selfAttn.forward(x, x, x, padding, mask, causal));
    }

    private Tensor feedForward(Tensor x) {
        return dropout2.forward(linear2.forward(dropout.forward(activation.forward(linear1.forward(x)))));
    }
}
