// A stand-in cuBLAS for tests without a GPU: cuBLAS's C signatures for the calls Ember makes, computing a plain
// column-major GEMM on host memory (which is what the emulated CUDA device's memory is). CublasBindingTest calls
// it directly; EmulatedCudaTest puts it behind the emulated device (EMBER_CUBLAS_PATH).
#include <stddef.h>
#include <string.h>
static void* the_stream;
static int the_handle;
int cublasCreate_v2(void** h) { *h = &the_handle; return 0; }
int cublasSetStream_v2(void* h, void* s) { if (h != &the_handle) return 7; the_stream = s; return 0; }
void* fake_stream(void) { return the_stream; }
#define GEMM(name, T) \
int name(void* h, int ta, int tb, int m, int n, int k, const T* alpha, const T* A, int lda, long long sA, \
         const T* B, int ldb, long long sB, const T* beta, T* C, int ldc, long long sC, int batch) { \
    if (h != &the_handle) return 7; \
    for (int p = 0; p < batch; p++) for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) { \
        T acc = 0; \
        for (int q = 0; q < k; q++) { \
            T a = ta ? A[p * sA + q + (long long) i * lda] : A[p * sA + i + (long long) q * lda]; \
            T b = tb ? B[p * sB + j + (long long) q * ldb] : B[p * sB + q + (long long) j * ldb]; \
            acc += a * b; \
        } \
        T* c = &C[p * sC + i + (long long) j * ldc]; \
        *c = *alpha * acc + (*beta == 0 ? 0 : *beta * *c); \
    } \
    return 0; }
GEMM(cublasSgemmStridedBatched, float)
GEMM(cublasDgemmStridedBatched, double)
// GemmEx for 16-bit A, B and C with float accumulation (the compiler's _Float16 for FLOAT16).
static int last_ex[5];
void fake_last_ex(int* out) { memcpy(out, last_ex, sizeof last_ex); }
static float widen(unsigned short h, int t) {
    if (t == 14) { unsigned int b = (unsigned int) h << 16; float f; memcpy(&f, &b, 4); return f; }
    _Float16 x; memcpy(&x, &h, 2); return (float) x;
}
static unsigned short narrow(float f, int t) {
    if (t == 14) { unsigned int x; memcpy(&x, &f, 4); return f != f ? 0xffff : (unsigned short) ((x + 0x7fff + ((x >> 16) & 1)) >> 16); }
    _Float16 h = (_Float16) f; unsigned short b; memcpy(&b, &h, 2); return b;
}
int cublasGemmStridedBatchedEx(void* h, int ta, int tb, int m, int n, int k, const void* alpha,
        const unsigned short* A, int at, int lda, long long sA, const unsigned short* B, int bt, int ldb, long long sB,
        const void* beta, unsigned short* C, int ct, int ldc, long long sC, int batch, int compute, int algo) {
    if (h != &the_handle) return 7;
    last_ex[0] = at; last_ex[1] = bt; last_ex[2] = ct; last_ex[3] = compute; last_ex[4] = algo;
    if (compute != 68 || at != bt || at != ct || (at != 2 && at != 14)) return 15; // CUBLAS_STATUS_NOT_SUPPORTED
    float al = *(const float*) alpha, be = *(const float*) beta;
    for (int p = 0; p < batch; p++) for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) {
        float acc = 0;
        for (int q = 0; q < k; q++) {
            float a = widen(ta ? A[p * sA + q + (long long) i * lda] : A[p * sA + i + (long long) q * lda], at);
            float b = widen(tb ? B[p * sB + j + (long long) q * ldb] : B[p * sB + q + (long long) j * ldb], at);
            acc += a * b;
        }
        unsigned short* c = &C[p * sC + i + (long long) j * ldc];
        *c = narrow(al * acc + (be == 0 ? 0 : be * widen(*c, at)), at);
    }
    return 0; }
