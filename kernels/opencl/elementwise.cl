// Elementwise unary, binary, where and fill over strided operands; instantiated once per dtype.
// Bindings: T (element type), SFX (dtype suffix), IS_FLOAT, STORE(v) (long -> T, integral types),
// FROM_BITS(b) (ulong bit pattern -> T). Op codes U_*, B_* are the Java enum ordinals.

#if IS_FLOAT
inline T K(unary_op)(int op, T x, T a, T b) {
    switch (op) {
        case U_NEG: return -x;
        case U_ABS: return fabs(x);
        case U_SIGN: return x > 0 ? (T) 1 : (x < 0 ? (T) -1 : x); // keeps NaN and signed zero
        case U_EXP: return exp(x);
        case U_LOG: return log(x);
        case U_LOG1P: return log1p(x);
        case U_EXPM1: return expm1(x);
        case U_SQRT: return sqrt(x);
        case U_RSQRT: return (T) 1 / sqrt(x);
        case U_RECIPROCAL: return (T) 1 / x;
        case U_SQUARE: return x * x;
        case U_SIN: return sin(x);
        case U_COS: return cos(x);
        case U_TANH: return tanh(x);
        case U_SIGMOID: return x >= 0 ? (T) 1 / ((T) 1 + exp(-x)) : exp(x) / ((T) 1 + exp(x));
        case U_RELU: return x > 0 ? x : (isnan(x) ? x : (T) 0);
        // 1 + erf(z) == erfc(-z), without erf's cancellation for negative x; no double literal
        // (devices without fp64 must compile this).
        case U_GELU: return (T) 0.5 * x * erfc(-x / sqrt((T) 2));
        case U_ERF: return erf(x);
        case U_SOFTPLUS: return x > 20 ? x : log1p(exp(x));
        case U_FLOOR: return floor(x);
        case U_CEIL: return ceil(x);
        case U_ROUND: return rint(x);
        case U_LEAKY_RELU: return x > 0 ? x : a * x;
        case U_POW_SCALAR: return pow(x, a);
        case U_CLAMP: return isnan(x) ? x : fmin(fmax(x, a), b);
    }
    return x;
}

inline T K(binary_op)(int op, T x, T y) {
    switch (op) {
        case B_ADD: return x + y;
        case B_SUB: return x - y;
        case B_MUL: return x * y;
        case B_DIV: return x / y;
        case B_POW: return pow(x, y);
        case B_MAX: return isnan(x) || isnan(y) ? (T) NAN : fmax(x, y);
        case B_MIN: return isnan(x) || isnan(y) ? (T) NAN : fmin(x, y);
        case B_REMAINDER: { T r = fmod(x, y); return r != 0 && (r < 0) != (y < 0) ? r + y : r; } // Python's sign rule
        case B_ATAN2: return atan2(x, y);
    }
    return x;
}
#define IS_NAN(x) isnan(x)
#define UNARY_PARAMS T a, T b
#define UNARY_CALL(x) K(unary_op)(op, x, a, b)
#define BINARY_CALL(x, y) K(binary_op)(op, x, y)

#else // integral types (BOOL included) compute in long
inline long K(unary_op)(int op, long x, long4 p) {
    switch (op) {
        case U_NEG: return (long) (0UL - (ulong) x);
        case U_ABS: return x < 0 ? (long) (0UL - (ulong) x) : x;
        case U_SIGN: return x > 0 ? 1 : (x < 0 ? -1 : 0);
        case U_SQUARE: return (long) ((ulong) x * (ulong) x);
        case U_RELU: return x > 0 ? x : 0;
        case U_FLOOR: case U_CEIL: case U_ROUND: return x;
        // p = (ceil(lo), (long) min(lo, hi), floor(hi), (long) hi): Java's (long) min(max(x, lo), hi).
        case U_CLAMP: return x < p.s0 ? p.s1 : (x > p.s2 ? p.s3 : x);
    }
    return x;
}

inline long K(binary_op)(int op, long x, long y, __global int* err) {
    switch (op) {
        case B_ADD: return (long) ((ulong) x + (ulong) y);
        case B_SUB: return (long) ((ulong) x - (ulong) y);
        case B_MUL: return (long) ((ulong) x * (ulong) y);
        case B_DIV: {
            if (y == 0) { report_error(err, ERR_DIV_ZERO, 0, 0, 0); return 0; }
            if (y == -1) return (long) (0UL - (ulong) x);
            long q = x / y;
            return (q * y != x && ((x < 0) != (y < 0))) ? q - 1 : q; // floor division
        }
        case B_POW: {
            if (y < 0) { report_error(err, ERR_NEG_POW, y, 0, 0); return 0; }
            ulong r = 1, base = (ulong) x;
            for (long e = y; e > 0; e >>= 1) { if (e & 1) r *= base; base *= base; }
            return (long) r;
        }
        case B_MAX: return max(x, y);
        case B_MIN: return min(x, y);
        case B_REMAINDER: {
            if (y == 0) { report_error(err, ERR_REM_ZERO, 0, 0, 0); return 0; }
            if (y == -1) return 0;
            long r = x % y;
            return r != 0 && ((r < 0) != (y < 0)) ? r + y : r; // floor modulo
        }
    }
    return x;
}
#define IS_NAN(x) 0
#define UNARY_PARAMS long4 p
#define UNARY_CALL(x) STORE(K(unary_op)(op, (long) (x), p))
#define BINARY_CALL(x, y) STORE(K(binary_op)(op, (long) (x), (long) (y), err))
#endif

__kernel void K(unary)(int op, int8 shape, __global const T* x, int8 xs, int xo,
                       __global T* out, int8 os, int oo, UNARY_PARAMS) {
    int8 c = coords(get_global_id(0), shape);
    out[oo + dot8(c, os)] = UNARY_CALL(x[xo + dot8(c, xs)]);
}

// NOT and ISNAN write BOOL.
__kernel void K(unary_bool)(int op, int8 shape, __global const T* x, int8 xs, int xo,
                            __global uchar* out, int8 os, int oo) {
    int8 c = coords(get_global_id(0), shape);
    T v = x[xo + dot8(c, xs)];
    out[oo + dot8(c, os)] = op == U_ISNAN ? (IS_NAN(v) ? 1 : 0) : (v == 0 ? 1 : 0);
}

__kernel void K(binary)(int op, int8 shape, __global const T* x, int8 xs, int xo, __global const T* y, int8 ys, int yo,
                        __global T* out, int8 os, int oo, __global int* err) {
    int8 c = coords(get_global_id(0), shape);
    out[oo + dot8(c, os)] = BINARY_CALL(x[xo + dot8(c, xs)], y[yo + dot8(c, ys)]);
}

// Comparisons and logical ops write BOOL.
__kernel void K(binary_bool)(int op, int8 shape, __global const T* x, int8 xs, int xo, __global const T* y, int8 ys, int yo,
                             __global uchar* out, int8 os, int oo) {
    int8 c = coords(get_global_id(0), shape);
    T a = x[xo + dot8(c, xs)], b = y[yo + dot8(c, ys)];
    int r;
    switch (op) {
        case B_EQ: r = a == b; break;
        case B_NE: r = a != b; break;
        case B_LT: r = a < b; break;
        case B_LE: r = a <= b; break;
        case B_GT: r = a > b; break;
        case B_GE: r = a >= b; break;
        case B_AND: r = a != 0 && b != 0; break;
        case B_OR: r = a != 0 || b != 0; break;
        default: r = (a != 0) != (b != 0); break; // XOR
    }
    out[oo + dot8(c, os)] = r ? 1 : 0;
}

__kernel void K(where)(int8 shape, __global const uchar* cond, int8 cs, int co, __global const T* x, int8 xs, int xo,
                       __global const T* y, int8 ys, int yo, __global T* out, int8 os, int oo) {
    int8 c = coords(get_global_id(0), shape);
    out[oo + dot8(c, os)] = cond[co + dot8(c, cs)] != 0 ? x[xo + dot8(c, xs)] : y[yo + dot8(c, ys)];
}

// value: the element's bit pattern, converted on the host with Java's casts.
__kernel void K(fill)(int8 shape, __global T* out, int8 os, int oo, ulong value) {
    int8 c = coords(get_global_id(0), shape);
    out[oo + dot8(c, os)] = FROM_BITS(value);
}

#undef IS_NAN
#undef UNARY_PARAMS
#undef UNARY_CALL
#undef BINARY_CALL
