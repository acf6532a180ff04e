// Shared definitions of Ember's CUDA kernels: strided layouts, op codes, dtype conversions
// and the device error word. Op codes follow the order of the Java enums
// dev.ember.backend.UnaryOp / BinaryOp / ReduceOp (a unit test checks it).
#pragma once

#define EMBER_MAX_RANK 8

typedef unsigned char u8;
typedef long long i64;

// The shape an elementwise kernel iterates over (row-major), after the host merged dims.
struct Shape {
    int rank;
    int n;
    int dims[EMBER_MAX_RANK];
};

// One operand's element offset and strides (in elements) over a Shape.
struct Strides {
    int off;
    int s[EMBER_MAX_RANK];
};

// Errors a kernel cannot throw: recorded in a device word, raised by the host at its next read.
enum ErrorCode { ERR_NONE = 0, ERR_GATHER_INDEX = 1, ERR_SCATTER_INDEX = 2, ERR_INT_DIV_ZERO = 3,
                 ERR_INT_NEG_POW = 4, ERR_INT_REM_ZERO = 5 };

enum UnaryOp { NEG, ABS, SIGN, EXP, LOG, LOG1P, EXPM1, SQRT, RSQRT, RECIPROCAL, SQUARE,
               SIN, COS, TANH, SIGMOID, RELU, GELU, ERF, SOFTPLUS,
               FLOOR, CEIL, ROUND, LEAKY_RELU, POW_SCALAR, CLAMP, NOT, ISNAN };

enum BinaryOp { ADD, SUB, MUL, DIV, POW, MAX, MIN, REMAINDER, ATAN2,
                EQ, NE, LT, LE, GT, GE, AND, OR, XOR };

enum ReduceOp { SUM, PROD, RMAX, RMIN, ARGMAX, ARGMIN };

// Element offset of linear (row-major) position i of shape sh in operand st.
__device__ __forceinline__ int offset_of(const Shape& sh, const Strides& st, int i) {
    int off = st.off;
    for (int d = sh.rank - 1; d >= 0; d--) {
        int dim = sh.dims[d];
        int c = i % dim;
        i /= dim;
        off += c * st.s[d];
    }
    return off;
}

// Grid-stride loop over n elements.
#define EMBER_FOR(i, n) for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += blockDim.x * gridDim.x)

__device__ __forceinline__ void raise_error(int* err, int code) { atomicCAS(err, 0, code); }

// ---- dtype conversions with Java's semantics (saturating float->int, NaN->0, BOOL = v != 0) ----

template <typename T> __device__ __forceinline__ T from_double(double v);
template <> __device__ __forceinline__ float from_double<float>(double v) { return (float) v; }
template <> __device__ __forceinline__ double from_double<double>(double v) { return v; }
// Spelled out rather than left to the conversion instruction, so the kernels mean the same on any target.
template <> __device__ __forceinline__ int from_double<int>(double v) {
    return v != v ? 0 : v >= 2147483647.0 ? 2147483647 : v <= -2147483648.0 ? (-2147483647 - 1) : (int) v;
}
template <> __device__ __forceinline__ i64 from_double<i64>(double v) {
    return v != v ? 0 : v >= 9223372036854775807.0 ? 9223372036854775807LL
            : v <= -9223372036854775808.0 ? (-9223372036854775807LL - 1) : (i64) v;
}
template <> __device__ __forceinline__ u8 from_double<u8>(double v) { return v != 0.0 ? 1 : 0; }

template <typename T> __device__ __forceinline__ T from_long(i64 v);
template <> __device__ __forceinline__ float from_long<float>(i64 v) { return (float) v; }
template <> __device__ __forceinline__ double from_long<double>(i64 v) { return (double) v; }
template <> __device__ __forceinline__ int from_long<int>(i64 v) { return (int) v; }
template <> __device__ __forceinline__ i64 from_long<i64>(i64 v) { return v; }
template <> __device__ __forceinline__ u8 from_long<u8>(i64 v) { return v != 0 ? 1 : 0; }

template <typename T> struct IsIntegral { static const bool value = true; };
template <> struct IsIntegral<float> { static const bool value = false; };
template <> struct IsIntegral<double> { static const bool value = false; };

// The arithmetic type an input is computed in: float32 in float, float64 in double, integers in 64 bits.
template <typename T> struct Compute { typedef i64 type; };
template <> struct Compute<float> { typedef float type; };
template <> struct Compute<double> { typedef double type; };

template <typename T> __device__ __forceinline__ bool is_nan(T v) { return false; }
template <> __device__ __forceinline__ bool is_nan<float>(float v) { return isnan(v); }
template <> __device__ __forceinline__ bool is_nan<double>(double v) { return isnan(v); }

// Stores a computed value into an output element of type O.
template <typename O, typename C> __device__ __forceinline__ O store_as(C v);
template <> __device__ __forceinline__ float store_as<float, float>(float v) { return v; }
template <> __device__ __forceinline__ double store_as<double, double>(double v) { return v; }
template <> __device__ __forceinline__ u8 store_as<u8, float>(float v) { return v != 0.0f ? 1 : 0; }
template <> __device__ __forceinline__ u8 store_as<u8, double>(double v) { return v != 0.0 ? 1 : 0; }
template <> __device__ __forceinline__ int store_as<int, i64>(i64 v) { return (int) v; }
template <> __device__ __forceinline__ i64 store_as<i64, i64>(i64 v) { return v; }
template <> __device__ __forceinline__ u8 store_as<u8, i64>(i64 v) { return v != 0 ? 1 : 0; }
