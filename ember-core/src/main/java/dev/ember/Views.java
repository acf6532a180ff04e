package dev.ember;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shape ops. Everything here except {@code cat} (and {@code reshape} when strides
 * force it) is a view: it shares storage and changes only shape, strides and offset.
 */
final class Views {
    private Views() {}

    private static Tensor viewOf(Tensor x, long[] shape, long[] strides, long offset) {
        return new Tensor(x.liveStorage(), shape, strides, offset);
    }

    /** Resolves one -1 in a requested shape against {@code numel}. */
    private static long[] infer(String op, Tensor x, long[] requested) {
        long numel = Shapes.numel(x.shape);
        int infer = -1;
        long known = 1; // the known sizes' product, capped just above the largest numel so it cannot overflow
        long[] out = new long[requested.length];
        for (int i = 0; i < requested.length; i++) {
            if (requested[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dimension can be -1, got " + Shapes.str(requested));
                infer = i;
            } else if (requested[i] < 0 || requested[i] > Shapes.MAX_SIZE) {
                throw new IllegalArgumentException(op + ": invalid size " + requested[i] + " at dimension " + i + " of shape "
                        + Shapes.str(requested) + " (sizes are 0 .. 2^60, or -1 to infer one)");
            } else {
                known = Shapes.cappedProduct(known, requested[i]); // capped past 2^60, where no numel is
                out[i] = requested[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0)
                throw new IllegalArgumentException(op + ": shape " + Shapes.str(requested) + " is invalid for input of shape "
                        + Shapes.str(x.shape) + " (" + numel + " elements)");
            out[infer] = numel / known;
        } else if (known != numel) {
            throw new IllegalArgumentException(op + ": shape " + Shapes.str(requested) + " is invalid for input of shape "
                    + Shapes.str(x.shape) + " (" + numel + " elements)");
        }
        return out;
    }

    /** Strides that express {@code newShape} over the same memory, or null (PyTorch's computeStride). */
    static long[] viewStrides(long[] oldShape, long[] oldStrides, long[] newShape) {
        long[] ns = new long[newShape.length];
        if (Shapes.numel(oldShape) == 0 || oldShape.length == 0) return Shapes.contiguousStrides(newShape);
        int viewD = newShape.length - 1;
        long chunkBase = oldStrides[oldShape.length - 1];
        long tensorNumel = 1, viewNumel = 1;
        for (int td = oldShape.length - 1; td >= 0; td--) {
            tensorNumel *= oldShape[td];
            if (td == 0 || (oldShape[td - 1] != 1 && oldStrides[td - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    // Past 2^60 only for a size-1 dim, whose stride never moves: capped.
                    ns[viewD] = Shapes.cappedProduct(viewNumel, chunkBase);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (td > 0) {
                    chunkBase = oldStrides[td - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? ns : null;
    }

    static Tensor view(Tensor x, long[] requested) {
        long[] shape = infer("view", x, requested);
        long[] st = viewStrides(x.shape, x.strides, shape);
        if (st == null)
            throw new IllegalArgumentException("view: shape " + Shapes.str(shape) + " is not compatible with the input's shape "
                    + Shapes.str(x.shape) + " and strides " + Shapes.str(x.strides)
                    + " (at least one dimension spans across two contiguous subspaces); use reshape(...) or contiguous().view(...)");
        return reshaped(x, shape, st);
    }

    static Tensor reshape(Tensor x, long[] requested) {
        long[] shape = infer("reshape", x, requested);
        long[] st = viewStrides(x.shape, x.strides, shape);
        if (st == null) {
            Tensor c = Conversions.copy(x, "reshape");
            return reshaped(c, shape, Shapes.contiguousStrides(shape));
        }
        return reshaped(x, shape, st);
    }

    private static Tensor reshaped(Tensor x, long[] shape, long[] st) {
        if (Arrays.equals(shape, x.shape) && Arrays.equals(st, x.strides)) return x;
        long[] back = x.shapeLong();
        return Tensor.record("view", viewOf(x, shape, st, x.offset), (g, needs) -> new Tensor[]{g.reshape(back)}, x);
    }

    static Tensor flatten(Tensor x, int start, int end) {
        if (x.dim() == 0) return x.reshape(1);
        int s = Shapes.dim("flatten", start, x.dim()), e = Shapes.dim("flatten", end, x.dim());
        if (s > e) throw new IllegalArgumentException("flatten: start dim " + start + " comes after end dim " + end);
        long[] shape = new long[x.dim() - (e - s)];
        int k = 0;
        for (int i = 0; i < s; i++) shape[k++] = x.shape[i];
        long m = 1;
        for (int i = s; i <= e; i++) m *= x.shape[i];
        shape[k++] = m;
        for (int i = e + 1; i < x.dim(); i++) shape[k++] = x.shape[i];
        return x.reshape(shape);
    }

    static Tensor transpose(Tensor x, int d0, int d1) {
        int a = Shapes.dim("transpose", d0, x.dim()), b = Shapes.dim("transpose", d1, x.dim());
        if (x.dim() == 0 || a == b) return x;
        long[] shape = x.shape.clone(), st = x.strides.clone();
        shape[a] = x.shape[b]; shape[b] = x.shape[a];
        st[a] = x.strides[b]; st[b] = x.strides[a];
        return Tensor.record("transpose", viewOf(x, shape, st, x.offset), (g, needs) -> new Tensor[]{g.transpose(a, b)}, x);
    }

    static Tensor permute(Tensor x, int[] dims) {
        if (dims.length != x.dim())
            throw new IllegalArgumentException("permute: " + dims.length + " dims " + Arrays.toString(dims) + " given for a tensor of shape "
                    + Shapes.str(x.shape));
        int[] d = new int[dims.length];
        boolean[] seen = new boolean[dims.length];
        int[] inverse = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            d[i] = Shapes.dim("permute", dims[i], x.dim());
            if (seen[d[i]]) throw new IllegalArgumentException("permute: dimension " + d[i] + " repeats in " + Arrays.toString(dims));
            seen[d[i]] = true;
            inverse[d[i]] = i;
        }
        boolean identity = true;
        for (int i = 0; i < d.length; i++) identity &= d[i] == i;
        if (identity) return x;
        long[] shape = new long[d.length], st = new long[d.length];
        for (int i = 0; i < d.length; i++) { shape[i] = x.shape[d[i]]; st[i] = x.strides[d[i]]; }
        return Tensor.record("permute", viewOf(x, shape, st, x.offset), (g, needs) -> new Tensor[]{g.permute(inverse)}, x);
    }

    static Tensor unsqueeze(Tensor x, int dim) {
        int d = Shapes.dim("unsqueeze", dim, x.dim() + 1);
        long[] shape = new long[x.dim() + 1], st = new long[x.dim() + 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == d) {
                shape[i] = 1;
                // A size-1 dim's stride never moves; capped so it cannot wrap negative.
                st[i] = j < x.dim() ? Shapes.cappedProduct(x.strides[j], x.shape[j]) : 1;
            } else {
                shape[i] = x.shape[j];
                st[i] = x.strides[j++];
            }
        }
        return Tensor.record("unsqueeze", viewOf(x, shape, st, x.offset), (g, needs) -> new Tensor[]{g.squeeze(d)}, x);
    }

    static Tensor squeeze(Tensor x, Integer dim) {
        int only = dim == null ? -1 : Shapes.dim("squeeze", dim, x.dim());
        if (x.dim() == 0) return x;
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < x.dim(); i++) if (!(x.shape[i] == 1 && (only < 0 || i == only))) keep.add(i);
        if (keep.size() == x.dim()) return x;
        long[] shape = new long[keep.size()], st = new long[keep.size()];
        for (int i = 0; i < keep.size(); i++) { shape[i] = x.shape[keep.get(i)]; st[i] = x.strides[keep.get(i)]; }
        long[] back = x.shapeLong();
        return Tensor.record("squeeze", viewOf(x, shape, st, x.offset), (g, needs) -> new Tensor[]{g.reshape(back)}, x);
    }

    static Tensor expand(Tensor x, long[] requested) {
        if (requested.length < x.dim())
            throw new IllegalArgumentException("expand: the number of sizes " + requested.length + " in " + Shapes.str(requested)
                    + " must be at least the tensor's rank " + x.dim() + " (shape " + Shapes.str(x.shape) + ")");
        int lead = requested.length - x.dim();
        long[] shape = new long[requested.length], st = new long[requested.length];
        for (int i = 0; i < requested.length; i++) {
            int src = i - lead;
            long want = requested[i];
            if (want < -1 || want > Shapes.MAX_SIZE)
                throw new IllegalArgumentException("expand: invalid size " + want + " at dimension " + i + " of " + Shapes.str(requested)
                        + " (sizes are 0 .. 2^60, or -1 to keep one)");
            if (src < 0) {
                if (want < 0) throw new IllegalArgumentException("expand: -1 is not allowed for a new leading dimension in " + Shapes.str(requested));
                shape[i] = want;
                st[i] = 0;
            } else if (want == -1 || want == x.shape[src]) {
                shape[i] = x.shape[src];
                st[i] = x.strides[src];
            } else if (x.shape[src] == 1) {
                shape[i] = want;
                st[i] = 0;
            } else {
                throw new IllegalArgumentException("expand: the size " + x.shape[src] + " at dimension " + src + " of shape "
                        + Shapes.str(x.shape) + " must match the requested " + want + " in " + Shapes.str(requested) + " (only size-1 dims expand)");
            }
        }
        Shapes.numel("expand", shape);
        if (Arrays.equals(shape, x.shape)) return x;
        long[] back = x.shape.clone();
        return Tensor.record("expand", viewOf(x, shape, st, x.offset), (g, needs) -> new Tensor[]{Elementwise.sumTo(g, back)}, x);
    }

    static Tensor narrow(Tensor x, int dim, long start, long length) {
        if (x.dim() == 0) throw new IllegalArgumentException("narrow: cannot narrow a 0-d tensor");
        int d = Shapes.dim("narrow", dim, x.dim());
        long size = x.shape[d];
        long st0 = start < 0 ? start + size : start; // start + size cannot overflow when start < 0
        // Compared without adding start and length, which could overflow and pass.
        if (st0 < 0 || st0 > size || length < 0 || length > size - st0)
            throw new IndexOutOfBoundsException("narrow: start " + start + " and length " + length + " are out of range for dimension "
                    + d + " of size " + size + " (shape " + Shapes.str(x.shape) + ")");
        long[] shape = x.shape.clone();
        shape[d] = length;
        long s = st0;
        long[] full = x.shapeLong();
        // A non-empty slice starts at an element of x, so its offset is within the storage; an empty one addresses
        // nothing and may start past it (a size-1 dim's stride can be capped at 2^60), so its offset is capped too.
        long offset = length == 0 ? Math.min(x.offset + Shapes.cappedProduct(s, x.strides[d]), Shapes.MAX_SIZE) : x.offset + s * x.strides[d];
        Tensor out = viewOf(x, shape, x.strides.clone(), offset);
        return Tensor.record("narrow", out, (g, needs) -> {
            Tensor z = Creation.full(0, g.dtype(), g.device(), full);
            z.narrow(d, s, length).copyFrom(g);
            return new Tensor[]{z};
        }, x);
    }

    static Tensor select(Tensor x, int dim, long index) {
        int d = Shapes.dim("select", dim, x.dim());
        long i = index < 0 ? index + x.shape[d] : index;
        if (i < 0 || i >= x.shape[d])
            throw new IndexOutOfBoundsException("select: index " + index + " is out of bounds for dimension " + d + " with size " + x.shape[d]);
        return x.narrow(d, i, 1).squeeze(d);
    }

    static List<Tensor> split(Tensor x, long size, int dim) {
        int d = Shapes.dim("split", dim, x.dim());
        if (size <= 0) throw new IllegalArgumentException("split: split size must be positive, got " + size);
        List<Tensor> out = new ArrayList<>();
        for (long s = 0; s < x.shape[d]; s += size) out.add(x.narrow(d, s, Math.min(size, x.shape[d] - s)));
        if (out.isEmpty()) out.add(x);
        return out;
    }

    static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) throw new IllegalArgumentException("chunk: number of chunks must be positive, got " + chunks);
        int d = Shapes.dim("chunk", dim, x.dim());
        long size = (x.shape[d] + chunks - 1) / chunks;
        return split(x, Math.max(1, size), d);
    }

    static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("cat: expected a non-empty list of tensors");
        Tensor first = tensors.get(0);
        if (first.dim() == 0) throw new IllegalArgumentException("cat: zero-dimensional tensors cannot be concatenated; use stack");
        int d = Shapes.dim("cat", dim, first.dim());
        DType dtype = first.dtype();
        for (Tensor t : tensors) dtype = DType.promote(dtype, t.dtype());
        long total = 0;
        for (int k = 0; k < tensors.size(); k++) {
            Tensor t = tensors.get(k);
            if (!t.device().equals(first.device()))
                throw new IllegalArgumentException("cat: tensor " + k + " is on " + t.device() + " but tensor 0 is on " + first.device());
            boolean ok = t.dim() == first.dim();
            for (int i = 0; ok && i < t.dim(); i++) ok = i == d || t.shape[i] == first.shape[i];
            if (!ok)
                throw new IllegalArgumentException("cat: sizes must match except in dimension " + d + ": tensor 0 has shape "
                        + Shapes.str(first.shape) + " but tensor " + k + " has shape " + Shapes.str(t.shape));
            total += t.shape[d];
            if (total > Shapes.MAX_SIZE)
                throw new IllegalArgumentException("cat: the concatenated size of dimension " + d + " passes 2^60 at tensor " + k
                        + " (shape " + Shapes.str(t.shape) + ")");
        }
        long[] shape = first.shape.clone();
        shape[d] = total;
        Shapes.numel("cat", shape);
        Tensor out = Tensor.uninitialized(first.backend(), dtype, shape);
        long[] offsets = new long[tensors.size()];
        long off = 0;
        for (int k = 0; k < tensors.size(); k++) {
            Tensor t = tensors.get(k);
            offsets[k] = off;
            long[] part = shape.clone();
            part[d] = t.shape[d];
            if (t.numel() > 0) { // a non-empty part starts at an element of out
                var dst = new dev.ember.backend.Strided(out.storage, part, out.strides, off * out.strides[d]);
                out.backend().copy(t.strided(), dst);
            }
            off += t.shape[d];
        }
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        if (!dtype.isFloatingPoint()) return out;
        return Tensor.record("cat", out, (g, needs) -> {
            Tensor[] grads = new Tensor[inputs.length];
            for (int k = 0; k < inputs.length; k++)
                if (needs[k]) grads[k] = g.narrow(d, offsets[k], inputs[k].shape[d]).to(inputs[k].dtype());
            return grads;
        }, inputs);
    }

    static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack: expected a non-empty list of tensors");
        Tensor first = tensors.get(0);
        for (int k = 1; k < tensors.size(); k++) {
            if (!tensors.get(k).device().equals(first.device()))
                throw new IllegalArgumentException("stack: tensor " + k + " is on " + tensors.get(k).device() + " but tensor 0 is on "
                        + first.device());
            if (!Arrays.equals(tensors.get(k).shape, first.shape))
                throw new IllegalArgumentException("stack: expects each tensor to be equal size, but got " + Shapes.str(first.shape)
                        + " at entry 0 and " + Shapes.str(tensors.get(k).shape) + " at entry " + k);
        }
        int d = Shapes.dim("stack", dim, first.dim() + 1);
        List<Tensor> parts = new ArrayList<>();
        for (Tensor t : tensors) parts.add(t.unsqueeze(d));
        return cat(parts, d);
    }
}
