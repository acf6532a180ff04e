package dev.ember.nn;

import dev.ember.Tensor;

/**
 * One decoder layer as PyTorch's {@code nn.TransformerDecoderLayer}: self-attention over the target, attention
 * over the encoder's {@code memory}, and a feed-forward layer, each with dropout and a residual connection,
 * post-norm by default or pre-norm ({@code normFirst}). Submodules carry PyTorch's names ({@code self_attn},
 * {@code multihead_attn}, {@code linear1}, {@code linear2}, {@code norm1..3}).
 */
public final class TransformerDecoderLayer extends Module {
    private final MultiheadAttention selfAttn, crossAttn;
    private final Linear linear1, linear2;
    private final Dropout dropout, dropout1, dropout2, dropout3;
    private final LayerNorm norm1, norm2, norm3;
    private final Module activation;
    private final boolean normFirst;

    /** A layer with PyTorch's defaults. */
    public TransformerDecoderLayer(int dModel, int nhead) { this(dModel, nhead, new TransformerOptions()); }

    /** A layer with the given options. */
    public TransformerDecoderLayer(int dModel, int nhead, TransformerOptions o) {
        selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, o.dropout, true, o.batchFirst, dModel, dModel));
        crossAttn = registerModule("multihead_attn", new MultiheadAttention(dModel, nhead, o.dropout, true, o.batchFirst, dModel, dModel));
        linear1 = registerModule("linear1", new Linear(dModel, o.dimFeedforward));
        dropout = registerModule("dropout", new Dropout(o.dropout));
        linear2 = registerModule("linear2", new Linear(o.dimFeedforward, dModel));
        norm1 = registerModule("norm1", new LayerNorm(new long[]{dModel}, o.layerNormEps, true));
        norm2 = registerModule("norm2", new LayerNorm(new long[]{dModel}, o.layerNormEps, true));
        norm3 = registerModule("norm3", new LayerNorm(new long[]{dModel}, o.layerNormEps, true));
        dropout1 = registerModule("dropout1", new Dropout(o.dropout));
        dropout2 = registerModule("dropout2", new Dropout(o.dropout));
        dropout3 = registerModule("dropout3", new Dropout(o.dropout));
        activation = o.activationModule();
        normFirst = o.normFirst;
    }

    /** A decoder layer needs the memory: use {@link #forward(Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor tgt) {
        throw new UnsupportedOperationException("TransformerDecoderLayer: call forward(tgt, memory, ...)");
    }

    /** The layer without masks. */
    public Tensor forward(Tensor tgt, Tensor memory) { return forward(tgt, memory, null, null, null, null, false, false); }

    /** With optional masks in {@link MultiheadAttention}'s convention and causal flags, as PyTorch's forward. */
    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                          Tensor memoryKeyPaddingMask, boolean tgtIsCausal, boolean memoryIsCausal) {
        Tensor x = tgt;
        if (normFirst) {
            Tensor n1 = norm1.forward(x);
            x = x.add(dropout1.forward(selfAttn.forward(n1, n1, n1, tgtKeyPaddingMask, tgtMask, tgtIsCausal)));
            x = x.add(dropout2.forward(crossAttn.forward(norm2.forward(x), memory, memory, memoryKeyPaddingMask, memoryMask, memoryIsCausal)));
            return x.add(feedForward(norm3.forward(x)));
        }
        x = norm1.forward(x.add(dropout1.forward(selfAttn.forward(x, x, x, tgtKeyPaddingMask, tgtMask, tgtIsCausal))));
        x = norm2.forward(x.add(dropout2.forward(crossAttn.forward(x, memory, memory, memoryKeyPaddingMask, memoryMask, memoryIsCausal))));
        return norm3.forward(x.add(feedForward(x)));
    }

    private Tensor feedForward(Tensor x) {
        return dropout3.forward(linear2.forward(dropout.forward(activation.forward(linear1.forward(x)))));
    }
}
