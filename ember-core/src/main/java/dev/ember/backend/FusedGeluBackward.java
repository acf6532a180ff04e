package dev.ember.backend;

/**
 * Optional capability ({@link Backend#capability}): GELU's gradient in one pass. Without it the tensor layer
 * composes {@code g * (Phi(x) + x phi(x))} from about ten elementwise ops, each a pass over memory and a
 * temporary (a fifth of the elementwise time of a GPT training step on the CPU).
 */
public interface FusedGeluBackward {

    /**
     * {@code out = g * (cdf + x * exp((x * x) * -0.5) * (1 / sqrt(2 pi)))} with {@code cdf = y / x}, or 0.5 where
     * {@code |x| < 1e-30}, where {@code y = gelu(x)}: the composed formula's operations in its order, so the two paths
     * agree bit for bit. All four share one shape. Returns false when this backend has no fused path for these
     * operands (the tensor layer then composes).
     */
    boolean geluBackward(Strided g, Strided x, Strided y, Strided out);
}
