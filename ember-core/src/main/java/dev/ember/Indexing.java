package dev.ember;

/** Gather, scatter-add and the ops built on them. */
final class Indexing {
    private Indexing() {}

    private static Tensor checkIndex(String op, Tensor index, Tensor x) {
        if (index.dtype() != DType.INT64 && index.dtype() != DType.INT32)
            throw new IllegalArgumentException(op + ": index must be INT64 or INT32, got " + index.dtype());
        if (!index.device().equals(x.device()))
            throw new IllegalArgumentException(op + ": index is on " + index.device() + " but the tensor is on " + x.device());
        return index.to(DType.INT64);
    }

    private static void checkGatherShapes(String op, Tensor x, int d, Tensor index) {
        if (index.dim() != x.dim())
            throw new IllegalArgumentException(op + ": index " + Shapes.str(index.shape) + " must have the same rank as the tensor "
                    + Shapes.str(x.shape));
        for (int i = 0; i < x.dim(); i++)
            if (i != d && index.shape[i] > x.shape[i])
                throw new IllegalArgumentException(op + ": index " + Shapes.str(index.shape) + " is larger than the tensor "
                        + Shapes.str(x.shape) + " in dimension " + i);
    }

    static Tensor gather(Tensor x, int dim, Tensor index) {
        int d = Shapes.dim("gather", dim, x.dim());
        Tensor idx = checkIndex("gather", index, x);
        checkGatherShapes("gather", x, d, idx);
        Tensor out = Tensor.uninitialized(x.backend(), x.dtype(), idx.shape);
        if (out.numel() > 0) x.backend().gather(x.strided(), d, idx.strided(), out.strided());
        if (!x.dtype().isFloatingPoint()) return out;
        long[] shape = x.shapeLong();
        return Tensor.recordSaving("gather", out, new Tensor[]{idx}, (g, needs) ->
                new Tensor[]{Creation.full(0, g.dtype(), g.device(), shape).scatterAdd(d, idx, g)}, x);
    }

    static Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src) {
        int d = Shapes.dim("scatterAdd", dim, x.dim());
        Tensor idx = checkIndex("scatterAdd", index, x);
        if (!src.device().equals(x.device()))
            throw new IllegalArgumentException("scatterAdd: src is on " + src.device() + " but the tensor is on " + x.device());
        if (src.dim() != x.dim() || idx.dim() != x.dim())
            throw new IllegalArgumentException("scatterAdd: tensor " + Shapes.str(x.shape) + ", index " + Shapes.str(idx.shape)
                    + " and src " + Shapes.str(src.shape) + " must have the same rank");
        for (int i = 0; i < x.dim(); i++)
            if (idx.shape[i] > src.shape[i] || (i != d && idx.shape[i] > x.shape[i]))
                throw new IllegalArgumentException("scatterAdd: index " + Shapes.str(idx.shape) + " is larger than src "
                        + Shapes.str(src.shape) + " or the tensor " + Shapes.str(x.shape) + " in dimension " + i);
        Tensor s = src.to(x.dtype());
        Tensor out = Conversions.toDTypeRaw(x, x.dtype());
        // The kernel walks index's shape; src is viewed with index's shape (it may be larger).
        var srcView = new dev.ember.backend.Strided(s.liveStorage(), idx.shape, s.strides, s.offset);
        if (idx.numel() > 0) x.backend().scatterAdd(out.strided(), d, idx.strided(), srcView);
        out.storage.bumpVersion();
        if (!x.dtype().isFloatingPoint()) return out;
        boolean sameShape = java.util.Arrays.equals(idx.shape, s.shape);
        long[] srcShape = s.shapeLong();
        return Tensor.recordSaving("scatterAdd", out, new Tensor[]{idx}, (g, needs) -> {
            Tensor gs = null;
            if (needs[1]) {
                gs = g.gather(d, idx);
                if (!sameShape) {
                    Tensor z = Creation.full(0, g.dtype(), g.device(), srcShape);
                    Tensor region = z;
                    for (int i = 0; i < idx.dim(); i++) region = region.narrow(i, 0, idx.shape[i]);
                    region.copyFrom(gs);
                    gs = z;
                }
            }
            return new Tensor[]{g, gs};
        }, x, s);
    }

    static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        int d = Shapes.dim("indexSelect", dim, x.dim());
        if (index.dim() != 1)
            throw new IllegalArgumentException("indexSelect: index must be 1-D, got shape " + Shapes.str(index.shape));
        Tensor idx = checkIndex("indexSelect", index, x);
        if (x.dim() == 0) {
            if (idx.numel() != 1) // as PyTorch: a scalar has one element to select
                throw new IllegalArgumentException("indexSelect: the index into a 0-d tensor can have only 1 value, got " + idx.numel());
            Tensor picked = x.reshape(1).gather(0, idx);
            return Tensor.ownView(picked, picked.reshape());
        }
        // index as [1, .., n, .., 1] expanded to the output shape: a gather with stride-0 index dims.
        long[] view = new long[x.dim()];
        java.util.Arrays.fill(view, 1);
        view[d] = idx.shape[0];
        long[] outShape = x.shapeLong();
        outShape[d] = idx.shape[0];
        Tensor expandedIndex = idx.reshape(view).expand(outShape);
        try {
            return x.gather(d, expandedIndex);
        } catch (IndexOutOfBoundsException e) { // the gather kernel checks each index; say which op the caller called
            throw new IndexOutOfBoundsException("indexSelect: " + e.getMessage());
        }
    }

    static Tensor oneHot(Tensor x, int numClasses) {
        if (x.dtype().isFloatingPoint())
            throw new IllegalArgumentException("oneHot: expects an integer tensor of class indices, got " + x.dtype());
        if (numClasses <= 0) throw new IllegalArgumentException("oneHot: numClasses must be positive, got " + numClasses);
        if (x.numel() > Shapes.MAX_SIZE / numClasses)
            throw new IllegalArgumentException("oneHot: " + x.numel() + " indices with " + numClasses
                    + " classes would give more than 2^60 elements");
        Tensor l = x.to(DType.INT64);
        if (l.numel() > 0) {
            long lo = l.min().itemLong(), hi = l.max().itemLong();
            if (lo < 0 || hi >= numClasses)
                throw new IndexOutOfBoundsException("oneHot: class index " + (lo < 0 ? lo : hi) + " is out of range for " + numClasses + " classes");
        }
        Tensor classes = Tensor.arange(numClasses).to(x.device());
        return l.unsqueeze(-1).eq(classes).to(DType.INT64);
    }

    static Tensor triangle(Tensor x, int diagonal, boolean upper) {
        if (x.dim() < 2)
            throw new IllegalArgumentException((upper ? "triu" : "tril") + ": expected a tensor with at least 2 dims, got shape " + Shapes.str(x.shape));
        long rows = x.shape[x.dim() - 2], cols = x.shape[x.dim() - 1];
        Tensor offset = Tensor.arange(cols).unsqueeze(0).sub(Tensor.arange(rows).unsqueeze(1)).to(x.device());
        Tensor keep = upper ? offset.ge((double) diagonal) : offset.le((double) diagonal);
        return Tensor.where(keep, x, Creation.full(0, x.dtype(), x.device()));
    }
}
