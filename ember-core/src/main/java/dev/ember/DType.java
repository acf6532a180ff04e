package dev.ember;

/**
 * Element types of a tensor, ordered by PyTorch's promotion lattice:
 * {@code BOOL < INT32 < INT64 < FLOAT32 < FLOAT64}.
 */
public enum DType {
    BOOL(1, false),
    INT32(4, false),
    INT64(8, false),
    FLOAT32(4, true),
    FLOAT64(8, true);

    private final int byteSize;
    private final boolean floatingPoint;

    DType(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes per element. */
    public int byteSize() { return byteSize; }

    /** True for FLOAT32 and FLOAT64. */
    public boolean isFloatingPoint() { return floatingPoint; }

    /** True for INT32, INT64 and BOOL. */
    public boolean isIntegral() { return !floatingPoint; }

    /** The type both operands are converted to in a binary op, as {@code torch.promote_types}. */
    public static DType promote(DType a, DType b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    /**
     * Whether a value of type {@code from} may be written into a tensor of type {@code to} by an in-place
     * op, as {@code torch.can_cast}: never from floating point to an integer or BOOL type, never from an
     * integer type to BOOL; any other pair (within a category, or to a higher one) may.
     */
    public static boolean canCast(DType from, DType to) {
        if (from.isFloatingPoint()) return to.isFloatingPoint();
        if (from != BOOL) return to != BOOL;
        return true;
    }

    /** Lower-case name as PyTorch prints it ({@code torch.float32}). */
    public String torchName() {
        return switch (this) {
            case BOOL -> "torch.bool";
            case INT32 -> "torch.int32";
            case INT64 -> "torch.int64";
            case FLOAT32 -> "torch.float32";
            case FLOAT64 -> "torch.float64";
        };
    }
}
