// CUDA's built-ins for kernels compiled for the host (the emulated device). The fake driver runs a block's
// threads as user-level contexts on one host thread, switching at each __syncthreads (the hook it sets), and
// the blocks one after another; __shared__ memory is therefore a function-local static. It calls ember_block
// once per launch and ember_thread before it resumes each CUDA thread, so threadIdx and blockIdx are right.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <mutex>
using namespace std;
struct EmberDim3 { unsigned x, y, z; };
inline EmberDim3 threadIdx = {0, 0, 0}, blockIdx = {0, 0, 0};
inline EmberDim3 blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
inline void (*ember_barrier_hook)() = nullptr;
inline std::mutex ember_atomic_lock;
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(n)
#define __shared__ static
inline void __syncthreads() { if (ember_barrier_hook) ember_barrier_hook(); }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned) (((unsigned long long) a * b) >> 32); }
inline float __uint_as_float(unsigned u) { float f; std::memcpy(&f, &u, 4); return f; }
inline unsigned __float_as_uint(float f) { unsigned u; std::memcpy(&u, &f, 4); return u; }
inline int atomicCAS(int* p, int cmp, int v) {
    std::lock_guard<std::mutex> g(ember_atomic_lock);
    int old = *p;
    if (old == cmp) *p = v;
    return old;
}
template <typename T> inline T atomicAdd(T* p, T v) {
    std::lock_guard<std::mutex> g(ember_atomic_lock);
    T old = *p;
    *p = old + v;
    return old;
}
extern "C" void ember_block(unsigned gx, unsigned gy, unsigned gz, unsigned threads, void (*barrier)()) {
    gridDim = {gx, gy, gz};
    blockDim = {threads, 1, 1};
    ember_barrier_hook = barrier;
}
extern "C" void ember_thread(unsigned tx, unsigned bx, unsigned by, unsigned bz) {
    threadIdx = {tx, 0, 0};
    blockIdx = {bx, by, bz};
}
