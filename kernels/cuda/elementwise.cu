// Elementwise kernels over strided operands (zero strides broadcast): unary and binary maps,
// where, copy with dtype conversion, and fill. Semantics follow dev.ember.backend.cpu.ScalarMath.
#include "common.cuh"

#define SQRT1_2 0.7071067811865476

// ---- unary ----------------------------------------------------------------------------------

template <typename C> __device__ __forceinline__ C unary_float(int op, C x, double a, double b) {
    switch (op) {
        case NEG: return -x;
        case ABS: return fabs(x);
        case SIGN: return x > C(0) ? C(1) : (x < C(0) ? C(-1) : x);
        case EXP: return exp(x);
        case LOG: return log(x);
        case LOG1P: return log1p(x);
        case EXPM1: return expm1(x);
        case SQRT: return sqrt(x);
        case RSQRT: return C(1) / sqrt(x);
        case RECIPROCAL: return C(1) / x;
        case SQUARE: return x * x;
        case SIN: return sin(x);
        case COS: return cos(x);
        case TANH: return tanh(x);
        case SIGMOID: return x >= C(0) ? C(1) / (C(1) + exp(-x)) : exp(x) / (C(1) + exp(x));
        case RELU: return x > C(0) ? x : (isnan(x) ? x : C(0));
        case GELU: return C(0.5) * x * (C(1) + erf(x * C(SQRT1_2)));
        case ERF: return erf(x);
        case SOFTPLUS: return x > C(20) ? x : log1p(exp(x));
        case FLOOR: return floor(x);
        case CEIL: return ceil(x);
        case ROUND: return rint(x);
        case LEAKY_RELU: return x > C(0) ? x : C(a) * x;
        case POW_SCALAR: return pow(x, C(a));
        case CLAMP: return isnan(x) ? x : fmin(fmax(x, C(a)), C(b));
        case NOT: return x == C(0) ? C(1) : C(0);
        case ISNAN: return isnan(x) ? C(1) : C(0);
        default: return x;
    }
}

// The host rejects ops that are undefined on integers before launching.
__device__ __forceinline__ i64 unary_long(int op, i64 x, double a, double b) {
    switch (op) {
        case NEG: return -x;
        case ABS: return x < 0 ? -x : x;
        case SIGN: return x > 0 ? 1 : (x < 0 ? -1 : 0);
        case SQUARE: return x * x;
        case RELU: return x > 0 ? x : 0;
        case CLAMP: return (i64) fmin(fmax((double) x, a), b);
        case NOT: return x == 0 ? 1 : 0;
        case ISNAN: return 0;
        default: return x;
    }
}

template <typename C> struct UnaryEval {
    static __device__ __forceinline__ C eval(int op, C x, double a, double b) { return unary_float<C>(op, x, a, b); }
};
template <> struct UnaryEval<i64> {
    static __device__ __forceinline__ i64 eval(int op, i64 x, double a, double b) { return unary_long(op, x, a, b); }
};

template <typename TI, typename TO>
__device__ void unary_body(int op, const Shape& sh, const Strides& xs, const Strides& os, const TI* x, TO* out,
                           double a, double b) {
    typedef typename Compute<TI>::type C;
    EMBER_FOR(i, sh.n) {
        C v = (C) x[offset_of(sh, xs, i)];
        out[offset_of(sh, os, i)] = store_as<TO, C>(UnaryEval<C>::eval(op, v, a, b));
    }
}

#define UNARY(name, TI, TO) \
    extern "C" __global__ void name(int op, Shape sh, Strides xs, Strides os, const TI* x, TO* out, double a, double b) { \
        unary_body<TI, TO>(op, sh, xs, os, x, out, a, b); }

// The BOOL-valued unary ops (NOT, ISNAN) of a non-BOOL input: a small kernel instead of the whole op table.
template <typename TI>
__device__ void unary_bool_body(int op, const Shape& sh, const Strides& xs, const Strides& os, const TI* x, u8* out) {
    EMBER_FOR(i, sh.n) {
        TI v = x[offset_of(sh, xs, i)];
        out[offset_of(sh, os, i)] = op == ISNAN ? (is_nan<TI>(v) ? 1 : 0) : (v == TI(0) ? 1 : 0);
    }
}

#define UNARY_BOOL(name, TI) \
    extern "C" __global__ void name(int op, Shape sh, Strides xs, Strides os, const TI* x, u8* out, double a, double b) { \
        unary_bool_body<TI>(op, sh, xs, os, x, out); }

UNARY(unary_f32, float, float)
UNARY(unary_f64, double, double)
UNARY(unary_i32, int, int)
UNARY(unary_i64, i64, i64)
UNARY(unary_u8, u8, u8)
UNARY_BOOL(unary_f32_u8, float)
UNARY_BOOL(unary_f64_u8, double)
UNARY_BOOL(unary_i32_u8, int)
UNARY_BOOL(unary_i64_u8, i64)

// Contiguous float32 with 16-byte aligned offsets: four elements per thread through float4.
extern "C" __global__ void unary_f32_vec4(int op, int n, const float* x, int xoff, float* out, int ooff, double a, double b) {
    const float4* x4 = reinterpret_cast<const float4*>(x + xoff);
    float4* o4 = reinterpret_cast<float4*>(out + ooff);
    int n4 = n >> 2;
    EMBER_FOR(i, n4) {
        float4 v = x4[i];
        v.x = unary_float<float>(op, v.x, a, b);
        v.y = unary_float<float>(op, v.y, a, b);
        v.z = unary_float<float>(op, v.z, a, b);
        v.w = unary_float<float>(op, v.w, a, b);
        o4[i] = v;
    }
    EMBER_FOR(j, n - (n4 << 2)) {
        int i = (n4 << 2) + j;
        out[ooff + i] = unary_float<float>(op, x[xoff + i], a, b);
    }
}

// ---- binary ---------------------------------------------------------------------------------

template <typename C> __device__ __forceinline__ C binary_float(int op, C x, C y) {
    switch (op) {
        case ADD: return x + y;
        case SUB: return x - y;
        case MUL: return x * y;
        case DIV: return x / y;
        case POW: return pow(x, y);
        case MAX: return isnan(x) || isnan(y) ? C(NAN) : fmax(x, y);
        case MIN: return isnan(x) || isnan(y) ? C(NAN) : fmin(x, y);
        case REMAINDER: { C r = fmod(x, y); return r != C(0) && ((r < C(0)) != (y < C(0))) ? r + y : r; }
        case ATAN2: return atan2(x, y);
        case EQ: return x == y;
        case NE: return x != y;
        case LT: return x < y;
        case LE: return x <= y;
        case GT: return x > y;
        case GE: return x >= y;
        case AND: return x != C(0) && y != C(0);
        case OR: return x != C(0) || y != C(0);
        case XOR: return (x != C(0)) != (y != C(0));
        default: return x;
    }
}

__device__ __forceinline__ i64 floor_div(i64 x, i64 y) {
    i64 q = x / y;
    return (q * y != x && ((x < 0) != (y < 0))) ? q - 1 : q;
}

__device__ __forceinline__ i64 binary_long(int op, i64 x, i64 y, int* err) {
    switch (op) {
        case ADD: return x + y;
        case SUB: return x - y;
        case MUL: return x * y;
        case DIV:
            if (y == 0) { raise_error(err, ERR_INT_DIV_ZERO); return 0; }
            return floor_div(x, y);
        case POW: {
            if (y < 0) { raise_error(err, ERR_INT_NEG_POW); return 0; }
            i64 r = 1, base = x;
            for (i64 e = y; e > 0; e >>= 1) { if (e & 1) r *= base; base *= base; }
            return r;
        }
        case MAX: return x > y ? x : y;
        case MIN: return x < y ? x : y;
        case REMAINDER: {
            if (y == 0) { raise_error(err, ERR_INT_REM_ZERO); return 0; }
            i64 m = x % y;
            return (m != 0 && ((m < 0) != (y < 0))) ? m + y : m;
        }
        case EQ: return x == y;
        case NE: return x != y;
        case LT: return x < y;
        case LE: return x <= y;
        case GT: return x > y;
        case GE: return x >= y;
        case AND: return x != 0 && y != 0;
        case OR: return x != 0 || y != 0;
        case XOR: return (x != 0) != (y != 0);
        default: return x;
    }
}

template <typename C> struct BinaryEval {
    static __device__ __forceinline__ C eval(int op, C x, C y, int* err) { return binary_float<C>(op, x, y); }
};
template <> struct BinaryEval<i64> {
    static __device__ __forceinline__ i64 eval(int op, i64 x, i64 y, int* err) { return binary_long(op, x, y, err); }
};

template <typename TI, typename TO>
__device__ void binary_body(int op, const Shape& sh, const Strides& xs, const Strides& ys, const Strides& os,
                            const TI* x, const TI* y, TO* out, int* err) {
    typedef typename Compute<TI>::type C;
    EMBER_FOR(i, sh.n) {
        C a = (C) x[offset_of(sh, xs, i)];
        C b = (C) y[offset_of(sh, ys, i)];
        out[offset_of(sh, os, i)] = store_as<TO, C>(BinaryEval<C>::eval(op, a, b, err));
    }
}

// Comparisons and logical ops of non-BOOL inputs, which write BOOL: only those ops, in the input's own type.
template <typename TI>
__device__ __forceinline__ bool compare_op(int op, TI x, TI y) {
    switch (op) {
        case EQ: return x == y;
        case NE: return x != y;
        case LT: return x < y;
        case LE: return x <= y;
        case GT: return x > y;
        case GE: return x >= y;
        case AND: return x != TI(0) && y != TI(0);
        case OR: return x != TI(0) || y != TI(0);
        default: return (x != TI(0)) != (y != TI(0)); // XOR
    }
}

template <typename TI>
__device__ void compare_body(int op, const Shape& sh, const Strides& xs, const Strides& ys, const Strides& os,
                             const TI* x, const TI* y, u8* out) {
    EMBER_FOR(i, sh.n) {
        out[offset_of(sh, os, i)] = compare_op<TI>(op, x[offset_of(sh, xs, i)], y[offset_of(sh, ys, i)]) ? 1 : 0;
    }
}

#define COMPARE(name, TI) \
    extern "C" __global__ void name(int op, Shape sh, Strides xs, Strides ys, Strides os, const TI* x, const TI* y, \
                                    u8* out, int* err) { compare_body<TI>(op, sh, xs, ys, os, x, y, out); }

#define BINARY(name, TI, TO) \
    extern "C" __global__ void name(int op, Shape sh, Strides xs, Strides ys, Strides os, const TI* x, const TI* y, \
                                    TO* out, int* err) { binary_body<TI, TO>(op, sh, xs, ys, os, x, y, out, err); }

BINARY(binary_f32, float, float)
BINARY(binary_f64, double, double)
BINARY(binary_i32, int, int)
BINARY(binary_i64, i64, i64)
BINARY(binary_u8, u8, u8)
COMPARE(binary_f32_u8, float)
COMPARE(binary_f64_u8, double)
COMPARE(binary_i32_u8, int)
COMPARE(binary_i64_u8, i64)

// Contiguous float32 with 16-byte aligned offsets; y may also be a broadcast scalar (ystep 0).
extern "C" __global__ void binary_f32_vec4(int op, int n, const float* x, int xoff, const float* y, int yoff, int ystep,
                                           float* out, int ooff) {
    const float4* x4 = reinterpret_cast<const float4*>(x + xoff);
    float4* o4 = reinterpret_cast<float4*>(out + ooff);
    int n4 = n >> 2;
    if (ystep == 0) {
        float s = y[yoff];
        EMBER_FOR(i, n4) {
            float4 v = x4[i];
            v.x = binary_float<float>(op, v.x, s);
            v.y = binary_float<float>(op, v.y, s);
            v.z = binary_float<float>(op, v.z, s);
            v.w = binary_float<float>(op, v.w, s);
            o4[i] = v;
        }
    } else {
        const float4* y4 = reinterpret_cast<const float4*>(y + yoff);
        EMBER_FOR(i, n4) {
            float4 v = x4[i], w = y4[i];
            v.x = binary_float<float>(op, v.x, w.x);
            v.y = binary_float<float>(op, v.y, w.y);
            v.z = binary_float<float>(op, v.z, w.z);
            v.w = binary_float<float>(op, v.w, w.w);
            o4[i] = v;
        }
    }
    EMBER_FOR(j, n - (n4 << 2)) {
        int i = (n4 << 2) + j;
        out[ooff + i] = binary_float<float>(op, x[xoff + i], y[yoff + i * ystep]);
    }
}

// ---- where ----------------------------------------------------------------------------------

#define WHERE(name, T) \
    extern "C" __global__ void name(Shape sh, Strides cs, Strides xs, Strides ys, Strides os, const u8* c, \
                                    const T* x, const T* y, T* out) { \
        EMBER_FOR(i, sh.n) { \
            out[offset_of(sh, os, i)] = c[offset_of(sh, cs, i)] ? x[offset_of(sh, xs, i)] : y[offset_of(sh, ys, i)]; \
        } }

WHERE(where_f32, float)
WHERE(where_f64, double)
WHERE(where_i32, int)
WHERE(where_i64, i64)
WHERE(where_u8, u8)

// ---- copy with dtype conversion -------------------------------------------------------------

// Integer to integer goes through 64 bits, anything involving a float through double (as the CPU backend).
template <typename S, typename D, bool LONGS> struct Convert {
    static __device__ __forceinline__ D run(S v) { return from_double<D>((double) v); }
};
template <typename S, typename D> struct Convert<S, D, true> {
    static __device__ __forceinline__ D run(S v) { return from_long<D>((i64) v); }
};

template <typename S, typename D>
__device__ void copy_body(const Shape& sh, const Strides& ss, const Strides& ds, const S* src, D* dst) {
    EMBER_FOR(i, sh.n) {
        S v = src[offset_of(sh, ss, i)];
        dst[offset_of(sh, ds, i)] = Convert<S, D, IsIntegral<S>::value && IsIntegral<D>::value>::run(v);
    }
}

#define COPY(S, D, sn, dn) \
    extern "C" __global__ void copy_##sn##_##dn(Shape sh, Strides ss, Strides ds, const S* src, D* dst) { \
        copy_body<S, D>(sh, ss, ds, src, dst); }
#define COPY_FROM(S, sn) \
    COPY(S, float, sn, f32) COPY(S, double, sn, f64) COPY(S, int, sn, i32) COPY(S, i64, sn, i64) COPY(S, u8, sn, u8)

COPY_FROM(float, f32)
COPY_FROM(double, f64)
COPY_FROM(int, i32)
COPY_FROM(i64, i64)
COPY_FROM(u8, u8)

// ---- fill -----------------------------------------------------------------------------------

#define FILL(name, T) \
    extern "C" __global__ void name(Shape sh, Strides ds, T* dst, T value) { \
        EMBER_FOR(i, sh.n) dst[offset_of(sh, ds, i)] = value; }

FILL(fill_f32, float)
FILL(fill_f64, double)
FILL(fill_i32, int)
FILL(fill_i64, i64)
FILL(fill_u8, u8)
