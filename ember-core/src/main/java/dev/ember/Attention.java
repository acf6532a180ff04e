package dev.ember;

import dev.ember.backend.Backend;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.FusedSoftmax;
import dev.ember.backend.Philox;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import java.util.Arrays;

/**
 * Scaled dot-product attention, {@code softmax(q k^T * scale + mask) v}, as one autograd node, as
 * PyTorch's {@code F.scaled_dot_product_attention}: {@code q [..., L, E]}, {@code k [..., S, E]},
 * {@code v [..., S, Ev]} with broadcasting batch dims {@code ...}, giving {@code [..., L, Ev]}.
 *
 * <p>The batch of (batch, head) slices is walked in chunks. For each chunk the attention matrices are
 * computed with the backend's batched GEMM and its softmax (fused where the backend has one, else
 * composed of max, subtract, exp, sum and divide) into one reused buffer, multiplied by {@code v},
 * and dropped. Nothing of size {@code L x S} is saved for backward: the backward pass recomputes
 * each chunk's probabilities from {@code q} and {@code k}, so at most one chunk of attention matrices
 * (at most one matrix per slice, a bounded number of slices at a time) is live in either
 * direction. That costs one extra {@code q k^T} per step and saves the {@code [batch, heads, L, S]}
 * probabilities that a composed attention keeps for every layer. Everything is composed of backend
 * primitives, so it runs on every backend.
 *
 * <p>The gradient of the chunk's scores is {@code dS = P * (dP - rowsum(dO * O))} with
 * {@code dP = dO v^T} (the softmax backward, with the row sum taken from the output, which is
 * cheaper than from {@code P} when {@code Ev < S}); then {@code dq = scale dS k},
 * {@code dk = scale dS^T q}, {@code dv = P^T dO}.
 *
 * <p>Masks: a BOOL {@code attnMask} marks with true the positions that take part (PyTorch's
 * convention); a float mask is added to the scores. {@code isCausal} masks key {@code j} for query
 * {@code i} when {@code j > i} (the upper triangle of {@code [L, S]}, aligned top-left as PyTorch's).
 * Masked positions of a BOOL or causal mask get the dtype's lowest finite value rather than -inf, so
 * a query whose keys are all masked (a padding position) yields a finite average instead of NaN and
 * cannot poison later layers; it is the caller's business to ignore it. No gradient flows to the mask.
 */
public final class Attention {
    private Attention() {}

    /** CPU chunk size: a chunk's attention matrices take about this many bytes (they stay in L2). */
    private static final long CPU_CHUNK_BYTES = Long.getLong("ember.attention.chunkBytes", 1L << 20);

    /** On a GPU, large chunks keep kernels large; this bounds the buffers all the same. */
    private static final long GPU_CHUNK_BYTES = Long.getLong("ember.attention.gpuChunkBytes", 64L << 20);

    /** Test hook: when positive, the number of slices per chunk on every device. */
    static volatile int chunkSlicesOverride;

    /** {@code softmax(q k^T / sqrt(E)) v}; see the class comment for shapes. */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v) {
        return scaledDotProductAttention(q, k, v, null, 0, false, Double.NaN);
    }

    /** With an optional mask (BOOL: true takes part; float: added), dropout on the probabilities and a causal mask. */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attnMask, double dropoutP, boolean isCausal) {
        return scaledDotProductAttention(q, k, v, attnMask, dropoutP, isCausal, Double.NaN);
    }

    /**
     * The full form, as PyTorch's {@code scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal, scale)};
     * {@code scale} NaN means {@code 1 / sqrt(E)}. Dropout is applied whenever {@code dropoutP > 0} (pass 0 in eval
     * mode), from the default generator, and the backward pass regenerates the same mask.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attnMask, double dropoutP,
                                                   boolean isCausal, double scale) {
        Plan p = plan(q, k, v, attnMask, dropoutP, isCausal, scale);
        return p.forward();
    }

    // =========================================================================================
    // Argument checks and layout
    // =========================================================================================

    private static Plan plan(Tensor q, Tensor k, Tensor v, Tensor mask, double dropoutP, boolean causal, double scale) {
        String op = "scaledDotProductAttention";
        if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2)
            throw new IllegalArgumentException(op + ": q, k and v need at least 2 dims ([..., L, E], [..., S, E], [..., S, Ev]), got "
                    + Shapes.str(q.shape) + ", " + Shapes.str(k.shape) + ", " + Shapes.str(v.shape));
        if (!q.dtype().isFloatingPoint() || q.dtype() != k.dtype() || q.dtype() != v.dtype())
            throw new IllegalArgumentException(op + ": q, k and v must share one floating-point dtype, got " + q.dtype() + ", "
                    + k.dtype() + ", " + v.dtype());
        if (!q.device().equals(k.device()) || !q.device().equals(v.device()))
            throw new IllegalArgumentException(op + ": q, k and v are on different devices: " + q.device() + ", " + k.device() + ", " + v.device());
        int L = q.size32("attention", q.dim() - 2), E = q.size32("attention", q.dim() - 1);
        int S = k.size32("attention", k.dim() - 2), Ek = k.size32("attention", k.dim() - 1);
        int Sv = v.size32("attention", v.dim() - 2), Ev = v.size32("attention", v.dim() - 1);
        if (Ek != E)
            throw new IllegalArgumentException(op + ": q " + Shapes.str(q.shape) + " and k " + Shapes.str(k.shape)
                    + " must share the last dim (E), got " + E + " and " + Ek);
        if (Sv != S)
            throw new IllegalArgumentException(op + ": k " + Shapes.str(k.shape) + " and v " + Shapes.str(v.shape)
                    + " must have the same number of keys (S), got " + S + " and " + Sv);
        if (!(dropoutP >= 0 && dropoutP < 1))
            throw new IllegalArgumentException(op + ": dropoutP must be in [0, 1), got " + dropoutP);
        if (!Double.isNaN(scale) && !Double.isFinite(scale))
            throw new IllegalArgumentException(op + ": scale must be finite, got " + scale);
        long[] batch = Shapes.broadcast(op, Shapes.broadcast(op, lead(q), lead(k)), lead(v));
        Tensor additive = null;
        if (mask != null || causal) {
            if (mask != null) {
                if (!mask.device().equals(q.device()))
                    throw new IllegalArgumentException(op + ": attnMask is on " + mask.device() + " but q on " + q.device());
                if (mask.dtype() != DType.BOOL && mask.dtype() != q.dtype())
                    throw new IllegalArgumentException(op + ": attnMask must be BOOL or " + q.dtype() + " (q's dtype), got " + mask.dtype());
                long[] full = concat(batch, L, S);
                long[] b = Shapes.broadcast(op + " (attnMask)", mask.shape, full);
                if (!Arrays.equals(b, full))
                    throw new IllegalArgumentException(op + ": attnMask " + Shapes.str(mask.shape) + " does not broadcast to "
                            + Shapes.str(full) + " ([..., L, S])");
            }
            try (var ignored = Ember.noGrad()) {
                additive = additiveMask(mask, causal, L, S, q.dtype(), q.device());
            }
        }
        double sc = Double.isNaN(scale) ? 1 / Math.sqrt(E) : scale;
        return new Plan(q, k, v, batch, L, S, E, Ev, additive, dropoutP, sc);
    }

    /** The mask as one float tensor to add to the scores (its own, possibly broadcast, shape). */
    private static Tensor additiveMask(Tensor mask, boolean causal, int L, int S, DType dtype, Device device) {
        double lowest = dtype == DType.FLOAT64 ? -Double.MAX_VALUE : -Float.MAX_VALUE;
        Tensor keep = null;
        if (causal) keep = Tensor.ones(DType.BOOL, L, S).to(device).tril(0);
        if (mask == null) return Tensor.where(keep, Tensor.zeros(dtype).to(device), Tensor.full(lowest, dtype).to(device));
        if (mask.dtype() == DType.BOOL) {
            Tensor k = keep == null ? mask : mask.logicalAnd(keep);
            return Tensor.where(k, Tensor.zeros(dtype).to(device), Tensor.full(lowest, dtype).to(device));
        }
        return keep == null ? mask : Tensor.where(keep, mask, Tensor.full(lowest, dtype).to(device));
    }

    private static long[] lead(Tensor t) { return Arrays.copyOf(t.shape, t.dim() - 2); }

    private static long[] concat(long[] batch, int x, int y) {
        long[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = x;
        s[batch.length + 1] = y;
        return s;
    }

    /** {@code t} broadcast to {@code batch + [x, y]} and flattened to {@code [nb, x, y]} (a view when strides allow, else a copy). */
    private static Tensor flat(Tensor t, long[] batch, int x, int y) {
        return t.expand((concat(batch, x, y))).reshape(Shapes.numel(batch), x, y);
    }

    /** The element offset of each flattened batch index in {@code t} broadcast to {@code batch + [..]}. */
    private static long[] batchOffsets(Tensor t, long[] batch) {
        int nb = Math.toIntExact(Shapes.numel(batch)), lead = batch.length - (t.dim() - 2);
        long[] st = new long[batch.length];
        for (int i = 0; i < batch.length; i++) {
            int ti = i - lead;
            st[i] = ti < 0 || t.shape[ti] == 1 ? 0 : t.strides[ti];
        }
        long[] out = new long[nb], idx = new long[batch.length];
        for (int b = 0; b < nb; b++) {
            long off = t.offset;
            for (int i = 0; i < batch.length; i++) off += idx[i] * st[i];
            out[b] = off;
            for (int i = batch.length - 1; i >= 0; i--) {
                if (++idx[i] < batch[i]) break;
                idx[i] = 0;
            }
        }
        return out;
    }

    // =========================================================================================
    // Forward and backward over chunks
    // =========================================================================================

    /** One call's operands, flattened to {@code [nb, ...]}, and the chunk loop shared by forward and backward. */
    private static final class Plan {
        final Tensor q, k, v;               // the caller's tensors (saved: in-place changes are caught)
        final long[] batch;
        final int nb, L, S, E, Ev;
        final Tensor mask;                  // additive, own shape; null without one
        final long[] maskOffsets;           // per batch index
        final long maskRowStride, maskColStride;
        final double dropoutP, scale;
        final Backend be;
        final DType dtype;
        final int chunk;
        long dropoutSeed, dropoutStart;
        Tensor qs, kf, vf;                  // q * scale, k and v as [nb, L|S, E|Ev]

        Plan(Tensor q, Tensor k, Tensor v, long[] batch, int L, int S, int E, int Ev, Tensor mask, double dropoutP, double scale) {
            this.q = q;
            this.k = k;
            this.v = v;
            this.batch = batch;
            this.nb = Shapes.int32("attention", "batch size", Shapes.numel(batch));
            this.L = L;
            this.S = S;
            this.E = E;
            this.Ev = Ev;
            this.mask = mask;
            this.dropoutP = dropoutP;
            this.scale = scale;
            this.be = q.backend();
            this.dtype = q.dtype();
            if (mask != null) {
                maskOffsets = batchOffsets(mask, batch);
                int r = mask.dim();
                maskRowStride = r >= 2 && mask.shape[r - 2] != 1 ? mask.strides[r - 2] : 0;
                maskColStride = r >= 1 && mask.shape[r - 1] != 1 ? mask.strides[r - 1] : 0;
            } else {
                maskOffsets = null;
                maskRowStride = maskColStride = 0;
            }
            long slice = Math.max(1L, (long) L * S * dtype.byteSize());
            long budget = q.device().isCpu() ? CPU_CHUNK_BYTES : GPU_CHUNK_BYTES;
            int c = (int) Math.max(1, Math.min(Math.max(1, nb), budget / slice));
            this.chunk = chunkSlicesOverride > 0 ? Math.min(chunkSlicesOverride, Math.max(1, nb)) : c;
        }

        Tensor forward() {
            Tensor out;
            try (var ignored = Ember.noGrad()) {
                // q is scaled once here ([nb, L, E], smaller than the scores when E < S); the copy doubles as
                // the contiguous [nb, L, E] layout the GEMMs want.
                qs = flat(q, batch, L, E).mul(scale);
                kf = flat(k, batch, S, E);
                vf = flat(v, batch, S, Ev);
                if (dropoutP > 0) {
                    long perSlice = Philox.advance((long) L * S);
                    dropoutSeed = Ember.generator().seed();
                    dropoutStart = Ember.generator().take(2 * perSlice * nb);
                }
                // every slice's product writes its part of out in full; with no keys (S = 0) out stays zero
                out = S > 0 ? Tensor.uninitialized(be, dtype, new long[]{nb, L, Ev}) : Tensor.empty(be, dtype, new long[]{nb, L, Ev});
                if (out.numel() > 0 && S > 0) {
                    Buffers buf = new Buffers(this, false);
                    try {
                        for (int b0 = 0; b0 < nb; ) {
                            int c = piece(b0);
                            probabilities(b0, c, buf);
                            be.matmul(slices(buf.dropped(), c, L, S), slices(vf, b0, c), slices(out, b0, c));
                            b0 += c;
                        }
                    } finally {
                        buf.close();
                    }
                }
            }
            Tensor result = out.view((concat(batch, L, Ev)));
            Tensor o = out;
            return Tensor.recordSaving("scaledDotProductAttention", result, new Tensor[]{q, k, v},
                    (g, needs) -> backward(g, o, needs), q, k, v);
        }

        private Tensor[] backward(Tensor gradOut, Tensor out, boolean[] needs) {
            Tensor dO = flat(gradOut, batch, L, Ev);
            // rowsum(dO * O) = rowsum(P * dP): the softmax backward's per-row term.
            Tensor rows = dO.mul(out).sum(2, false);
            // the chunks' products write dq, dk and dv in full when there is anything to multiply
            boolean written = L > 0 && S > 0;
            Tensor dq = written ? Tensor.uninitialized(be, dtype, new long[]{nb, L, E}) : Tensor.empty(be, dtype, new long[]{nb, L, E});
            Tensor dk = written ? Tensor.uninitialized(be, dtype, new long[]{nb, S, E}) : Tensor.empty(be, dtype, new long[]{nb, S, E});
            Tensor dv = written ? Tensor.uninitialized(be, dtype, new long[]{nb, S, Ev}) : Tensor.empty(be, dtype, new long[]{nb, S, Ev});
            if (L > 0 && S > 0) {
                Buffers buf = new Buffers(this, true);
                try {
                    for (int b0 = 0; b0 < nb; ) {
                        int c = piece(b0);
                        probabilities(b0, c, buf);
                        Strided p = slices(buf.p, c, L, S), pd = slices(buf.dropped(), c, L, S), ds = slices(buf.s, c, L, S);
                        if (Ev > 0) be.matmul(transposed(pd, c, L, S), slices(dO, b0, c), slices(dv, b0, c));
                        // dP = dO v^T, into the scores buffer (the scores are no longer needed)
                        if (Ev > 0) be.matmul(slices(dO, b0, c), transposed(slices(vf, b0, c), c, S, Ev), ds);
                        else be.fill(ds, 0);
                        if (dropoutP > 0) buf.applyKeep(ds, c);
                        be.binary(BinaryOp.SUB, ds, new Strided(rows.storage, new long[]{c, L, S}, new long[]{L, 1, 0}, rows.offset + (long) b0 * L), ds);
                        be.binary(BinaryOp.MUL, ds, p, ds);
                        if (E > 0) {
                            be.matmul(ds, slices(kf, b0, c), slices(dq, b0, c));
                            be.matmul(transposed(ds, c, L, S), slices(qs, b0, c), slices(dk, b0, c));
                        }
                        b0 += c;
                    }
                } finally {
                    buf.close();
                }
                Strided all = new Strided(dq.storage, new long[]{dq.numel()}, new long[]{1}, 0);
                be.binary(BinaryOp.MUL, all, scalar(scale, (int) dq.numel()), all);
            }
            return new Tensor[]{
                    needs[0] ? Elementwise.sumTo(dq.view((concat(batch, L, E))), q.shape) : null,
                    needs[1] ? Elementwise.sumTo(dk.view((concat(batch, S, E))), k.shape) : null,
                    needs[2] ? Elementwise.sumTo(dv.view((concat(batch, S, Ev))), v.shape) : null};
        }

        /** How many slices from {@code b0} go into one chunk: at most {@code chunk}, and the mask's offsets uniform across them. */
        private int piece(int b0) {
            int c = Math.min(chunk, nb - b0);
            if (maskOffsets == null || c <= 2) return c;
            long step = maskOffsets[b0 + 1] - maskOffsets[b0];
            for (int i = 2; i < c; i++)
                if (maskOffsets[b0 + i] - maskOffsets[b0 + i - 1] != step) return i;
            return c;
        }

        /** Softmax of the chunk's masked, scaled scores into {@code buf.p} (and, with dropout, the dropped copy). */
        private void probabilities(int b0, int c, Buffers buf) {
            Strided s = slices(buf.s, c, L, S), p = slices(buf.p, c, L, S);
            if (E > 0) be.matmul(slices(qs, b0, c), transposed(slices(kf, b0, c), c, S, E), s);
            else be.fill(s, 0);
            if (mask != null) {
                long step = c > 1 ? maskOffsets[b0 + 1] - maskOffsets[b0] : 0;
                be.binary(BinaryOp.ADD, s, new Strided(mask.storage, new long[]{c, L, S}, new long[]{step, maskRowStride, maskColStride},
                        maskOffsets[b0]), s);
            }
            var fused = Ember.fused(be, FusedSoftmax.class);
            if (fused.isEmpty() || !fused.get().softmaxLastDim(s, p, false)) {
                Strided rowMax = new Strided(buf.row.storage, new long[]{c, L}, new long[]{L, 1}, 0);
                Strided rowB = new Strided(buf.row.storage, new long[]{c, L, S}, new long[]{L, 1, 0}, 0);
                be.reduce(ReduceOp.MAX, s, rowMax);
                be.binary(BinaryOp.SUB, s, rowB, s);
                be.unary(UnaryOp.EXP, s, s, 0, 0);
                be.reduce(ReduceOp.SUM, s, rowMax);
                be.binary(BinaryOp.DIV, s, rowB, p);
            }
            if (dropoutP > 0) buf.drop(b0, c);
        }

        /** {@code [c, r, cols]} slices {@code b0..b0+c} of a contiguous {@code [nb, r, cols]} tensor. */
        private Strided slices(Tensor t, int b0, int c) {
            int r = t.size32("attention", 1), cols = t.size32("attention", 2);
            return new Strided(t.storage, new long[]{c, r, cols}, new long[]{t.strides[0], t.strides[1], t.strides[2]},
                    t.offset + b0 * t.strides[0]);
        }

        /** The first {@code c} slices of a chunk buffer {@code [chunk, r, cols]}. */
        private static Strided slices(Tensor buf, int c, int r, int cols) {
            return new Strided(buf.storage, new long[]{c, r, cols}, new long[]{r * cols, cols, 1}, 0);
        }

        /** {@code x [c, r, cols]} viewed as {@code [c, cols, r]}. */
        private static Strided transposed(Strided x, int c, int r, int cols) {
            return new Strided(x.storage(), new long[]{c, cols, r}, new long[]{x.strides()[0], x.strides()[2], x.strides()[1]}, x.offset());
        }

        Strided scalar(double value, int n) {
            Tensor s = Creation.full(value, dtype, q.device());
            return new Strided(s.storage, new long[]{n}, new long[]{0}, s.offset);
        }
    }

    /** The chunk buffers of one pass, reused for every chunk and freed at the end. */
    private static final class Buffers implements AutoCloseable {
        final Plan plan;
        final Tensor s, p, row;             // scores (then dP), probabilities, per-row scratch
        final Tensor u, keep, pd;           // dropout: uniforms, kept positions, dropped probabilities
        final Strided zero, inv, thresh;

        Buffers(Plan plan, boolean backward) {
            this.plan = plan;
            int c = plan.chunk, L = plan.L, S = plan.S;
            // scores and probabilities are written in full (q k^T, then softmax) before anything reads them
            s = Tensor.uninitialized(plan.be, plan.dtype, new long[]{c, L, S});
            p = Tensor.uninitialized(plan.be, plan.dtype, new long[]{c, L, S});
            row = Tensor.empty(plan.be, plan.dtype, new long[]{c, L});
            if (plan.dropoutP > 0) {
                u = Tensor.empty(plan.be, plan.dtype, new long[]{c, L, S});
                keep = Tensor.empty(plan.be, DType.BOOL, new long[]{c, L, S});
                pd = Tensor.empty(plan.be, plan.dtype, new long[]{c, L, S});
                int n = c * L * S;
                zero = plan.scalar(0, n);
                inv = plan.scalar(1 / (1 - plan.dropoutP), n);
                thresh = plan.scalar(plan.dropoutP, n);
            } else {
                u = keep = pd = null;
                zero = inv = thresh = null;
            }
        }

        /** The probabilities that multiply v: after dropout when there is one. */
        Tensor dropped() { return pd != null ? pd : p; }

        /** Regenerates slice {@code b}'s keep mask from its own stretch of the Philox stream, and drops. */
        void drop(int b0, int c) {
            int L = plan.L, S = plan.S, n = L * S;
            long per = Philox.advance(n);
            if (n % 2 == 0) {
                plan.be.random(flat(u, 0, c * n), Philox.Distribution.UNIFORM, plan.dropoutSeed, plan.dropoutStart + b0 * per, 0, 1);
            } else {
                for (int i = 0; i < c; i++)
                    plan.be.random(flat(u, i * n, n), Philox.Distribution.UNIFORM, plan.dropoutSeed, plan.dropoutStart + (b0 + i) * per, 0, 1);
            }
            Strided all = flat(p, 0, c * n), kept = flat(keep, 0, c * n), out = flat(pd, 0, c * n);
            plan.be.binary(BinaryOp.GE, flat(u, 0, c * n), part(thresh, c * n), kept);
            plan.be.binary(BinaryOp.MUL, all, part(inv, c * n), out);
            plan.be.where(kept, out, part(zero, c * n), out);
        }

        /** {@code dP = dP' * keep / (1 - p)}, the gradient through the dropout of the probabilities. */
        void applyKeep(Strided ds, int c) {
            int n = c * plan.L * plan.S;
            Strided d = flat(ds.storage(), ds.offset(), n);
            plan.be.binary(BinaryOp.MUL, d, part(inv, n), d);
            plan.be.where(flat(keep, 0, n), d, part(zero, n), d);
        }

        private static Strided flat(Tensor t, long off, int n) { return flat(t.storage, off, n); }

        private static Strided flat(dev.ember.backend.Storage st, long off, int n) {
            return new Strided(st, new long[]{n}, new long[]{1}, off);
        }

        private static Strided part(Strided scalar, int n) {
            return new Strided(scalar.storage(), new long[]{n}, new long[]{0}, scalar.offset());
        }

        @Override
        public void close() {
            for (Tensor t : new Tensor[]{s, p, row, u, keep, pd}) if (t != null) t.close();
        }
    }
}
