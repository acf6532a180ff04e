package dev.ember.backend.cuda;

/**
 * C++ definitions that let Ember's CUDA sources compile for the host: one host thread per CUDA
 * thread, {@code __syncthreads} and warp shuffles as barriers, atomics under a lock. A launcher
 * calls {@code ember_block} once per block and {@code ember_thread} on each thread before the kernel.
 */
final class HostShim {
    private HostShim() {}

    static final String THREADED = """
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <algorithm>
#include <barrier>
#include <mutex>
using namespace std;
struct EmberDim3 { unsigned x, y, z; };
inline thread_local EmberDim3 threadIdx = {0, 0, 0}, blockIdx = {0, 0, 0};
inline EmberDim3 blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
inline std::barrier<>* ember_block_barrier = nullptr;
inline std::barrier<>* ember_warp_barrier[32] = {};
inline unsigned long long ember_warp_buf[32][32];
inline std::mutex ember_atomic_lock;
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(n)
#define __shared__ static
inline void __syncthreads() { ember_block_barrier->arrive_and_wait(); }
struct uint4 { unsigned x, y, z, w; };
inline uint4 make_uint4(unsigned a, unsigned b, unsigned c, unsigned d) { return {a, b, c, d}; }
struct alignas(16) float4 { float x, y, z, w; };
inline float4 make_float4(float a, float b, float c, float d) { return {a, b, c, d}; }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned) (((unsigned long long) a * b) >> 32); }
template <typename T> inline T __shfl_down_sync(unsigned mask, T v, int d) {
    int tid = threadIdx.x, w = tid / 32, lane = tid % 32;
    unsigned long long bits = 0;
    memcpy(&bits, &v, sizeof(T));
    ember_warp_buf[w][lane] = bits;
    ember_warp_barrier[w]->arrive_and_wait();
    T out = v;
    if (lane + d < 32) memcpy(&out, &ember_warp_buf[w][lane + d], sizeof(T));
    ember_warp_barrier[w]->arrive_and_wait();
    return out;
}
inline int atomicCAS(int* p, int cmp, int v) { std::lock_guard<std::mutex> g(ember_atomic_lock); int old = *p; if (old == cmp) *p = v; return old; }
template <typename T> inline T atomicAdd(T* p, T v) { std::lock_guard<std::mutex> g(ember_atomic_lock); T old = *p; *p = old + v; return old; }
// Called once per block by the harness before its threads start, then by each thread.
extern "C" void ember_block(unsigned gx, unsigned gy, unsigned gz, unsigned threads) {
    gridDim = {gx, gy, gz};
    blockDim = {threads, 1, 1};
    delete ember_block_barrier;
    ember_block_barrier = new std::barrier<>(threads);
    for (unsigned w = 0; w < 32; w++) { delete ember_warp_barrier[w]; ember_warp_barrier[w] = w * 32 < threads ? new std::barrier<>(32) : nullptr; }
}
extern "C" void ember_thread(unsigned tx, unsigned bx, unsigned by, unsigned bz) { threadIdx = {tx, 0, 0}; blockIdx = {bx, by, bz}; }
""";
}
