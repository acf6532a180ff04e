// Ember's own batched GEMM, the last-resort path when no cuBLAS loads:
// C[b] (m x n, contiguous) = A[b] (m x k) * B[b] (k x n), with A and B at any strides.
// 64x64 output tiles, 16-deep k slices staged in shared memory, 4x4 outputs per thread.
#include "common.cuh"

#define TM 64
#define TN 64
#define TK 16

struct Operand {
    int off, batchStride, rowStride, colStride;
};

template <typename T, typename A>
__device__ void gemm_body(int m, int n, int k, Operand a, const T* pa, Operand b, const T* pb, int coff, T* pc) {
    __shared__ T As[TK][TM + 1];
    __shared__ T Bs[TK][TN + 1];
    int batch = blockIdx.z;
    int row0 = blockIdx.y * TM, col0 = blockIdx.x * TN;
    int tx = threadIdx.x % 16, ty = threadIdx.x / 16; // 256 threads as 16 x 16
    const T* A0 = pa + a.off + (long long) batch * a.batchStride;
    const T* B0 = pb + b.off + (long long) batch * b.batchStride;
    A acc[4][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) acc[i][j] = A(0);
    for (int k0 = 0; k0 < k; k0 += TK) {
        // Each thread stages 4 elements of the A tile (64 x 16) and 4 of the B tile (16 x 64).
        for (int e = threadIdx.x; e < TM * TK; e += 256) {
            int r = e / TK, kk = e % TK;
            int gr = row0 + r, gk = k0 + kk;
            As[kk][r] = (gr < m && gk < k) ? A0[(long long) gr * a.rowStride + (long long) gk * a.colStride] : T(0);
        }
        for (int e = threadIdx.x; e < TK * TN; e += 256) {
            int kk = e / TN, c = e % TN;
            int gk = k0 + kk, gc = col0 + c;
            Bs[kk][c] = (gk < k && gc < n) ? B0[(long long) gk * b.rowStride + (long long) gc * b.colStride] : T(0);
        }
        __syncthreads();
        for (int kk = 0; kk < TK; kk++) {
            A av[4], bv[4];
            for (int i = 0; i < 4; i++) av[i] = (A) As[kk][ty + 16 * i];
            for (int j = 0; j < 4; j++) bv[j] = (A) Bs[kk][tx + 16 * j];
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++) acc[i][j] += av[i] * bv[j];
        }
        __syncthreads();
    }
    T* C0 = pc + coff + (long long) batch * m * n;
    for (int i = 0; i < 4; i++) {
        int r = row0 + ty + 16 * i;
        if (r >= m) continue;
        for (int j = 0; j < 4; j++) {
            int c = col0 + tx + 16 * j;
            if (c < n) C0[(long long) r * n + c] = (T) acc[i][j];
        }
    }
}

#define GEMM(name, T, A) \
    extern "C" __global__ void __launch_bounds__(256) name(int m, int n, int k, Operand a, const T* pa, Operand b, \
                                                           const T* pb, int coff, T* pc) { \
        gemm_body<T, A>(m, n, k, a, pa, b, pb, coff, pc); }

GEMM(gemm_f32, float, float)
GEMM(gemm_f64, double, double)
GEMM(gemm_i32, int, i64)
GEMM(gemm_i64, i64, i64)
