package dev.ember.nn;

/**
 * Options of {@link TransformerEncoderLayer} and {@link TransformerDecoderLayer}, with PyTorch's defaults:
 * feed-forward width 2048, dropout 0.1, ReLU, LayerNorm eps 1e-5, time-major, post-norm.
 */
public final class TransformerOptions {
    int dimFeedforward = 2048;
    double dropout = 0.1, layerNormEps = 1e-5;
    String activation = "relu";
    boolean batchFirst, normFirst;

    /** PyTorch's defaults. */
    public TransformerOptions() {}

    /** Width of the feed-forward layer (default 2048). */
    public TransformerOptions dimFeedforward(int d) { this.dimFeedforward = d; return this; }

    /** Dropout after attention, inside and after the feed-forward layer (default 0.1). */
    public TransformerOptions dropout(double p) { this.dropout = p; return this; }

    /** {@code "relu"} (default) or {@code "gelu"} (exact). */
    public TransformerOptions activation(String a) {
        if (!a.equals("relu") && !a.equals("gelu"))
            throw new IllegalArgumentException("Transformer layer: activation must be 'relu' or 'gelu', got '" + a + "'");
        this.activation = a;
        return this;
    }

    /** LayerNorm epsilon (default 1e-5). */
    public TransformerOptions layerNormEps(double eps) { this.layerNormEps = eps; return this; }

    /** Inputs as {@code [batch, T, dModel]} (default false: {@code [T, batch, dModel]}). */
    public TransformerOptions batchFirst(boolean b) { this.batchFirst = b; return this; }

    /** Pre-norm: normalise before attention and the feed-forward layer (default false: after the residual add). */
    public TransformerOptions normFirst(boolean b) { this.normFirst = b; return this; }

    Module activationModule() { return activation.equals("relu") ? new ReLU() : new GELU(); }
}
