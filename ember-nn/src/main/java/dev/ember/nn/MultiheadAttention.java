package dev.ember.nn;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.nn.functional.F;
import dev.ember.nn.init.Init;
import java.util.Arrays;

/**
 * Multi-head attention as PyTorch's {@code nn.MultiheadAttention}: queries, keys and values are projected, split
 * into {@code numHeads} heads of width {@code embedDim / numHeads}, attended with
 * {@link F#scaledDotProductAttention} (one fused node per call) and projected back by {@code out_proj}.
 *
 * <p>Shapes: {@code query [L, N, E]}, {@code key [S, N, kdim]}, {@code value [S, N, vdim]} -> {@code [L, N, E]};
 * with {@code batchFirst}, {@code [N, L, E]} and so on. Masks follow {@code nn.MultiheadAttention}, whose BOOL
 * convention is the opposite of {@code scaled_dot_product_attention}'s: {@code keyPaddingMask [N, S]} and
 * {@code attnMask [L, S]} or {@code [N * numHeads, L, S]} are true where a position must NOT be attended, or are
 * float masks added to the scores; {@code isCausal} adds a causal mask. Parameters carry PyTorch's names:
 * {@code in_proj_weight [3E, E]} and {@code in_proj_bias [3E]} (or {@code q_proj_weight}, {@code k_proj_weight},
 * {@code v_proj_weight} when {@code kdim} or {@code vdim} differ from {@code E}), {@code out_proj.weight},
 * {@code out_proj.bias}; initialised as PyTorch's (Xavier-uniform projections, zero biases).
 */
public final class MultiheadAttention extends Module {
    private final int embedDim, numHeads, headDim, kdim, vdim;
    private final double dropout;
    private final boolean batchFirst;
    private final Parameter inProjWeight, qProjWeight, kProjWeight, vProjWeight, inProjBias;
    private final Linear outProj;

    /** Time-major attention with biases and no dropout. */
    public MultiheadAttention(int embedDim, int numHeads) { this(embedDim, numHeads, 0, true, false, embedDim, embedDim); }

    /** All of PyTorch's options except {@code add_bias_kv} and {@code add_zero_attn}. */
    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst, int kdim, int vdim) {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0)
            throw new IllegalArgumentException("MultiheadAttention: embedDim (" + embedDim + ") must be a positive multiple of numHeads (" + numHeads + ")");
        if (dropout < 0 || dropout >= 1) throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1), got " + dropout);
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.headDim = embedDim / numHeads;
        this.kdim = kdim;
        this.vdim = vdim;
        this.dropout = dropout;
        this.batchFirst = batchFirst;
        if (kdim == embedDim && vdim == embedDim) {
            inProjWeight = registerParameter("in_proj_weight", Init.xavierUniform(Tensor.zeros(3L * embedDim, embedDim), 1));
            qProjWeight = kProjWeight = vProjWeight = null;
        } else {
            inProjWeight = null;
            qProjWeight = registerParameter("q_proj_weight", Init.xavierUniform(Tensor.zeros(embedDim, embedDim), 1));
            kProjWeight = registerParameter("k_proj_weight", Init.xavierUniform(Tensor.zeros(embedDim, kdim), 1));
            vProjWeight = registerParameter("v_proj_weight", Init.xavierUniform(Tensor.zeros(embedDim, vdim), 1));
        }
        inProjBias = bias ? registerParameter("in_proj_bias", Tensor.zeros(3L * embedDim)) : null;
        outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias));
        if (bias) Init.zeros(outProj.bias());
    }

    /** Self-attention of {@code x} with no mask. */
    @Override
    public Tensor forward(Tensor x) { return forward(x, x, x, null, null, false); }

    /** The attention output; masks may be null (see the class comment for shapes and conventions). */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask, boolean isCausal) {
        Heads h = heads(query, key, value);
        Tensor mask = combinedMask(keyPaddingMask, attnMask, h.n, h.l, h.s, h.q.dtype());
        double p = isTraining() ? dropout : 0;
        Tensor o = F.scaledDotProductAttention(h.q, h.k, h.v, mask, p, isCausal);
        return merge(o, h.n, h.l, h.batched);
    }

    /** The output and the attention weights averaged over heads ({@code [N, L, S]}), as {@code need_weights=True}. */
    public Tensor[] forwardWithWeights(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask, boolean isCausal) {
        Heads h = heads(query, key, value);
        Tensor mask = combinedMask(keyPaddingMask, attnMask, h.n, h.l, h.s, h.q.dtype());
        Tensor scores = h.q.matmul(h.k.transpose(2, 3)).mul(1 / Math.sqrt(headDim));
        if (mask != null) scores = mask.dtype() == DType.BOOL ? scores.maskedFill(mask.logicalNot(), Double.NEGATIVE_INFINITY) : scores.add(mask);
        if (isCausal) scores = scores.maskedFill(Tensor.ones(DType.BOOL, h.l, h.s).to(scores.device()).tril(0).logicalNot(), Double.NEGATIVE_INFINITY);
        Tensor weights = scores.softmax(-1);
        Tensor probs = F.dropout(weights, isTraining() ? dropout : 0, isTraining());
        Tensor out = merge(probs.matmul(h.v), h.n, h.l, h.batched);
        Tensor avg = weights.mean(1);
        return new Tensor[]{out, h.batched ? avg : avg.squeeze(0)};
    }

    private record Heads(Tensor q, Tensor k, Tensor v, int n, int l, int s, boolean batched) {}

    /** Projections split into heads: {@code [N, H, L|S, headDim]}. */
    private Heads heads(Tensor query, Tensor key, Tensor value) {
        boolean batched = query.dim() == 3;
        if (query.dim() != key.dim() || query.dim() != value.dim() || (query.dim() != 3 && query.dim() != 2))
            throw new IllegalArgumentException("MultiheadAttention: query, key and value must all be 3-D (batched) or 2-D (unbatched), got "
                    + Arrays.toString(query.shape()) + ", " + Arrays.toString(key.shape()) + ", " + Arrays.toString(value.shape()));
        // to [N, T, features]
        Tensor qn = !batched ? query.unsqueeze(0) : batchFirst ? query : query.transpose(0, 1);
        Tensor kn = !batched ? key.unsqueeze(0) : batchFirst ? key : key.transpose(0, 1);
        Tensor vn = !batched ? value.unsqueeze(0) : batchFirst ? value : value.transpose(0, 1);
        check("query", qn, embedDim);
        check("key", kn, kdim);
        check("value", vn, vdim);
        int n = (int) qn.size(0), l = (int) qn.size(1), s = (int) kn.size(1);
        if (kn.size(0) != n || vn.size(0) != n || vn.size(1) != s)
            throw new IllegalArgumentException("MultiheadAttention: query " + Arrays.toString(query.shape()) + ", key " + Arrays.toString(key.shape())
                    + " and value " + Arrays.toString(value.shape()) + " disagree on the batch size or the number of keys");
        Tensor q, k, v;
        Tensor b = inProjBias == null ? null : inProjBias.value();
        Tensor bq = b == null ? null : b.narrow(0, 0, embedDim), bk = b == null ? null : b.narrow(0, embedDim, embedDim);
        Tensor bv = b == null ? null : b.narrow(0, 2L * embedDim, embedDim);
        if (inProjWeight != null && query == key && key == value) {
            // self-attention: one product for all three projections
            Tensor qkv = F.linear(qn, inProjWeight.value(), b);
            q = qkv.narrow(2, 0, embedDim);
            k = qkv.narrow(2, embedDim, embedDim);
            v = qkv.narrow(2, 2L * embedDim, embedDim);
        } else if (inProjWeight != null) {
            Tensor w = inProjWeight.value();
            q = F.linear(qn, w.narrow(0, 0, embedDim), bq);
            k = F.linear(kn, w.narrow(0, embedDim, embedDim), bk);
            v = F.linear(vn, w.narrow(0, 2L * embedDim, embedDim), bv);
        } else {
            q = F.linear(qn, qProjWeight.value(), bq);
            k = F.linear(kn, kProjWeight.value(), bk);
            v = F.linear(vn, vProjWeight.value(), bv);
        }
        return new Heads(split(q, n, l), split(k, n, s), split(v, n, s), n, l, s, batched);
    }

    private void check(String what, Tensor t, int features) {
        if (t.size(2) != features)
            throw new IllegalArgumentException("MultiheadAttention: " + what + " has " + t.size(2) + " features, expected " + features);
    }

    private Tensor split(Tensor x, int n, int t) { return x.reshape(n, t, numHeads, headDim).transpose(1, 2); }

    /** {@code [N, H, L, headDim]} -> the caller's layout, through {@code out_proj}. */
    private Tensor merge(Tensor o, int n, int l, boolean batched) {
        Tensor y = outProj.forward(o.transpose(1, 2).reshape(n, l, embedDim));
        if (!batched) return y.squeeze(0);
        return batchFirst ? y : y.transpose(0, 1);
    }

    /**
     * The padding and attention masks as one mask for {@code scaledDotProductAttention} (BOOL, true = attend, when
     * both are BOOL or absent; otherwise float), broadcastable to {@code [N, H, L, S]}.
     */
    private Tensor combinedMask(Tensor keyPaddingMask, Tensor attnMask, int n, int l, int s, DType dtype) {
        Tensor pad = null, attn = null;
        if (keyPaddingMask != null) {
            Tensor kpm = keyPaddingMask.dim() == 1 ? keyPaddingMask.unsqueeze(0) : keyPaddingMask;
            if (kpm.dim() != 2 || kpm.size(0) != n || kpm.size(1) != s)
                throw new IllegalArgumentException("MultiheadAttention: keyPaddingMask must be [" + n + ", " + s + "] ([N, S]), got "
                        + Arrays.toString(keyPaddingMask.shape()));
            pad = kpm.reshape(n, 1, 1, s);
        }
        if (attnMask != null) {
            if (attnMask.dim() == 2 && attnMask.size(0) == l && attnMask.size(1) == s) attn = attnMask;
            else if (attnMask.dim() == 3 && attnMask.size(0) == (long) n * numHeads && attnMask.size(1) == l && attnMask.size(2) == s)
                attn = attnMask.reshape(n, numHeads, l, s);
            else
                throw new IllegalArgumentException("MultiheadAttention: attnMask must be [" + l + ", " + s + "] or [" + (n * numHeads) + ", " + l
                        + ", " + s + "], got " + Arrays.toString(attnMask.shape()));
        }
        if (pad == null && attn == null) return null;
        boolean allBool = (pad == null || pad.dtype() == DType.BOOL) && (attn == null || attn.dtype() == DType.BOOL);
        if (allBool) {
            Tensor masked = pad == null ? attn : attn == null ? pad : pad.logicalOr(attn);
            return masked.logicalNot();
        }
        double lowest = dtype == DType.FLOAT64 ? -Double.MAX_VALUE : -Float.MAX_VALUE;
        Tensor sum = null;
        for (Tensor m : new Tensor[]{pad, attn}) {
            if (m == null) continue;
            Tensor add = m.dtype() == DType.BOOL
                    ? Tensor.where(m, Tensor.full(Double.NEGATIVE_INFINITY, dtype).to(m.device()), Tensor.zeros(dtype).to(m.device()))
                    : m.to(dtype);
            sum = sum == null ? add : sum.add(add);
        }
        return sum.clampMin(lowest);
    }

    @Override
    public String toString() { return "MultiheadAttention(embedDim=" + embedDim + ", numHeads=" + numHeads + ", batchFirst=" + batchFirst + ")"; }
}
