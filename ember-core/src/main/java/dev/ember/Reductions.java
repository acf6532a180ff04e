package dev.ember;

import dev.ember.backend.FusedSoftmax;
import dev.ember.backend.ReduceOp;
import java.util.Arrays;

/**
 * Reductions over dims. The kernel reduces the last axis only, so the tensor layer moves
 * the reduced dims to the end (a view) and flattens them (a copy only when strides force one).
 * Composite reductions (var, logsumexp, softmax) get their gradients from their parts.
 */
final class Reductions {
    private Reductions() {}

    /**
     * Composite reductions of a FLOAT16 or BFLOAT16 tensor run in float32 and round once at the end, as PyTorch's
     * CPU kernels accumulate in float32; composed in 16 bits, every intermediate (the centred values of var,
     * x - max of logsumexp) would round. The gradient flows back through the conversions.
     */
    private static Tensor inFloat32(Tensor x, java.util.function.UnaryOperator<Tensor> f) {
        if (x.dtype() != DType.FLOAT16 && x.dtype() != DType.BFLOAT16) return f.apply(x);
        return f.apply(x.to(DType.FLOAT32)).to(x.dtype());
    }

    /** Sorted, distinct, non-negative dims; null means all. */
    private static int[] normalize(String op, int[] dims, int rank) {
        if (dims == null) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) out[i] = Shapes.dim(op, dims[i], rank);
        Arrays.sort(out);
        for (int i = 1; i < out.length; i++)
            if (out[i] == out[i - 1]) throw new IllegalArgumentException(op + ": dimension " + out[i] + " appears more than once in " + Arrays.toString(dims));
        if (rank == 0) return new int[0];
        return out;
    }

    /** The shape after reducing {@code dims}, with size-1 dims kept or dropped. */
    private static long[] reducedShape(long[] shape, int[] dims, boolean keepDim) {
        boolean[] red = new boolean[shape.length];
        for (int d : dims) red[d] = true;
        int n = 0;
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (!red[i]) out[n++] = shape[i];
            else if (keepDim) out[n++] = 1;
        }
        return Arrays.copyOf(out, n);
    }

    /** Runs a reduce kernel over {@code dims}; the result has the keepDim=false shape. */
    static Tensor reduceRaw(ReduceOp op, Tensor x, int[] dims) {
        int rank = x.dim();
        boolean[] red = new boolean[rank];
        for (int d : dims) red[d] = true;
        int[] perm = new int[rank];
        int k = 0;
        long r = 1;
        for (int i = 0; i < rank; i++) if (!red[i]) perm[k++] = i;
        for (int i = 0; i < rank; i++) if (red[i]) { perm[k++] = i; r *= x.shape[i]; }
        Tensor moved;
        try (var ignored = Ember.noGrad()) {
            moved = x.permute(perm);
            long[] outer = reducedShape(x.shape, dims, false);
            long[] flat = new long[outer.length + 1];
            for (int i = 0; i < outer.length; i++) flat[i] = outer[i];
            flat[outer.length] = r;
            long[] flatShape = Arrays.copyOf(outer, outer.length + 1);
            flatShape[outer.length] = r;
            if (r > 0 && staged(op, x, dims) && Views.viewStrides(moved.shape, moved.strides, flatShape) == null)
                return reduceInStages(op, x, dims);
            moved = moved.reshape(flat);
            if (r == 0 && op != ReduceOp.SUM && op != ReduceOp.PROD && Shapes.numel(outer) > 0)
                throw new IllegalArgumentException(op.name().toLowerCase() + ": cannot reduce over a zero-size dimension (shape "
                        + Shapes.str(x.shape) + ", dims " + Arrays.toString(dims) + ")");
            Tensor out = Tensor.uninitialized(x.backend(), op.outputType(x.dtype()), outer);
            if (Shapes.numel(outer) > 0) {
                if (r == 0) x.backend().fill(out.strided(), op == ReduceOp.PROD ? 1 : 0);
                else x.backend().reduce(op, moved.strided(), out.strided());
            }
            return out;
        }
    }

    /**
     * Whether reducing {@code dims} of x in stages ({@link #reduceInStages}) is exact enough and possible: an
     * associative op, dims in more than one run of adjacent dims, and no 16-bit dtype (whose partial results would
     * round between the stages).
     */
    private static boolean staged(ReduceOp op, Tensor x, int[] dims) {
        if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN || x.dtype().isHalf()) return false;
        for (int i = 1; i < dims.length; i++) if (dims[i] != dims[i - 1] + 1) return true;
        return false;
    }

    /**
     * Reduces the last run of adjacent dims in {@code dims} first, then the rest of the result. Where the reduced dims
     * cannot be flattened into one axis without a copy (a bias gradient sums dims 0, 2 and 3 of an NCHW tensor), this
     * reads x once instead of copying it first: for a {@code [128, 32, 28, 28]} gradient, one pass over 12.8 MB
     * instead of a copy and a pass over the copy.
     */
    private static Tensor reduceInStages(ReduceOp op, Tensor x, int[] dims) {
        int start = dims.length - 1;
        while (start > 0 && dims[start - 1] == dims[start] - 1) start--;
        try (Tensor partial = reduceRaw(op, x, Arrays.copyOfRange(dims, start, dims.length))) {
            // dims before the run keep their indices in the partial result
            return reduceRaw(op, partial, Arrays.copyOf(dims, start));
        }
    }

    static Tensor sum(Tensor x, int[] dims, boolean keepDim) {
        x = Autocast.float32(x);
        int[] d = normalize("sum", dims, x.dim());
        Tensor raw = reduceRaw(ReduceOp.SUM, x, d);
        Tensor out = Tensor.ownView(raw, raw.reshape((reducedShape(x.shape, d, keepDim))));
        if (!out.dtype().isFloatingPoint()) return out;
        long[] kept = reducedShape(x.shape, d, true);
        long[] shape = x.shapeLong();
        return Tensor.record("sum", out, (g, needs) -> new Tensor[]{g.reshape((kept)).expand(shape)}, x);
    }

    static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
        x = Autocast.float32(x);
        if (!x.dtype().isFloatingPoint())
            throw new IllegalArgumentException("mean: input dtype must be floating point, got " + x.dtype() + "; convert with to(DType.FLOAT32)");
        int[] d = normalize("mean", dims, x.dim());
        long count = 1;
        for (int i : d) count *= x.shape[i];
        double n = count;
        return inFloat32(x, t -> sum(t, dims, keepDim).div(n));
    }

    /** The square root of {@link #var}; its errors name std. */
    static Tensor std(Tensor x, int[] dims, int correction, boolean keepDim) {
        // 16 bits: the square root of the float32 variance, rounded once (not the variance rounded, then its root rounded)
        return inFloat32(Autocast.float32(x), t -> var("std", t, dims, correction, keepDim).sqrt());
    }

    static Tensor var(Tensor x, int[] dims, int correction, boolean keepDim) { return var("var", x, dims, correction, keepDim); }

    private static Tensor var(String op, Tensor x, int[] dims, int correction, boolean keepDim) {
        if (!x.dtype().isFloatingPoint())
            throw new IllegalArgumentException(op + ": input dtype must be floating point, got " + x.dtype() + "; convert with to(DType.FLOAT32)");
        x = Autocast.float32(x);
        int[] d = normalize(op, dims, x.dim());
        long count = 1;
        for (int i : d) count *= x.shape[i];
        double n = Math.max(0, count - correction);
        return inFloat32(x, t -> sum(t.sub(mean(t, d, true)).square(), d, keepDim).div(n));
    }

    /** Max or min of all elements; the gradient is split evenly among ties. */
    static Tensor extreme(Tensor x, boolean max) {
        int[] all = normalize("max", null, x.dim());
        if (x.numel() == 0)
            throw new IllegalArgumentException((max ? "max" : "min") + ": cannot reduce an empty tensor of shape " + Shapes.str(x.shape));
        Tensor out = reduceRaw(max ? ReduceOp.MAX : ReduceOp.MIN, x, all);
        if (!x.dtype().isFloatingPoint()) return out;
        return Tensor.recordSaving(max ? "max" : "min", out, new Tensor[]{x, out}, (g, needs) -> {
            Tensor hit = x.eq(out).to(g.dtype());
            return new Tensor[]{hit.mul(g.div(hit.sum()))};
        }, x);
    }

    static Tensor.ValuesIndices extremeAlong(Tensor x, int dim, boolean keepDim, boolean max) {
        String name = max ? "max" : "min";
        int d = Shapes.dim(name, dim, x.dim());
        int[] ds = x.dim() == 0 ? new int[0] : new int[]{d};
        long[] shape = (reducedShape(x.shape, ds, keepDim));
        long[] kept = (reducedShape(x.shape, ds, true));
        Tensor raw = reduceRaw(max ? ReduceOp.ARGMAX : ReduceOp.ARGMIN, x, ds);
        Tensor indices = Tensor.ownView(raw, raw.reshape(shape));
        Tensor values;
        if (x.dim() == 0) {
            values = x.detach();
        } else {
            // One pass finds the indices; the values are gathered from them rather than reduced again.
            try (var ignored = Ember.noGrad()) {
                Tensor gathered = x.gather(d, indices.reshape(kept));
                values = Tensor.ownView(gathered, gathered.reshape(shape).detach());
            }
        }
        if (x.dtype().isFloatingPoint() && x.dim() > 0) {
            Tensor idx = indices.reshape(kept);
            values = Tensor.recordSaving(name, values, new Tensor[]{idx}, (g, needs) ->
                    new Tensor[]{Tensor.zerosLike(x).scatterAdd(d, idx, g.reshape(kept))}, x);
        }
        return new Tensor.ValuesIndices(values, indices);
    }

    static Tensor argExtreme(Tensor x, int dim, boolean keepDim, boolean max) {
        int d = Shapes.dim(max ? "argmax" : "argmin", dim, x.dim());
        int[] ds = x.dim() == 0 ? new int[0] : new int[]{d};
        Tensor raw = reduceRaw(max ? ReduceOp.ARGMAX : ReduceOp.ARGMIN, x, ds);
        return Tensor.ownView(raw, raw.reshape((reducedShape(x.shape, ds, keepDim))));
    }

    static Tensor prod(Tensor input) {
        Tensor x = Autocast.float32(input);
        Tensor out = reduceRaw(ReduceOp.PROD, x, normalize("prod", null, x.dim()));
        if (!x.dtype().isFloatingPoint()) return out;
        // d/dx_i prod(x) = prod of the others: out / x_i without zeros; with one zero only that element
        // gets a gradient (the product of the rest); with two or more zeros every gradient is 0.
        return Tensor.recordSaving("prod", out, new Tensor[]{x, out}, (g, needs) -> {
            Tensor zero = x.eq(0.0);
            long zeros = zero.to(DType.INT64).sum().itemLong();
            Tensor grad;
            if (zeros == 0) grad = out.div(x);
            else if (zeros == 1) grad = Tensor.where(zero, x.maskedFill(zero, 1.0).prod(), Tensor.zerosLike(x));
            else grad = Tensor.zerosLike(x);
            return new Tensor[]{grad.mul(g)};
        }, x);
    }

    static Tensor logsumexp(Tensor x, int dim, boolean keepDim) {
        x = Autocast.float32(x);
        int d = Shapes.dim("logsumexp", dim, x.dim());
        if (x.dtype() == DType.FLOAT16 || x.dtype() == DType.BFLOAT16) return inFloat32(x, t -> logsumexp(t, d, keepDim));
        if (x.dtype() == DType.BOOL) x = x.to(Ember.defaultDType()); // PyTorch: a float result; BOOL cannot be subtracted
        Tensor m = shift(x, d);
        Tensor r = x.sub(m).exp().sum(d, true).log().add(m);
        return keepDim ? r : Tensor.ownView(r, r.squeeze(d));
    }

    /** The max along {@code d} (kept), detached, as the stabilising shift of exp. */
    private static Tensor shift(Tensor x, int d) {
        Tensor m = x.max(d, true).detach();
        // An all -inf row would give (-inf) - (-inf) = NaN; shifting by 0 there gives log(0) = -inf, as torch.
        return m.maskedFill(m.abs().eq(Double.POSITIVE_INFINITY), 0);
    }

    static Tensor softmax(Tensor x, int dim) {
        x = Autocast.float32(x);
        int d = Shapes.dim("softmax", dim, x.dim());
        if (!x.dtype().isFloatingPoint()) x = x.to(Ember.defaultDType());
        Tensor fused = fusedSoftmax(x, d, false);
        if (fused != null) return fused;
        if (x.dtype() == DType.FLOAT16 || x.dtype() == DType.BFLOAT16) return inFloat32(x, t -> softmax(t, d));
        Tensor e = x.sub(x.max(d, true).detach()).exp();
        return e.div(e.sum(d, true));
    }

    static Tensor logSoftmax(Tensor x, int dim) {
        x = Autocast.float32(x);
        int d = Shapes.dim("logSoftmax", dim, x.dim());
        if (!x.dtype().isFloatingPoint()) x = x.to(Ember.defaultDType());
        Tensor fused = fusedSoftmax(x, d, true);
        if (fused != null) return fused;
        if (x.dtype() == DType.FLOAT16 || x.dtype() == DType.BFLOAT16) return inFloat32(x, t -> logSoftmax(t, d));
        // (x - max) - log(sum(exp(x - max))), as PyTorch: x - logsumexp(x) would round max + log(sum) first, which loses
        // about 2e-5 (relative) in float32 when |x| is near 1000
        // shifted by the max itself, not logsumexp's guarded shift: a row whose max is infinite gives NaN, as torch
        Tensor shifted = x.sub(x.max(d, true).detach());
        return shifted.sub(shifted.exp().sum(d, true).log());
    }

    /**
     * The backend's fused kernel along the last dim, when it has one for x; null otherwise.
     * Gradients: softmax {@code y * (g - sum(g * y))}, log-softmax {@code g - exp(y) * sum(g)}.
     */
    private static Tensor fusedSoftmax(Tensor x, int d, boolean log) {
        if (d != x.dim() - 1 || x.dim() == 0) return null;
        var kernel = Ember.fused(x.backend(), FusedSoftmax.class);
        if (kernel.isEmpty()) return null;
        Tensor out = Tensor.uninitialized(x.backend(), x.dtype(), x.shape);
        if (!kernel.get().softmaxLastDim(x.strided(), out.strided(), log)) return null;
        return Tensor.recordSaving(log ? "logSoftmax" : "softmax", out, new Tensor[]{out}, (g, needs) -> new Tensor[]{log
                ? g.sub(out.exp().mul(g.sum(d, true)))
                : out.mul(g.sub(g.mul(out).sum(d, true)))}, x);
    }
}
