// gather and scatter-add along one dimension. Indices are INT64; an out-of-range index is
// recorded in the error word (the host raises it at its next read) and the element is skipped.
#include "common.cuh"

// `sh` is the index's shape; x (or dst) is addressed with its stride along `dim` zeroed in `xs`,
// plus index * step.
template <typename T>
__device__ void gather_body(Shape sh, Strides xs, Strides is, Strides os, int size, int step, const T* x,
                            const i64* index, T* out, int* err) {
    EMBER_FOR(i, sh.n) {
        i64 idx = index[offset_of(sh, is, i)];
        if (idx < 0 || idx >= size) { raise_error(err, ERR_GATHER_INDEX); continue; }
        out[offset_of(sh, os, i)] = x[offset_of(sh, xs, i) + (long long) idx * step];
    }
}

#define GATHER(name, T) \
    extern "C" __global__ void name(Shape sh, Strides xs, Strides is, Strides os, int size, int step, const T* x, \
                                    const i64* index, T* out, int* err) { \
        gather_body<T>(sh, xs, is, os, size, step, x, index, out, err); }

GATHER(gather_f32, float)
GATHER(gather_f64, double)
GATHER(gather_i32, int)
GATHER(gather_i64, i64)
GATHER(gather_u8, u8)

__device__ __forceinline__ void atomic_add(float* p, float v) { atomicAdd(p, v); }
__device__ __forceinline__ void atomic_add(double* p, double v) { atomicAdd(p, v); }
__device__ __forceinline__ void atomic_add(int* p, int v) { atomicAdd(p, v); }
__device__ __forceinline__ void atomic_add(i64* p, i64 v) {
    atomicAdd(reinterpret_cast<unsigned long long*>(p), (unsigned long long) v); // two's complement wraps alike
}

template <typename T>
__device__ void scatter_add_body(Shape sh, Strides ds, Strides is, Strides ss, int size, int step, T* dst,
                                 const i64* index, const T* src, int* err) {
    EMBER_FOR(i, sh.n) {
        i64 idx = index[offset_of(sh, is, i)];
        if (idx < 0 || idx >= size) { raise_error(err, ERR_SCATTER_INDEX); continue; }
        atomic_add(dst + offset_of(sh, ds, i) + (long long) idx * step, src[offset_of(sh, ss, i)]);
    }
}

#define SCATTER_ADD(name, T) \
    extern "C" __global__ void name(Shape sh, Strides ds, Strides is, Strides ss, int size, int step, T* dst, \
                                    const i64* index, const T* src, int* err) { \
        scatter_add_body<T>(sh, ds, is, ss, size, step, dst, index, src, err); }

SCATTER_ADD(scatter_add_f32, float)
SCATTER_ADD(scatter_add_f64, double)
SCATTER_ADD(scatter_add_i32, int)
SCATTER_ADD(scatter_add_i64, i64)
