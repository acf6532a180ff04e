// Reductions along the last axis: each row of r elements (stride rs) becomes one output element.
// A row is reduced by a warp (short rows) or a whole block (long rows); the host may split very long
// rows into `chunks` partial rows and reduce the partials in a second launch.
// NaN propagates through MAX/MIN (and ARGMAX/ARGMIN pick the first NaN), as in PyTorch.
#include "common.cuh"

template <typename A> __device__ __forceinline__ A reduce_identity(int op);
template <typename A> __device__ __forceinline__ A combine(int op, A a, A b) {
    switch (op) {
        case SUM: return a + b;
        case PROD: return a * b;
        case RMAX: return is_nan(a) ? a : (is_nan(b) ? b : (b > a ? b : a));
        default: return is_nan(a) ? a : (is_nan(b) ? b : (b < a ? b : a));
    }
}

template <typename A> __device__ __forceinline__ A shfl_down(A v, int delta) { return __shfl_down_sync(0xffffffffu, v, delta); }

// Reduces within groups of `tpr` consecutive threads (tpr is 32 or the block size, a power of two <= 1024).
template <typename A> __device__ A group_reduce(int op, A v, int tpr, A* smem) {
    for (int d = 16; d > 0; d >>= 1) v = combine<A>(op, v, shfl_down<A>(v, d));
    if (tpr <= 32) return v;
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    __syncthreads();
    if (lane == 0) smem[warp] = v;
    __syncthreads();
    int warps = blockDim.x >> 5;
    if (warp == 0) {
        v = lane < warps ? smem[lane] : smem[0];
        for (int d = 16; d > 0; d >>= 1) {
            A o = shfl_down<A>(v, d);
            if (lane + d < warps) v = combine<A>(op, v, o);
        }
    }
    return v;
}

// Row j of the launch is chunk (j % chunks) of row (j / chunks) of x; rows are addressed through the
// outer shape `osh` with x's outer strides `xs` and the output's strides `os`.
template <typename T, typename A, typename O>
__device__ void reduce_body(int op, Shape osh, Strides xs, Strides os, int r, int rs, int chunks, int chunk,
                            const T* x, O* out) {
    __shared__ double smem_raw[32]; // 8-byte aligned, holds 32 partials of any accumulator type
    A* smem = reinterpret_cast<A*>(smem_raw);
    int tpr = chunk > 32 * 8 ? blockDim.x : 32; // the host launches with the same rule
    int rowsPerBlock = blockDim.x / tpr;
    int lane = threadIdx.x % tpr;
    int total = osh.n * chunks;
    for (int base = blockIdx.x * rowsPerBlock; base < total; base += gridDim.x * rowsPerBlock) {
        int j = base + threadIdx.x / tpr;
        bool live = j < total;
        int row = live ? j / chunks : 0, part = live ? j % chunks : 0;
        int from = part * chunk, to = min(r, from + chunk);
        const T* p = x + offset_of(osh, xs, row);
        A acc;
        bool any = false;
        for (int i = from + lane; live && i < to; i += tpr) {
            A v = (A) p[(long long) i * rs];
            acc = any ? combine<A>(op, acc, v) : v;
            any = true;
        }
        if (!any) acc = (op == SUM) ? A(0) : (op == PROD ? A(1) : (A) p[(long long) from * rs]);
        acc = group_reduce<A>(op, acc, tpr, smem);
        if (live && lane == 0) out[chunks == 1 ? offset_of(osh, os, row) : j] = (O) acc;
    }
}

#define REDUCE(name, T, A, O) \
    extern "C" __global__ void name(int op, Shape osh, Strides xs, Strides os, int r, int rs, int chunks, int chunk, \
                                    const T* x, O* out) { reduce_body<T, A, O>(op, osh, xs, os, r, rs, chunks, chunk, x, out); }

// Values: float sums in their own precision; MAX/MIN keep the dtype; integer SUM/PROD write INT64.
REDUCE(reduce_f32, float, float, float)
REDUCE(reduce_f64, double, double, double)
REDUCE(reduce_i32, int, i64, int)
REDUCE(reduce_i64, i64, i64, i64)
REDUCE(reduce_u8, u8, i64, u8)
REDUCE(reduce_i32_i64, int, i64, i64)
REDUCE(reduce_u8_i64, u8, i64, i64)

// ---- argmax / argmin: (value, index) pairs, the first occurrence (and the first NaN) wins ----

template <typename A> __device__ __forceinline__ bool arg_better(int op, A v, int i, A bv, int bi) {
    if (is_nan(bv)) return is_nan(v) && i < bi;
    if (is_nan(v)) return true;
    if (v == bv) return i < bi;
    return op == ARGMAX ? v > bv : v < bv;
}

template <typename T, typename A>
__device__ void argreduce_body(int op, Shape osh, Strides xs, Strides os, int r, int rs, const T* x, i64* out) {
    __shared__ A sv[32];
    __shared__ int si[32];
    int tpr = r > 32 * 8 ? blockDim.x : 32; // the host launches with the same rule
    int rowsPerBlock = blockDim.x / tpr;
    int lane = threadIdx.x % tpr;
    for (int base = blockIdx.x * rowsPerBlock; base < osh.n; base += gridDim.x * rowsPerBlock) {
        int row = base + threadIdx.x / tpr;
        bool live = row < osh.n;
        const T* p = x + offset_of(osh, xs, live ? row : 0);
        A bv = (A) p[0];
        int bi = live ? 0 : 0x7fffffff;
        for (int i = lane; live && i < r; i += tpr) {
            A v = (A) p[(long long) i * rs];
            if (i == lane || arg_better<A>(op, v, i, bv, bi)) { bv = v; bi = i; }
        }
        if (lane >= r) bi = 0x7fffffff;
        for (int d = 16; d > 0; d >>= 1) {
            A ov = __shfl_down_sync(0xffffffffu, bv, d);
            int oi = __shfl_down_sync(0xffffffffu, bi, d);
            if (oi != 0x7fffffff && (bi == 0x7fffffff || arg_better<A>(op, ov, oi, bv, bi))) { bv = ov; bi = oi; }
        }
        if (tpr > 32) {
            int wl = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
            __syncthreads();
            if (wl == 0) { sv[warp] = bv; si[warp] = bi; }
            __syncthreads();
            if (warp == 0) {
                bv = wl < warps ? sv[wl] : sv[0];
                bi = wl < warps ? si[wl] : 0x7fffffff;
                for (int d = 16; d > 0; d >>= 1) {
                    A ov = __shfl_down_sync(0xffffffffu, bv, d);
                    int oi = __shfl_down_sync(0xffffffffu, bi, d);
                    if (oi != 0x7fffffff && (bi == 0x7fffffff || arg_better<A>(op, ov, oi, bv, bi))) { bv = ov; bi = oi; }
                }
            }
            __syncthreads();
        }
        if (live && lane == 0) out[offset_of(osh, os, row)] = bi;
    }
}

#define ARGREDUCE(name, T, A) \
    extern "C" __global__ void name(int op, Shape osh, Strides xs, Strides os, int r, int rs, const T* x, i64* out) { \
        argreduce_body<T, A>(op, osh, xs, os, r, rs, x, out); }

ARGREDUCE(argreduce_f32, float, float)
ARGREDUCE(argreduce_f64, double, double)
ARGREDUCE(argreduce_i32, int, i64)
ARGREDUCE(argreduce_i64, i64, i64)
ARGREDUCE(argreduce_u8, u8, i64)
