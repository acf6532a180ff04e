// Shared by every Ember OpenCL program: prepended once before a family's instantiations.
// Strided operands are described by an 8-d shape (leading dims padded with 1) and, per operand,
// 8 strides (in elements) and an offset; the host coalesces dims so most launches use few of them.
#ifdef EMBER_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif
// Java never fuses a*b+c; keep results comparable with the CPU backend.
#pragma OPENCL FP_CONTRACT OFF

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
// Kernel names carry their dtype suffix(es): unary_f32, copy_f32_i64, ...
#define K(name) CAT(CAT(name, _), SFX)
#define K2(name) CAT(CAT(CAT(CAT(name, _), SSFX), _), DSFX)

// Row-major coordinates of linear index i in shape. Stops once the remaining index is 0 (the
// outer coordinates are then 0), so merged, mostly-contiguous layouts cost one or two divisions.
inline int8 coords(int i, int8 shape) {
    int8 c = (int8) (0);
    c.s7 = i % shape.s7; i /= shape.s7; if (i == 0) return c;
    c.s6 = i % shape.s6; i /= shape.s6; if (i == 0) return c;
    c.s5 = i % shape.s5; i /= shape.s5; if (i == 0) return c;
    c.s4 = i % shape.s4; i /= shape.s4; if (i == 0) return c;
    c.s3 = i % shape.s3; i /= shape.s3; if (i == 0) return c;
    c.s2 = i % shape.s2; i /= shape.s2; if (i == 0) return c;
    c.s1 = i % shape.s1; i /= shape.s1;
    c.s0 = i;
    return c;
}

inline int dot8(int8 c, int8 s) {
    int8 p = c * s;
    return p.s0 + p.s1 + p.s2 + p.s3 + p.s4 + p.s5 + p.s6 + p.s7;
}

// Errors kernels cannot throw are recorded here (the first one wins) and raised by the host
// at its next read: err[0] = code, err[1..2] = value (lo, hi), err[3] = dim, err[4] = size.
#define ERR_GATHER 1
#define ERR_SCATTER 2
#define ERR_DIV_ZERO 3
#define ERR_REM_ZERO 4
#define ERR_NEG_POW 5

inline void report_error(__global int* err, int code, long value, int dim, int size) {
    if (atomic_cmpxchg(err, 0, code) == 0) {
        err[1] = (int) value;
        err[2] = (int) (value >> 32);
        err[3] = dim;
        err[4] = size;
    }
}
