package dev.ember.nn.lm;

/**
 * The shape of a {@link GPT}: vocabulary, context length, depth, width, heads, and the architectural switches
 * (pre- or post-norm, biases, tied input/output embeddings, dropout, LayerNorm epsilon, activation, initial
 * weight scale). Build with {@link #builder(int)}; the defaults are GPT-2's choices at a small size
 * (4 layers, width 128, 4 heads, context 128, pre-norm, biases, tied embeddings, exact GELU, eps 1e-5, N(0, 0.02)).
 *
 * @param activation {@code "gelu"} (exact erf form) or {@code "gelu_new"} (the tanh approximation GPT-2 was trained with)
 */
public record GPTConfig(int vocabSize, int contextLength, int layers, int width, int heads, boolean preNorm, boolean bias,
                        boolean tieWeights, double dropout, double layerNormEps, String activation, double initStd) {

    /** Checks the sizes; errors name the field. */
    public GPTConfig {
        positive("vocabSize", vocabSize);
        positive("contextLength", contextLength);
        positive("layers", layers);
        positive("width", width);
        positive("heads", heads);
        if (width % heads != 0)
            throw new IllegalArgumentException("GPTConfig: width (" + width + ") must be a multiple of heads (" + heads + ")");
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("GPTConfig: dropout must be in [0, 1), got " + dropout);
        if (!(layerNormEps > 0)) throw new IllegalArgumentException("GPTConfig: layerNormEps must be positive, got " + layerNormEps);
        if (!activation.equals("gelu") && !activation.equals("gelu_new"))
            throw new IllegalArgumentException("GPTConfig: activation must be 'gelu' or 'gelu_new', got '" + activation + "'");
    }

    private static void positive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException("GPTConfig: " + name + " must be positive, got " + v);
    }

    /** Width of one attention head. */
    public int headDim() { return width / heads; }

    /** A builder with the defaults described above for a vocabulary of {@code vocabSize}. */
    public static Builder builder(int vocabSize) { return new Builder(vocabSize); }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder(vocabSize);
        b.contextLength = contextLength;
        b.layers = layers;
        b.width = width;
        b.heads = heads;
        b.preNorm = preNorm;
        b.bias = bias;
        b.tieWeights = tieWeights;
        b.dropout = dropout;
        b.layerNormEps = layerNormEps;
        b.activation = activation;
        b.initStd = initStd;
        return b;
    }

    /** Options of {@link GPTConfig}. */
    public static final class Builder {
        private int vocabSize, contextLength = 128, layers = 4, width = 128, heads = 4;
        private boolean preNorm = true, bias = true, tieWeights = true;
        private double dropout, layerNormEps = 1e-5, initStd = 0.02;
        private String activation = "gelu";

        private Builder(int vocabSize) { this.vocabSize = vocabSize; }

        /** Number of token ids. */
        public Builder vocabSize(int v) { this.vocabSize = v; return this; }

        /** Longest sequence the model attends over (learned positions). */
        public Builder contextLength(int n) { this.contextLength = n; return this; }

        /** Number of transformer blocks. */
        public Builder layers(int n) { this.layers = n; return this; }

        /** Width of the residual stream (the embedding size). */
        public Builder width(int n) { this.width = n; return this; }

        /** Attention heads per block. */
        public Builder heads(int n) { this.heads = n; return this; }

        /** Normalise before each block (GPT-2) or after the residual add (the original transformer). */
        public Builder preNorm(boolean b) { this.preNorm = b; return this; }

        /** Biases in every Linear and LayerNorm. */
        public Builder bias(boolean b) { this.bias = b; return this; }

        /** The output layer reuses the token embedding's weight. */
        public Builder tieWeights(boolean b) { this.tieWeights = b; return this; }

        /** Dropout on embeddings, attention probabilities and residual branches, in training. */
        public Builder dropout(double p) { this.dropout = p; return this; }

        /** LayerNorm epsilon. */
        public Builder layerNormEps(double eps) { this.layerNormEps = eps; return this; }

        /** {@code "gelu"} or {@code "gelu_new"}. */
        public Builder activation(String a) { this.activation = a; return this; }

        /** Standard deviation of the initial weights. */
        public Builder initStd(double s) { this.initStd = s; return this; }

        /** The configuration. */
        public GPTConfig build() {
            return new GPTConfig(vocabSize, contextLength, layers, width, heads, preNorm, bias, tieWeights, dropout, layerNormEps, activation, initStd);
        }
    }
}
