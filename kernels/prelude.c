// The prelude of every Ember kernel program, after the dialect's definitions (GLOBAL, LOCAL_MEM, INLINE,
// BARRIER, THREAD_ID, BLOCK_ID_*, BLOCK_DIM, GRID_DIM, ATOMIC_CAS_INT, UMULHI; i64, u64, u32, u8; idx_t,
// the index type of this rendering) and the op table's codes (KE_*, the KernelError codes).
// Written once in the C subset both dialects share: no templates, no overloading, no headers.

#define EMBER_MAX_RANK 8

// The space a strided kernel iterates, row-major, after the host merged dims: rank, elements, sizes.
typedef struct { idx_t rank, n, d[EMBER_MAX_RANK]; } Shape;
// One operand's element offset and strides over a Shape.
typedef struct { idx_t off, s[EMBER_MAX_RANK]; } Strides;

// Element offset of row-major position i of sh in operand st. Stops once the rest of i is 0, so a
// merged, mostly contiguous layout costs one or two divisions.
INLINE idx_t offset_of(Shape sh, Strides st, idx_t i) {
    idx_t off = st.off;
    for (int d = (int) sh.rank - 1; d >= 0 && i != 0; d--) {
        idx_t dim = sh.d[d];
        off += (i % dim) * st.s[d];
        i /= dim;
    }
    return off;
}

// Grid-stride loop: any grid covers any n.
#define FOR_EACH(i, n) for (idx_t i = BLOCK_ID_X * BLOCK_DIM + THREAD_ID; i < (n); i += BLOCK_DIM * GRID_DIM)

// Records the first error since the host last read this thread's slot: int[6] = code, value (lo, hi), dim,
// size (lo, hi). Value and size are 64-bit: a dimension may pass 2^31 elements.
INLINE void report(GLOBAL int* err, int code, i64 value, int dim, i64 size) {
    if (ATOMIC_CAS_INT(err, 0, code) == 0) {
        err[1] = (int) value;
        err[2] = (int) (value >> 32);
        err[3] = dim;
        err[4] = (int) size;
        err[5] = (int) (size >> 32);
    }
}

// ---- integer arithmetic as Java's long: two's complement wrapping, floor division ----------------------

INLINE i64 wrap_add(i64 x, i64 y) { return (i64) ((u64) x + (u64) y); }
INLINE i64 wrap_sub(i64 x, i64 y) { return (i64) ((u64) x - (u64) y); }
INLINE i64 wrap_mul(i64 x, i64 y) { return (i64) ((u64) x * (u64) y); }
INLINE i64 wrap_neg(i64 x) { return (i64) ((u64) 0 - (u64) x); }

// Math.floorDiv: MIN / -1 overflows in C (a trap on x86), and wraps to MIN in Java.
INLINE i64 floor_div(i64 x, i64 y, GLOBAL int* err) {
    if (y == 0) { report(err, KE_INT_DIV_ZERO, 0, 0, 0); return 0; }
    if (y == -1) return wrap_neg(x);
    i64 q = x / y;
    return (q * y != x && ((x < 0) != (y < 0))) ? q - 1 : q;
}

// Math.floorMod: the divisor's sign; MIN % -1 is 0.
INLINE i64 floor_mod(i64 x, i64 y, GLOBAL int* err) {
    if (y == 0) { report(err, KE_INT_REM_ZERO, 0, 0, 0); return 0; }
    if (y == -1) return 0;
    i64 r = x % y;
    return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r;
}

// By squaring, wrapping; negative exponents are an error for integers (as PyTorch).
INLINE i64 int_pow(i64 x, i64 y, GLOBAL int* err) {
    if (y < 0) { report(err, KE_INT_NEG_POW, y, 0, 0); return 0; }
    u64 r = 1, base = (u64) x;
    for (i64 e = y; e > 0; e >>= 1) {
        if (e & 1) r *= base;
        base *= base;
    }
    return (i64) r;
}

#define I64_MAX ((i64) 0x7fffffffffffffff)
#define I64_MIN (-I64_MAX - 1)

// ---- float to integer as Java's casts: NaN is 0, out of range saturates ------------------------------------

INLINE int sat_i32_f32(float v) {
    return v != v ? 0 : v >= 2147483647.0f ? 2147483647 : v <= -2147483648.0f ? (-2147483647 - 1) : (int) v;
}
INLINE i64 sat_i64_f32(float v) {
    return v != v ? 0 : v >= 9223372036854775807.0f ? I64_MAX
            : v <= -9223372036854775808.0f ? I64_MIN : (i64) v;
}
#ifdef EMBER_FP64
INLINE int sat_i32_f64(double v) {
    return v != v ? 0 : v >= 2147483647.0 ? 2147483647 : v <= -2147483648.0 ? (-2147483647 - 1) : (int) v;
}
INLINE i64 sat_i64_f64(double v) {
    return v != v ? 0 : v >= 9223372036854775807.0 ? I64_MAX
            : v <= -9223372036854775808.0 ? I64_MIN : (i64) v;
}
#endif

// @instantiate each-compute
// ---- per compute type (float, double, i64): the helpers that templates and op forms call ----------------

INLINE int is_nan_${CS}(${C} v) { return ${IS_NAN}; }

// Is (v, j) a better pick than (b, bi) for ARGMAX / ARGMIN? The first NaN wins, then the larger (smaller)
// value, then the lower index; bi < 0 means no pick yet.
INLINE int arg_better_${CS}(int op, ${C} v, idx_t j, ${C} b, idx_t bi) {
    if (j < 0) return 0;
    if (bi < 0) return 1;
    int vn = is_nan_${CS}(v), bn = is_nan_${CS}(b);
    if (vn || bn) return vn && (!bn || j < bi);
    if (v == b) return j < bi;
    return op == REDUCE_ARGMAX ? v > b : v < b;
}

// acc + a * b, wrapping for integers (GEMM).
INLINE ${C} mac_${CS}(${C} acc, ${C} a, ${C} b) { return ${MAC}; }

// a + b, wrapping for integers (the sums of scatter-add and col2im; BOOL stores any non-zero sum as true).
INLINE ${C} add_${CS}(${C} a, ${C} b) { return ${ADD}; }

// @instantiate each-float-compute
// Python's remainder: the result has the divisor's sign (torch.remainder).
INLINE ${C} pyrem_${CS}(${C} x, ${C} y) {
    ${C} r = fmod(x, y);
    return r != (${C}) 0 && ((r < (${C}) 0) != (y < (${C}) 0)) ? r + y : r;
}

// @instantiate once
// ---- 16-bit floats: FLOAT16 and BFLOAT16 elements are u16 bit patterns, converted through float32 -------
// Bit for bit as dev.ember.backend.HalfConversions (PyTorch's tensor conversions): round to nearest even,
// overflow to infinity, FLOAT16 subnormals kept; a FLOAT16 NaN widens quiet with its sign and payload and
// narrows to 0x7e00 with its sign; every NaN narrows to BFLOAT16 0xffff. Integer arithmetic on the bits
// plus one float add, so no device's float16 instructions (or their absence) change a result.

INLINE float f16_to_f32(u32 h) {
    u32 em = h & 0x7fffu, sign = (h & 0x8000u) << 16;
    if (em < 0x400u) { // zero and subnormals: the fraction times 2^-24, exact in float32
        float v = (float) em * 0x1p-24f;
        return sign ? -v : v;
    }
    u32 bits = em >= 0x7c00u ? ((em << 13) | 0x7f800000u | (em > 0x7c00u ? 0x00400000u : 0u)) // infinity, quiet NaN
                             : (em << 13) + (112u << 23); // normal: rebias the exponent
    return AS_FLOAT(bits | sign);
}

INLINE u16 f32_to_f16(float f) {
    u32 x = AS_UINT(f), a = x & 0x7fffffffu, r;
    if (a >= 0x47800000u) r = a > 0x7f800000u ? 0x7e00u : 0x7c00u; // NaN, or 65536 and beyond
    else if (a < 0x38800000u) r = AS_UINT(AS_FLOAT(a) + 0.5f) - 0x3f000000u; // below 2^-14: the add rounds
    else r = (a + 0xc8000fffu + ((a >> 13) & 1u)) >> 13; // rebias by -112 << 23, round the 13 dropped bits
    return (u16) (r | ((x >> 16) & 0x8000u));
}

INLINE float bf16_to_f32(u32 b) { return AS_FLOAT(b << 16); }

INLINE u16 f32_to_bf16(float f) {
    u32 x = AS_UINT(f);
    return f != f ? (u16) 0xffffu : (u16) ((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}
