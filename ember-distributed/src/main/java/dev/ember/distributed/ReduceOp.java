package dev.ember.distributed;

/** How {@link ProcessGroup#allReduce} combines the ranks' values, as {@code torch.distributed.ReduceOp}. */
public enum ReduceOp {
    /** Elementwise sum. */
    SUM,
    /** Elementwise product. */
    PRODUCT,
    /** Elementwise maximum. */
    MAX,
    /** Elementwise minimum. */
    MIN
}
