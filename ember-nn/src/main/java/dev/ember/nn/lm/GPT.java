package dev.ember.nn.lm;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.nn.Dropout;
import dev.ember.nn.Embedding;
import dev.ember.nn.LayerNorm;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.ModuleList;
import dev.ember.nn.functional.F;
import dev.ember.nn.init.Init;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A decoder-only transformer language model in GPT-2's layout: token and learned position embeddings, {@code layers}
 * blocks of causal multi-head self-attention and a GELU feed-forward layer (width {@code 4 * width}) with residual
 * connections, a final LayerNorm and an output layer onto the vocabulary, by default tied to the token embedding.
 * Token ids {@code [batch, T]} (INT64 or INT32) give logits {@code [batch, T, vocabSize]}.
 *
 * <p>Submodules carry GPT-2's names ({@code wte}, {@code wpe}, {@code h.<i>.ln_1}, {@code h.<i>.attn.c_attn},
 * {@code h.<i>.attn.c_proj}, {@code h.<i>.ln_2}, {@code h.<i>.mlp.c_fc}, {@code h.<i>.mlp.c_proj}, {@code ln_f}, and
 * {@code lm_head} when untied), with Ember's {@code Linear} layout {@code [out, in]}; {@link Gpt2Checkpoint} converts
 * to and from Hugging Face's files. Attention is {@link F#scaledDotProductAttention}, one node per block.
 *
 * <p>Inference continues sequences through a {@link KVCache}: {@link #forward(Tensor, KVCache, Tensor, Tensor)}
 * computes only the new positions. Generation (sampling, streaming, batches) is in {@link Generation}.
 */
public final class GPT extends Module {
    private final GPTConfig config;
    private final Embedding wte, wpe;
    private final Dropout drop;
    private final ModuleList<Block> h;
    private final LayerNorm lnF;
    private final Linear lmHead;

    /** A model of {@code config}'s shape with GPT-2's initialisation: weights from N(0, initStd), zero biases. */
    public GPT(GPTConfig config) {
        this(config, null);
        namedModules().values().forEach(m -> {
            if (m instanceof Linear l) {
                Init.normal(l.weight(), 0, config.initStd());
                if (l.bias() != null) Init.zeros(l.bias());
            } else if (m instanceof Embedding e) {
                Init.normal(e.weight(), 0, config.initStd());
            }
        });
    }

    /**
     * A model of {@code config}'s shape whose floating-point tensors are {@code dtype} (null: the default dtype), to be
     * overwritten by a checkpoint: not initialised as GPT-2, and never whole in float32. The layers build their tensors
     * in float32, so each submodule is converted as soon as it is built and its float32 tensors are released at once;
     * at most one submodule (the token embedding, for GPT-2) exists in float32 at a time.
     */
    private GPT(GPTConfig config, DType dtype) {
        this.config = config;
        int c = config.width();
        wte = registerModule("wte", in(dtype, () -> new Embedding(config.vocabSize(), c)));
        wpe = registerModule("wpe", in(dtype, () -> new Embedding(config.contextLength(), c)));
        drop = registerModule("drop", new Dropout(config.dropout()));
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < config.layers(); i++) blocks.add(in(dtype, () -> new Block(config)));
        h = registerModule("h", new ModuleList<>(blocks));
        lnF = registerModule("ln_f", in(dtype, () -> new LayerNorm(new long[]{c}, config.layerNormEps(), true, config.bias())));
        lmHead = config.tieWeights() ? null : registerModule("lm_head", in(dtype, () -> new Linear(c, config.vocabSize(), false)));
    }

    /** An uninitialised model in {@code dtype} for a checkpoint to fill ({@link Gpt2Checkpoint#load(java.nio.file.Path, DType)}). */
    static GPT uninitialised(GPTConfig config, DType dtype) {
        try (var ignored = Ember.noGrad()) {
            return new GPT(config, dtype);
        }
    }

    /**
     * A submodule built in a scope of its own (so its initialisers' temporaries are released at once) and converted to
     * {@code dtype}, its tensors in the default dtype released (nothing else holds them yet).
     */
    private static <M extends Module> M in(DType dtype, java.util.function.Supplier<M> build) {
        try (var scope = Ember.scope()) {
            M m = build.get();
            if (dtype == null || dtype == Ember.defaultDType()) return m;
            List<Tensor> built = new ArrayList<>(m.stateDict().values());
            m.to(dtype);
            for (Tensor t : built) if (t.dtype().isFloatingPoint() && t.dtype() != dtype) t.strided().storage().release();
            return m;
        }
    }

    /** The configuration. */
    public GPTConfig config() { return config; }

    /** Logits {@code [batch, T, vocabSize]} of token ids {@code [batch, T]} (T at most the context length). */
    @Override
    public Tensor forward(Tensor ids) { return forward(ids, null, null, null); }

    /**
     * Logits of {@code ids [batch, T]} continuing {@code cache} (null: a fresh sequence; with a cache, the new keys and
     * values are appended and the cache advances by T). {@code keyMask [batch, cache.length + T]} (BOOL, true for real
     * tokens; null: all real) hides left padding from attention, and {@code positions [batch, T]} gives each token's
     * position (null: {@code cache.length + t}); a left-padded batch passes both. A {@code keyMask} of
     * {@code [batch, T, cache.length + T]} gives each query its own keys instead (true: visible; the causal mask
     * still applies): several examples packed into one row pass a block-diagonal mask, so none attends to another.
     */
    public Tensor forward(Tensor ids, KVCache cache, Tensor keyMask, Tensor positions) {
        if (ids.dim() != 2 || ids.dtype().isFloatingPoint())
            throw new IllegalArgumentException("GPT: expected integer token ids [batch, T], got " + ids.dtype() + " " + Arrays.toString(ids.shape()));
        int b = (int) ids.size(0), t = (int) ids.size(1), past = cache == null ? 0 : cache.length();
        if (t == 0) throw new IllegalArgumentException("GPT: no tokens (ids " + Arrays.toString(ids.shape()) + ")");
        if (past + t > config.contextLength())
            throw new IllegalArgumentException("GPT: " + (past + t) + " positions exceed the context length " + config.contextLength()
                    + (past > 0 ? " (" + past + " cached + " + t + " new)" : ""));
        if (cache != null && cache.batch() != b)
            throw new IllegalArgumentException("GPT: the cache holds " + cache.batch() + " sequences, the ids " + b);
        checkIds(ids);
        Tensor pos = positions != null ? positions : Tensor.arange(past, past + t, 1).to(ids.device());
        if (positions != null) checkPositions(positions, b, t);
        Tensor x = drop.forward(wte.forward(ids).add(wpe.forward(pos)));
        Tensor mask = null;
        boolean causal = false;
        if (keyMask == null && past == 0) {
            causal = t > 1;
        } else if (keyMask != null || t > 1) {
            mask = attentionMask(keyMask, b, past, t, ids);
        }
        for (int i = 0; i < h.size(); i++) x = h.get(i).forward(x, cache, i, mask, causal);
        if (cache != null) cache.advance(t);
        x = lnF.forward(x);
        return lmHead != null ? project(lmHead, x) : project(wte.weight(), null, x);
    }

    /** Rows at or below which an inference step multiplies by a float32 weight without the GEMM (see {@link #project}). */
    private static final int GEMV_ROWS = 8;

    /**
     * {@code x W^T + b}. A generation step has one row per sequence, and for so few rows the GEMM's packing of the
     * whole weight costs more than the product: without a graph to record, the rows are multiplied against the weight
     * directly, {@code sum(x[.., None, :] * W, -1)}, one pass over the weight. A 16-bit weight goes to the product,
     * which reads it in 16 bits for so few rows and accumulates in float32 (the elementwise form would round every
     * product to 16 bits).
     */
    static Tensor project(Tensor w, Tensor b, Tensor x) {
        long rows = x.numel() / Math.max(1, x.size(-1));
        if (rows > GEMV_ROWS || Ember.isGradEnabled() || w.dtype().isHalf()) return F.linear(x, w, b);
        Tensor y = x.unsqueeze(-2).mul(w).sum(-1);
        return b == null ? y : y.add(b);
    }

    /** {@code layer}'s output for {@code x} through {@link #project}, plus the layer's adapter output when it has one. */
    static Tensor project(Linear layer, Tensor x) {
        Tensor y = project(layer.weight(), layer.bias(), x);
        return layer.adapter() == null ? y : y.add(layer.adapter().apply(x));
    }

    /** Keys visible to each new query: causal (query {@code i} sees keys up to {@code past + i}) and not padding. */
    private static Tensor attentionMask(Tensor keyMask, int b, int past, int t, Tensor ids) {
        int s = past + t;
        Tensor causal = Tensor.ones(DType.BOOL, t, s).to(ids.device()).tril(past);
        if (keyMask == null) return causal;
        boolean perKey = keyMask.dim() == 2 && keyMask.size(0) == b && keyMask.size(1) == s;
        boolean perQuery = keyMask.dim() == 3 && keyMask.size(0) == b && keyMask.size(1) == t && keyMask.size(2) == s;
        if (keyMask.dtype() != DType.BOOL || !(perKey || perQuery))
            throw new IllegalArgumentException("GPT: keyMask must be BOOL [" + b + ", " + s + "] (cached + new positions) or [" + b + ", " + t
                    + ", " + s + "] (per query), got " + keyMask.dtype() + " " + Arrays.toString(keyMask.shape()));
        return keyMask.reshape(b, 1, perQuery ? t : 1, s).logicalAnd(causal);
    }

    private void checkIds(Tensor ids) {
        long lo, hi;
        try (var ignored = Ember.noGrad()) {
            lo = ids.min().itemLong();
            hi = ids.max().itemLong();
        }
        if (lo < 0 || hi >= config.vocabSize())
            throw new IllegalArgumentException("GPT: token id " + (lo < 0 ? lo : hi) + " is outside the vocabulary [0, " + config.vocabSize() + ")");
    }

    private void checkPositions(Tensor positions, int b, int t) {
        if (positions.dim() != 2 || positions.size(0) != b || positions.size(1) != t || positions.dtype().isFloatingPoint())
            throw new IllegalArgumentException("GPT: positions must be integer [" + b + ", " + t + "], got " + positions.dtype() + " "
                    + Arrays.toString(positions.shape()));
        long hi = positions.max().itemLong(), lo = positions.min().itemLong();
        if (lo < 0 || hi >= config.contextLength())
            throw new IllegalArgumentException("GPT: position " + (lo < 0 ? lo : hi) + " is outside [0, " + config.contextLength() + ")");
    }

    /** A new, empty cache for {@code batch} sequences on this model's device and dtype. */
    public KVCache newCache(int batch) {
        Tensor w = wte.weight();
        return new KVCache(config, batch, config.contextLength(), w.dtype(), w.device());
    }

    /** The token embedding {@code [vocabSize, width]} (also the output layer's weight when tied). */
    public Tensor tokenEmbedding() { return wte.weight(); }

    @Override
    public String toString() {
        return "GPT(layers=" + config.layers() + ", width=" + config.width() + ", heads=" + config.heads() + ", context="
                + config.contextLength() + ", vocab=" + config.vocabSize() + ", parameters=" + parameterCount() + ")";
    }

    // =========================================================================================
    // Blocks
    // =========================================================================================

    /** One transformer block: attention and feed-forward, each with a residual connection. */
    static final class Block extends Module {
        final LayerNorm ln1, ln2;
        final SelfAttention attn;
        final Mlp mlp;
        final boolean preNorm;

        Block(GPTConfig c) {
            ln1 = registerModule("ln_1", new LayerNorm(new long[]{c.width()}, c.layerNormEps(), true, c.bias()));
            attn = registerModule("attn", new SelfAttention(c));
            ln2 = registerModule("ln_2", new LayerNorm(new long[]{c.width()}, c.layerNormEps(), true, c.bias()));
            mlp = registerModule("mlp", new Mlp(c));
            preNorm = c.preNorm();
        }

        @Override
        public Tensor forward(Tensor x) { return forward(x, null, 0, null, true); }

        Tensor forward(Tensor x, KVCache cache, int layer, Tensor mask, boolean causal) {
            if (preNorm) {
                x = x.add(attn.forward(ln1.forward(x), cache, layer, mask, causal));
                return x.add(mlp.forward(ln2.forward(x)));
            }
            x = ln1.forward(x.add(attn.forward(x, cache, layer, mask, causal)));
            return ln2.forward(x.add(mlp.forward(x)));
        }
    }

    /** Causal self-attention: one projection to queries, keys and values ({@code c_attn}), attention, {@code c_proj}. */
    static final class SelfAttention extends Module {
        final Linear cAttn, cProj;
        final Dropout residDropout;
        final int heads, headDim, width;
        final double attnDropout;

        SelfAttention(GPTConfig c) {
            width = c.width();
            heads = c.heads();
            headDim = c.headDim();
            attnDropout = c.dropout();
            cAttn = registerModule("c_attn", new Linear(width, 3 * width, c.bias()));
            cProj = registerModule("c_proj", new Linear(width, width, c.bias()));
            residDropout = registerModule("resid_dropout", new Dropout(c.dropout()));
        }

        @Override
        public Tensor forward(Tensor x) { return forward(x, null, 0, null, true); }

        Tensor forward(Tensor x, KVCache cache, int layer, Tensor mask, boolean causal) {
            long b = x.size(0), t = x.size(1);
            // [b, t, 3C] -> [b, t, 3, H, hd]; q, k, v are strided views [b, H, t, hd] of it
            Tensor qkv = project(cAttn, x).view(b, t, 3, heads, headDim);
            Tensor q = qkv.select(2, 0).transpose(1, 2), k = qkv.select(2, 1).transpose(1, 2), v = qkv.select(2, 2).transpose(1, 2);
            if (cache != null) {
                Tensor[] kv = cache.append(layer, k, v);
                k = kv[0];
                v = kv[1];
            }
            Tensor y = F.scaledDotProductAttention(q, k, v, mask, isTraining() ? attnDropout : 0, causal);
            return residDropout.forward(project(cProj, y.transpose(1, 2).reshape(b, t, width)));
        }
    }

    /** The feed-forward layer: {@code c_proj(gelu(c_fc(x)))} with a hidden width of {@code 4 * width}. */
    static final class Mlp extends Module {
        final Linear cFc, cProj;
        final Dropout dropout;
        final boolean tanh;

        Mlp(GPTConfig c) {
            cFc = registerModule("c_fc", new Linear(c.width(), 4 * c.width(), c.bias()));
            cProj = registerModule("c_proj", new Linear(4 * c.width(), c.width(), c.bias()));
            dropout = registerModule("dropout", new Dropout(c.dropout()));
            tanh = c.activation().equals("gelu_new");
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor hidden = project(cFc, x);
            return dropout.forward(project(cProj, tanh ? F.gelu(hidden, "tanh") : F.gelu(hidden)));
        }
    }
}
