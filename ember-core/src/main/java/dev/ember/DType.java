package dev.ember;

/**
 * Element types of a tensor, with PyTorch's promotion lattice: {@code BOOL < INT32 < INT64 < {FLOAT16,
 * BFLOAT16} < FLOAT32 < FLOAT64}. The two 16-bit floats are not ordered against each other: mixing them
 * gives FLOAT32, as {@code torch.promote_types(torch.float16, torch.bfloat16)} does.
 *
 * <p>FLOAT16 is IEEE 754 binary16 (5 exponent bits, 10 fraction bits); BFLOAT16 is the top half of a
 * float32 (8 exponent bits, 7 fraction bits). Both are stored in 16 bits and computed in float32.
 */
public enum DType {
    BOOL(1, false, 0),
    INT32(4, false, 1),
    INT64(8, false, 2),
    FLOAT32(4, true, 4),
    FLOAT64(8, true, 5),
    // After the older constants, so their ordinals stay as they were.
    FLOAT16(2, true, 3),
    BFLOAT16(2, true, 3);

    private final int byteSize;
    private final boolean floatingPoint;
    /** Height in the promotion lattice; the 16-bit floats share one. */
    private final int rank;

    DType(int byteSize, boolean floatingPoint, int rank) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
        this.rank = rank;
    }

    /** Bytes per element. */
    public int byteSize() { return byteSize; }

    /** True for FLOAT16, BFLOAT16, FLOAT32 and FLOAT64. */
    public boolean isFloatingPoint() { return floatingPoint; }

    /** True for the 16-bit floats, FLOAT16 and BFLOAT16 (stored in 16 bits, computed in float32). */
    public boolean isHalf() { return this == FLOAT16 || this == BFLOAT16; }

    /** True for INT32, INT64 and BOOL. */
    public boolean isIntegral() { return !floatingPoint; }

    /** The type both operands are converted to in a binary op, as {@code torch.promote_types}. */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        if (a.rank == b.rank) return FLOAT32; // FLOAT16 with BFLOAT16: neither holds the other
        return a.rank > b.rank ? a : b;
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
            case FLOAT16 -> "torch.float16";
            case BFLOAT16 -> "torch.bfloat16";
            case FLOAT32 -> "torch.float32";
            case FLOAT64 -> "torch.float64";
        };
    }
}
