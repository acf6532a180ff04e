package dev.ember.backend;

import java.util.Locale;

/**
 * The errors a GPU kernel cannot throw: it records the first one in its launching thread's error slot
 * ({@code int[5]}: code, value low and high words, dim, size) and the host raises it at that thread's
 * next read. One table for the kernels (the generator defines {@code KE_<NAME>} from {@link #code()})
 * and every host.
 */
public enum KernelError {
    GATHER_INDEX(1),
    SCATTER_INDEX(2),
    INT_DIV_ZERO(3),
    INT_REM_ZERO(4),
    INT_NEG_POW(5),
    /** A kernel was handed an op code its switch has no case for (an op without a form for that dtype). */
    UNKNOWN_OP(6);

    private final int code;

    KernelError(int code) { this.code = code; }

    /** The value kernels write; 0 means no error. */
    public int code() { return code; }

    /** The C macro name the kernel prelude defines for this code ({@code KE_GATHER_INDEX}). */
    public String macro() { return "KE_" + name(); }

    /** The error with {@code code}; null for 0 and for codes no kernel writes. */
    public static KernelError of(int code) {
        for (KernelError e : values()) if (e.code == code) return e;
        return null;
    }

    /**
     * The exception to raise for this error, with what the kernel recorded ({@code value}: the bad index
     * or op code; {@code dim} and {@code size}: the indexed dimension and its extent) and {@code where}
     * appended (which device, when it was reported).
     */
    public RuntimeException exception(long value, int dim, long size, String where) {
        return switch (this) {
            case GATHER_INDEX, SCATTER_INDEX -> new IndexOutOfBoundsException((this == GATHER_INDEX ? "gather" : "scatterAdd")
                    + ": index " + value + " is out of bounds for dimension " + dim + " with size " + size + where);
            case INT_DIV_ZERO -> new ArithmeticException("integer division by zero" + where);
            case INT_REM_ZERO -> new ArithmeticException("integer remainder by zero" + where);
            case INT_NEG_POW -> new ArithmeticException("integers to negative integer powers are not allowed" + where);
            case UNKNOWN_OP -> new IllegalStateException("a kernel met op code " + value + ", which has no case for its dtype "
                    + "(an op without a form for it); unknown op" + where);
        };
    }

    @Override
    public String toString() { return name().toLowerCase(Locale.ROOT); }
}
