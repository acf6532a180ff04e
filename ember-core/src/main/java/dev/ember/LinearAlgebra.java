package dev.ember;

/**
 * Matrix products. {@code matmul} reduces every case PyTorch allows (1-D, 2-D,
 * batched with broadcast batch dims) to one batched primitive {@link #bmm} on
 * {@code [b, m, k] @ [b, k, n]}; the reshapes around it are views with their own gradients.
 */
final class LinearAlgebra {
    private LinearAlgebra() {}

    static Tensor matmul(Tensor a, Tensor b) { return matmul("matmul", a, b); }

    /** {@link #matmul} whose errors name {@code op} (mm). */
    static Tensor matmul(String op, Tensor a, Tensor b) {
        a = Autocast.lowerPrecision(a);
        b = Autocast.lowerPrecision(b);
        if (a.dim() == 0 || b.dim() == 0)
            throw new IllegalArgumentException(op + ": both arguments need at least 1 dimension, got " + Shapes.str(a.shape)
                    + " @ " + Shapes.str(b.shape));
        long ka = a.shape[a.dim() - 1];
        long kb = b.dim() == 1 ? b.shape[0] : b.shape[b.dim() - 2];
        if (ka != kb)
            throw new IllegalArgumentException(op + ": " + Shapes.str(a.shape) + " @ " + Shapes.str(b.shape) + ": inner dimensions "
                    + ka + " and " + kb + " differ");
        if (!a.device().equals(b.device()))
            throw new IllegalArgumentException(op + ": " + Shapes.str(a.shape) + " on " + a.device() + " @ " + Shapes.str(b.shape)
                    + " on " + b.device() + ": tensors are on different devices");
        DType t = DType.promote(a.dtype(), b.dtype());
        a = a.to(t);
        b = b.to(t);
        boolean vecA = a.dim() == 1, vecB = b.dim() == 1;
        Tensor a2 = vecA ? a.unsqueeze(0) : a;
        Tensor b2 = vecB ? b.unsqueeze(1) : b;
        long m = a2.shape[a2.dim() - 2], n = b2.shape[b2.dim() - 1];
        long[] batchA = java.util.Arrays.copyOf(a2.shape, a2.dim() - 2);
        long[] batchB = java.util.Arrays.copyOf(b2.shape, b2.dim() - 2);
        long[] batch = Shapes.broadcast(op, batchA, batchB);
        long nb = Shapes.numel(batch);
        Tensor a3, b3;
        if (batchB.length == 0 && batchA.length > 0) {
            // [..., m, k] @ [k, n]: fold the batch into rows, one large GEMM instead of many small ones.
            Tensor out = bmm(a2.reshape(1, nb * m, ka), b2.unsqueeze(0));
            return finish(out, batch, m, n, vecA, vecB);
        }
        a3 = a2.expand(concat(batch, m, ka)).reshape(nb, m, ka);
        b3 = b2.expand(concat(batch, ka, n)).reshape(nb, ka, n);
        return finish(bmm(a3, b3), batch, m, n, vecA, vecB);
    }

    private static Tensor finish(Tensor out, long[] batch, long m, long n, boolean vecA, boolean vecB) {
        Tensor r = out.reshape(concat(batch, m, n));
        if (vecA) r = r.squeeze(r.dim() - 2);
        if (vecB) r = r.squeeze(r.dim() - 1);
        // The view returned owns the product, so that closing it releases the memory.
        return Tensor.ownView(out, r);
    }

    private static long[] concat(long[] batch, long x, long y) {
        long[] s = new long[batch.length + 2];
        for (int i = 0; i < batch.length; i++) s[i] = batch[i];
        s[batch.length] = x;
        s[batch.length + 1] = y;
        return s;
    }

    /** {@code [b, m, k] @ [b, k, n] -> [b, m, n]}, the primitive with its gradient. */
    static Tensor bmm(Tensor a, Tensor b) {
        long nb = a.shape[0], m = a.shape[1], n = b.shape[2];
        long[] shape = {nb, m, n};
        Tensor out = a.shape[2] > 0 ? Tensor.uninitialized(a.backend(), a.dtype(), shape) : Tensor.empty(a.backend(), a.dtype(), shape);
        if (out.numel() > 0 && a.shape[2] > 0) a.backend().matmul(a.strided(), b.strided(), out.strided());
        if (!a.dtype().isFloatingPoint()) return out;
        return Tensor.recordSaving("matmul", out, new Tensor[]{a, b}, (g, needs) -> new Tensor[]{
                needs[0] ? bmm(g, b.transpose(1, 2)) : null,
                needs[1] ? bmm(a.transpose(1, 2), g) : null}, a, b);
    }
}
