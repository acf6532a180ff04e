package dev.ember.nn.functional;

import dev.ember.Attention;
import dev.ember.Autocast;
import dev.ember.DType;
import dev.ember.Normalization;
import dev.ember.Tensor;
import dev.ember.nn.Reduction;
import java.util.Arrays;

/**
 * Functional forms of activations, layers and losses, as {@code torch.nn.functional}. Every
 * function is composed of differentiable {@link Tensor} ops, so autograd supplies gradients.
 * Losses take {@code reduction} (default {@link Reduction#MEAN}).
 */
public final class F {
    private F() {}

    // ---- activations --------------------------------------------------------------------

    /** Elementwise {@code max(x, 0)}; any shape. */
    public static Tensor relu(Tensor x) { return x.relu(); }

    /** Elementwise {@code 1 / (1 + exp(-x))}; any shape. */
    public static Tensor sigmoid(Tensor x) { return x.sigmoid(); }

    /** Elementwise hyperbolic tangent; any shape. */
    public static Tensor tanh(Tensor x) { return x.tanh(); }

    /** Elementwise {@code x >= 0 ? x : negativeSlope * x}; any shape. */
    public static Tensor leakyRelu(Tensor x, double negativeSlope) { return x.leakyRelu(negativeSlope); }

    /** Exact GELU. */
    public static Tensor gelu(Tensor x) { return x.gelu(); }

    /** GELU, exact ({@code "none"}) or {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))} ({@code "tanh"}). */
    public static Tensor gelu(Tensor x, String approximate) {
        if (approximate.equals("none")) return x.gelu();
        if (!approximate.equals("tanh")) throw new IllegalArgumentException("gelu: approximate must be 'none' or 'tanh', got '" + approximate + "'");
        Tensor inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
        return x.mul(0.5).mul(inner.tanh().add(1.0));
    }

    /**
     * SiLU (swish), {@code x * sigmoid(x)}; any shape. One elementwise op ({@link Tensor#silu}) with its own gradient,
     * rather than a product that would save two tensors for backward.
     */
    public static Tensor silu(Tensor x) { return x.silu(); }

    /** SwiGLU's gate: {@code silu(gate) * up} (shapes broadcast), as in LLaMA's feed-forward layer. */
    public static Tensor swiglu(Tensor gate, Tensor up) { return silu(gate).mul(up); }

    /** Softmax along {@code dim}; keeps the shape. */
    public static Tensor softmax(Tensor x, int dim) { return x.softmax(dim); }

    /** Log-softmax along {@code dim}; keeps the shape. */
    public static Tensor logSoftmax(Tensor x, int dim) { return x.logSoftmax(dim); }

    // ---- layers -------------------------------------------------------------------------

    /** {@code [..., in] x [out, in] (+ [out]) -> [..., out]}; bias may be null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Tensor y = x.matmul(weight.t());
        return bias == null ? y : y.add(Autocast.lowerPrecision(bias)); // under autocast, one 16-bit op as PyTorch's linear
    }

    /** Rows of {@code weight [count, dim]} picked by integer {@code indices [...]}: {@code [..., dim]}. */
    public static Tensor embedding(Tensor indices, Tensor weight) {
        if (indices.dtype().isFloatingPoint())
            throw new IllegalArgumentException("embedding: indices must be an integer tensor, got " + indices.dtype());
        long[] shape = indices.shape();
        long[] out = Arrays.copyOf(shape, shape.length + 1);
        out[shape.length] = weight.size(1);
        return weight.indexSelect(0, indices.reshape(-1)).reshape(out);
    }

    /**
     * Layer normalisation over the trailing {@code normalizedShape}: {@code (x - mean) / sqrt(var + eps) * weight + bias}
     * with the biased variance; weight and bias may be null. One fused autograd node where the backend has one (the
     * CPU), float32 under autocast; see {@link Normalization}.
     */
    public static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return Normalization.layerNorm(x, normalizedShape, weight, bias, eps);
    }

    /**
     * RMS normalisation over the trailing {@code normalizedShape}: {@code x / sqrt(mean(x^2) + eps) * weight}; weight may be null.
     * One fused autograd node where the backend has one; see {@link Normalization}.
     */
    public static Tensor rmsNorm(Tensor x, long[] normalizedShape, Tensor weight, double eps) {
        return Normalization.rmsNorm(x, normalizedShape, weight, eps);
    }

    /** {@code softmax(q k^T / sqrt(E)) v}: {@code q [..., L, E]}, {@code k [..., S, E]}, {@code v [..., S, Ev]} -> {@code [..., L, Ev]}. */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v) {
        return Attention.scaledDotProductAttention(q, k, v);
    }

    /**
     * Attention as PyTorch's {@code F.scaled_dot_product_attention}: {@code attnMask} (null, BOOL where true takes part,
     * or float added to the scores; broadcast to {@code [..., L, S]}), dropout on the probabilities (pass 0 in eval
     * mode) and a causal mask. One autograd node whose backward recomputes the probabilities chunk by chunk; see
     * {@link Attention}.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attnMask, double dropoutP, boolean isCausal) {
        return Attention.scaledDotProductAttention(q, k, v, attnMask, dropoutP, isCausal);
    }

    /** As above with an explicit {@code scale} in place of {@code 1 / sqrt(E)}. */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attnMask, double dropoutP, boolean isCausal,
                                                   double scale) {
        return Attention.scaledDotProductAttention(q, k, v, attnMask, dropoutP, isCausal, scale);
    }

    /** Inverted dropout: in training zeroes with probability {@code p} and scales survivors by {@code 1/(1-p)}. */
    public static Tensor dropout(Tensor x, double p, boolean training) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
        if (!training || p == 0) return x;
        if (p == 1) return x.mul(0.0);
        Tensor keep = Tensor.randLike(x).ge(p).to(x.dtype());
        return x.mul(keep.mul(1 / (1 - p)));
    }

    // ---- regression losses --------------------------------------------------------------

    /** {@link #mseLoss} with PyTorch's defaults (mean reduction). */
    public static Tensor mseLoss(Tensor input, Tensor target) { return mseLoss(input, target, Reduction.MEAN); }

    /** Squared error {@code (input - target)^2}; shapes broadcast. */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        input = Autocast.float32(input);
        target = Autocast.float32(target);
        return reduction.apply(input.sub(target).square());
    }

    /** {@link #l1Loss} with PyTorch's defaults (mean reduction). */
    public static Tensor l1Loss(Tensor input, Tensor target) { return l1Loss(input, target, Reduction.MEAN); }

    /** Absolute error {@code |input - target|}. */
    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        input = Autocast.float32(input);
        target = Autocast.float32(target);
        return reduction.apply(input.sub(target).abs());
    }

    /** {@link #smoothL1Loss} with PyTorch's defaults (mean reduction). */
    public static Tensor smoothL1Loss(Tensor input, Tensor target) { return smoothL1Loss(input, target, Reduction.MEAN, 1.0); }

    /** {@code 0.5 d^2 / beta} where {@code |d| < beta}, else {@code |d| - 0.5 beta}; beta 0 is the L1 loss. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, Reduction reduction, double beta) {
        if (beta < 0) throw new IllegalArgumentException("smoothL1Loss: beta must be >= 0, got " + beta);
        Tensor d = Autocast.float32(input).sub(Autocast.float32(target)).abs();
        if (beta == 0) return reduction.apply(d);
        return reduction.apply(Tensor.where(d.lt(beta), d.square().mul(0.5 / beta), d.sub(0.5 * beta)));
    }

    /** {@link #huberLoss} with PyTorch's defaults (mean reduction). */
    public static Tensor huberLoss(Tensor input, Tensor target) { return huberLoss(input, target, Reduction.MEAN, 1.0); }

    /** {@code 0.5 d^2} where {@code |d| < delta}, else {@code delta (|d| - 0.5 delta)}. */
    public static Tensor huberLoss(Tensor input, Tensor target, Reduction reduction, double delta) {
        if (delta <= 0) throw new IllegalArgumentException("huberLoss: delta must be > 0, got " + delta);
        Tensor d = Autocast.float32(input).sub(Autocast.float32(target)).abs();
        return reduction.apply(Tensor.where(d.lt(delta), d.square().mul(0.5), d.sub(0.5 * delta).mul(delta)));
    }

    // ---- classification losses ----------------------------------------------------------

    /** Cross-entropy of logits {@code [n, c]} against class indices {@code [n]}, mean over the batch. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) { return CrossEntropy.DEFAULT.apply(logits, target); }

    /** Cross-entropy with every option; see {@link CrossEntropy}. */
    public static Tensor crossEntropy(Tensor logits, Tensor target, CrossEntropy options) { return options.apply(logits, target); }

    /** {@link #nllLoss} with PyTorch's defaults (mean reduction, no weights). */
    public static Tensor nllLoss(Tensor logProbs, Tensor target) { return nllLoss(logProbs, target, null, -100, Reduction.MEAN); }

    /**
     * Negative log-likelihood of log-probabilities {@code [n, c]} (or {@code [n, c, d...]}) at class
     * indices {@code [n]} (or {@code [n, d...]}). Each loss is {@code -weight[t] * logProbs[i, t]};
     * targets equal to {@code ignoreIndex} contribute nothing, and the mean divides by the sum of
     * the weights of the counted targets, as PyTorch.
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction) {
        Tensor lp = classesLast("nllLoss", Autocast.float32(logProbs), target);
        long classes = lp.size(1);
        Tensor t = target.reshape(-1).to(DType.INT64);
        Tensor counted = t.ne((double) ignoreIndex);
        checkTargets("nllLoss", t, counted, classes);
        Tensor safe = Tensor.where(counted, t, Tensor.zerosLike(t));
        Tensor picked = lp.gather(1, safe.unsqueeze(1)).squeeze(1).neg();
        Tensor w = counted.to(lp.dtype());
        if (weight != null) w = w.mul(weight.to(lp.dtype()).indexSelect(0, safe));
        Tensor losses = picked.mul(w);
        return switch (reduction) {
            case NONE -> losses.reshape(target.shape());
            case SUM -> losses.sum();
            case MEAN -> losses.sum().div(w.sum());
        };
    }

    /** Moves the class dim of {@code [n, c, d...]} last and flattens to {@code [n * d..., c]}; checks the target shape. */
    static Tensor classesLast(String op, Tensor input, Tensor target) {
        if (input.dim() < 2)
            throw new IllegalArgumentException(op + ": expected input [n, c] or [n, c, d...], got " + Arrays.toString(input.shape()));
        long[] expected = new long[input.dim() - 1];
        expected[0] = input.size(0);
        for (int i = 2; i < input.dim(); i++) expected[i - 1] = input.size(i);
        if (!Arrays.equals(expected, target.shape()))
            throw new IllegalArgumentException(op + ": input " + Arrays.toString(input.shape()) + " needs class-index targets of shape "
                    + Arrays.toString(expected) + ", got " + Arrays.toString(target.shape()));
        if (target.dtype().isFloatingPoint())
            throw new IllegalArgumentException(op + ": class-index targets must be integers, got " + target.dtype());
        if (input.dim() == 2) return input;
        int r = input.dim();
        int[] perm = new int[r];
        perm[0] = 0;
        for (int i = 2; i < r; i++) perm[i - 1] = i;
        perm[r - 1] = 1;
        return input.permute(perm).reshape(-1, input.size(1));
    }

    static void checkTargets(String op, Tensor t, Tensor counted, long classes) {
        if (t.numel() == 0) return;
        Tensor live = Tensor.where(counted, t, Tensor.zerosLike(t));
        long lo = live.min().itemLong(), hi = live.max().itemLong();
        if (lo < 0 || hi >= classes)
            throw new IllegalArgumentException(op + ": target " + (lo < 0 ? lo : hi) + " is out of bounds for " + classes + " classes");
    }

    /** Binary cross-entropy of probabilities with targets in [0, 1]; each log is clamped at -100, as PyTorch. */
    public static Tensor binaryCrossEntropy(Tensor probs, Tensor target) { return binaryCrossEntropy(probs, target, null, Reduction.MEAN); }

    /** {@code -w (y log p + (1 - y) log(1 - p))} for probabilities {@code p} and targets {@code y} of one shape; {@code weight} (broadcast) may be null. */
    public static Tensor binaryCrossEntropy(Tensor probs, Tensor target, Tensor weight, Reduction reduction) {
        sameShape("binaryCrossEntropy", probs, target);
        probs = Autocast.float32(probs);
        target = Autocast.float32(target);
        Tensor logP = probs.log().clampMin(-100), log1mP = probs.rsub(1.0).log().clampMin(-100);
        Tensor losses = target.mul(logP).add(target.rsub(1.0).mul(log1mP)).neg();
        if (weight != null) losses = losses.mul(weight);
        return reduction.apply(losses);
    }

    /** {@link #binaryCrossEntropyWithLogits} with PyTorch's defaults (mean reduction, no weights). */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target) {
        return binaryCrossEntropyWithLogits(logits, target, null, null, Reduction.MEAN);
    }

    /**
     * Sigmoid and binary cross-entropy in one stable formula:
     * {@code (1 - y) x + (1 + (posWeight - 1) y) (log(1 + exp(-|x|)) + max(-x, 0))}; weight and posWeight may be null.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor weight, Tensor posWeight, Reduction reduction) {
        sameShape("binaryCrossEntropyWithLogits", logits, target);
        logits = Autocast.float32(logits);
        target = Autocast.float32(target);
        Tensor softTerm = logits.abs().neg().exp().log1p().add(logits.neg().clampMin(0));
        Tensor coef = posWeight == null ? null : posWeight.sub(1.0).mul(target).add(1.0);
        Tensor losses = target.rsub(1.0).mul(logits).add(coef == null ? softTerm : coef.mul(softTerm));
        if (weight != null) losses = losses.mul(weight);
        return reduction.apply(losses);
    }

    /** {@link #hingeEmbeddingLoss} with PyTorch's defaults (mean reduction). */
    public static Tensor hingeEmbeddingLoss(Tensor input, Tensor target) { return hingeEmbeddingLoss(input, target, 1.0, Reduction.MEAN); }

    /** {@code x} where target is 1, {@code max(0, margin - x)} where it is -1. */
    public static Tensor hingeEmbeddingLoss(Tensor input, Tensor target, double margin, Reduction reduction) {
        input = Autocast.float32(input);
        Tensor zeros = Tensor.zerosLike(input);
        Tensor marginPart = Tensor.where(target.ne(1.0), input.rsub(margin).clampMin(0), zeros);
        Tensor selfPart = Tensor.where(target.ne(-1.0), input, zeros);
        return reduction.apply(marginPart.add(selfPart));
    }

    /** {@link #multiMarginLoss} with PyTorch's defaults (mean reduction). */
    public static Tensor multiMarginLoss(Tensor input, Tensor target) { return multiMarginLoss(input, target, 1, 1.0, null, Reduction.MEAN); }

    /**
     * Multi-class hinge of scores {@code [n, c]} and indices {@code [n]}:
     * {@code sum_{j != y} w[y] max(0, margin - x[y] + x[j])^p / c} per example ({@code p} is 1 or 2).
     */
    public static Tensor multiMarginLoss(Tensor input, Tensor target, int p, double margin, Tensor weight, Reduction reduction) {
        if (p != 1 && p != 2) throw new IllegalArgumentException("multiMarginLoss: p must be 1 or 2, got " + p);
        input = Autocast.float32(input);
        if (input.dim() != 2) throw new IllegalArgumentException("multiMarginLoss: expected input [n, c], got " + Arrays.toString(input.shape()));
        long c = input.size(1);
        Tensor t = target.reshape(-1, 1).to(DType.INT64);
        Tensor correct = input.gather(1, t);
        Tensor hinge = input.sub(correct).add(margin).clampMin(0);
        if (p == 2) hinge = hinge.square();
        if (weight != null) hinge = hinge.mul(weight.to(input.dtype()).indexSelect(0, t.reshape(-1)).unsqueeze(1));
        Tensor notTarget = Tensor.arange(c).to(input.device()).unsqueeze(0).ne(t).to(input.dtype());
        return reduction.apply(hinge.mul(notTarget).sum(1).div((double) c));
    }

    static void sameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException(op + ": input " + Arrays.toString(a.shape()) + " and target " + Arrays.toString(b.shape())
                    + " must have the same shape");
    }
}
