package dev.ember.backend.gpu;

import dev.ember.DType;

/**
 * How each {@link DType} looks in the kernels: its element type, the type it computes in, the suffix
 * of its kernels ({@code unary_f32}), and the conversions the generator writes.
 *
 * <p>FLOAT16 and BFLOAT16 elements are 16-bit patterns ({@code u16}) that compute in float32: every kernel widens
 * an element as it loads it ({@code load_f16}: the prelude's {@code f16_to_f32}, exact) and rounds once as it
 * stores a result ({@code store_f16_f32}: {@code f32_to_f16}, to nearest even), bit for bit as the CPU, which
 * computes a 16-bit op in float32 and rounds once. PyTorch's CUDA kernels do the same (their {@code opmath}
 * type of {@code Half} and {@code BFloat16} is float). The conversions are integer arithmetic rather than
 * CUDA's {@code __half2float}/{@code __float2half_rn} or OpenCL's {@code vload_half}/{@code cl_khr_fp16}, so a
 * NaN's bits, and a device without 16-bit arithmetic, change nothing.
 */
public enum GpuType {
    BOOL(DType.BOOL, "u8", "b8", Compute.I64),
    INT32(DType.INT32, "int", "i32", Compute.I64),
    INT64(DType.INT64, "i64", "i64", Compute.I64),
    FLOAT32(DType.FLOAT32, "float", "f32", Compute.F32),
    FLOAT64(DType.FLOAT64, "double", "f64", Compute.F64),
    FLOAT16(DType.FLOAT16, "u16", "f16", Compute.F32),
    BFLOAT16(DType.BFLOAT16, "u16", "bf16", Compute.F32);

    /** The types arithmetic happens in: float, double, or 64-bit integers (for every integer dtype and BOOL). */
    public enum Compute {
        F32("float", "f32"), F64("double", "f64"), I64("i64", "i64");

        /** The C type. */
        public final String c;
        /** The suffix of the generated functions of this type ({@code unary_op_f32}). */
        public final String suffix;

        Compute(String c, String suffix) {
            this.c = c;
            this.suffix = suffix;
        }

        public boolean isFloat() { return this != I64; }

        /** {@code acc + a * b} in this type (wrapping for integers). */
        String multiplyAdd() { return isFloat() ? "acc + a * b" : "wrap_add(acc, wrap_mul(a, b))"; }

        /** {@code a + b} in this type (wrapping for integers): sums that a kernel accumulates (scatter-add, col2im). */
        String plus() { return isFloat() ? "a + b" : "wrap_add(a, b)"; }
    }

    public final DType dtype;
    /** The C element type (the same in both dialects for these dtypes). */
    public final String c;
    /** The kernel-name suffix. */
    public final String suffix;
    /** What it computes in. */
    public final Compute compute;

    GpuType(DType dtype, String c, String suffix, Compute compute) {
        this.dtype = dtype;
        this.c = c;
        this.suffix = suffix;
        this.compute = compute;
    }

    public static GpuType of(DType d) { return valueOf(d.name()); }

    public boolean isFloat() { return compute.isFloat(); }

    /** FLOAT16 and BFLOAT16: stored as 16-bit patterns, computed in float32 (see the class comment). */
    public boolean sixteenBit() { return this == FLOAT16 || this == BFLOAT16; }

    /** Whether a device without double precision has this type. */
    public boolean needsFp64() { return this == FLOAT64; }

    /** The C body of {@code load_<suffix>(p, i)}: element {@code i} of {@code p} in the compute type. */
    String load() {
        if (sixteenBit()) return "return " + (this == FLOAT16 ? "f16_to_f32" : "bf16_to_f32") + "(p[i]);";
        return "return (" + compute.c + ") p[i];";
    }

    /** The C body of {@code store_<suffix>_<from>(p, i, v)}: stores {@code v} of compute type {@code from}. */
    String store(Compute from) {
        if (this == BOOL) return "p[i] = (u8) (v != (" + from.c + ") 0);";
        if (from == compute && sixteenBit()) return "p[i] = " + (this == FLOAT16 ? "f32_to_f16" : "f32_to_bf16") + "(v);";
        if (from == compute) return "p[i] = (" + c + ") v;";
        return null; // never needed: a kernel stores into its own type or BOOL
    }

    /**
     * A C expression converting {@code v} of type {@code src} to this type as Java's casts do (and as the CPU
     * backend converts: integer to integer in 64 bits, anything involving a float through double where the
     * device has double, else directly).
     */
    String convertFrom(GpuType src, String v, boolean fp64) {
        if (src == this) return v;
        // 16-bit floats convert through float32, as PyTorch does (double to FLOAT16 rounds twice, as there)
        if (src.sixteenBit()) return convertFrom(FLOAT32, (src == FLOAT16 ? "f16_to_f32(" : "bf16_to_f32(") + v + ")", fp64);
        if (sixteenBit()) return (this == FLOAT16 ? "f32_to_f16(" : "f32_to_bf16(") + FLOAT32.convertFrom(src, v, fp64) + ")";
        if (this == BOOL) return "(u8) (" + v + " != 0)";
        if (!isFloat() && src.isFloat()) return "sat_" + suffix + "_" + src.suffix + "(" + v + ")";
        if (!isFloat()) return "(" + c + ") (i64) " + v;
        if (!src.isFloat() && fp64) return "(" + c + ") (double) " + v;
        return "(" + c + ") " + v;
    }
}
