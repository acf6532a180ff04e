// Philox4x32-10 random fill, bit-exact with dev.ember.backend.Philox: element i uses block
// offset + i / 2 (words 0, 1 for even i, words 2, 3 for odd i), whatever the launch layout.
#include "common.cuh"

#define M0 0xD2511F53u
#define M1 0xCD9E8D57u
#define W0 0x9E3779B9u
#define W1 0xBB67AE85u
#define PI_D 3.141592653589793

__device__ __forceinline__ uint4 philox_block(unsigned long long seed, unsigned long long counter) {
    unsigned int c0 = (unsigned int) counter, c1 = (unsigned int) (counter >> 32), c2 = 0, c3 = 0;
    unsigned int k0 = (unsigned int) seed, k1 = (unsigned int) (seed >> 32);
    for (int round = 0; round < 10; round++) {
        unsigned int hi0 = __umulhi(M0, c0), lo0 = M0 * c0;
        unsigned int hi1 = __umulhi(M1, c2), lo1 = M1 * c2;
        unsigned int n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        k0 += W0;
        k1 += W1;
    }
    return make_uint4(c0, c1, c2, c3);
}

// A double in (0, 1] from 53 bits of two words, never 0.
__device__ __forceinline__ double unit_double(unsigned int hi, unsigned int lo) {
    unsigned long long bits = (((unsigned long long) hi) << 21) ^ (((unsigned long long) lo) >> 11);
    return (double) ((bits & ((1ull << 53) - 1)) + 1) * 0x1p-53;
}

__device__ __forceinline__ double philox_transform(int normal, uint4 w, int half, double a, double b) {
    if (!normal) {
        double u = (half == 0 ? unit_double(w.x, w.y) : unit_double(w.z, w.w)) - 0x1p-53;
        return a + (b - a) * u;
    }
    double u1 = unit_double(w.x, w.y), u2 = unit_double(w.z, w.w);
    double r = sqrt(-2.0 * log(u1));
    double t = 2.0 * PI_D * u2;
    return a + b * (half == 0 ? r * cos(t) : r * sin(t));
}

// One thread per block of two elements; `normal` is 0 for UNIFORM [a, b), 1 for NORMAL (mean a, std b).
template <typename T>
__device__ void random_body(int n, int ooff, T* out, unsigned long long seed, unsigned long long offset, int normal,
                            double a, double b) {
    int blocks = (n + 1) / 2;
    EMBER_FOR(blk, blocks) {
        uint4 w = philox_block(seed, offset + blk);
        int i = 2 * blk;
        out[ooff + i] = (T) philox_transform(normal, w, 0, a, b);
        if (i + 1 < n) out[ooff + i + 1] = (T) philox_transform(normal, w, 1, a, b);
    }
}

extern "C" __global__ void random_f32(int n, int ooff, float* out, unsigned long long seed, unsigned long long offset,
                                      int normal, double a, double b) {
    random_body<float>(n, ooff, out, seed, offset, normal, a, b);
}

extern "C" __global__ void random_f64(int n, int ooff, double* out, unsigned long long seed, unsigned long long offset,
                                      int normal, double a, double b) {
    random_body<double>(n, ooff, out, seed, offset, normal, a, b);
}
