package dev.ember.backend.opencl;

import dev.ember.DType;

/**
 * How each {@link DType} looks in OpenCL C: its element type, the suffix of its kernels
 * ({@code unary_f32}), and the conversions the kernel templates need.
 */
enum ClType {
    BOOL("uchar", "b8", "long"),
    INT32("int", "i32", "long"),
    INT64("long", "i64", "long"),
    FLOAT32("float", "f32", "float"),
    FLOAT64("double", "f64", "double");

    /** The OpenCL C element type. */
    final String c;
    /** The kernel-name suffix. */
    final String suffix;
    /** The accumulator type of reductions and GEMM. */
    final String acc;

    ClType(String c, String suffix, String acc) {
        this.c = c;
        this.suffix = suffix;
        this.acc = acc;
    }

    static ClType of(DType d) { return valueOf(d.name()); }

    boolean isFloat() { return this == FLOAT32 || this == FLOAT64; }

    /** An OpenCL C expression converting {@code v} (of any type) to this type with Java's cast rules. */
    String convertFrom(ClType source, String v) {
        if (this == BOOL) return "((uchar) ((" + v + ") != 0))";
        if (!isFloat() && source.isFloat()) return "convert_" + c + "_sat(" + v + ")"; // saturates, NaN -> 0, as Java
        return "((" + c + ") (" + v + "))";
    }

    /** An OpenCL C expression reading a {@code ulong} bit pattern {@code b} as this type. */
    String fromBits(String b) {
        return switch (this) {
            case FLOAT32 -> "as_float((uint) (" + b + "))";
            case FLOAT64 -> "as_double(" + b + ")";
            default -> "((" + c + ") (" + b + "))";
        };
    }

    /** The bit pattern of {@code value} converted to this type as Java casts do (what {@link #fromBits} reads). */
    long bits(double value) {
        return switch (this) {
            case FLOAT32 -> Float.floatToRawIntBits((float) value) & 0xFFFFFFFFL;
            case FLOAT64 -> Double.doubleToRawLongBits(value);
            case INT32 -> (int) value;
            case INT64 -> (long) value;
            case BOOL -> value != 0 ? 1 : 0;
        };
    }
}
