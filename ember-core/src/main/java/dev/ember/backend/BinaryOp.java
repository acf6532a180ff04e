package dev.ember.backend;

/**
 * Elementwise maps of two inputs of the same dtype. Comparisons and logical
 * ops write BOOL; the rest write the input dtype.
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAX, MIN, REMAINDER, ATAN2,
    EQ(true), NE(true), LT(true), LE(true), GT(true), GE(true),
    AND(true), OR(true), XOR(true);

    private final boolean bool;

    BinaryOp() { this(false); }

    BinaryOp(boolean bool) { this.bool = bool; }

    /** True when the output is BOOL. */
    public boolean producesBool() { return bool; }
}
