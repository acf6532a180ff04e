// Philox4x32-10 random fill, the counter scheme of dev.ember.backend.Philox: element i uses
// block offset + i/2 (even i: words 0,1; odd i: words 2,3), so results do not depend on the
// launch layout. One work-item per block. Compiled once (not per dtype). dist: 0 uniform, 1 normal.

inline uint4 philox_block(ulong seed, ulong counter) {
    uint c0 = (uint) counter, c1 = (uint) (counter >> 32), c2 = 0, c3 = 0;
    uint k0 = (uint) seed, k1 = (uint) (seed >> 32);
    for (int round = 0; round < 10; round++) {
        uint lo0 = 0xD2511F53u * c0, hi0 = mul_hi(0xD2511F53u, c0);
        uint lo1 = 0xCD9E8D57u * c2, hi1 = mul_hi(0xCD9E8D57u, c2);
        uint n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return (uint4) (c0, c1, c2, c3);
}

// The 53 random bits of Philox.unitDouble, plus one: the unit value is bits * 2^-53, in (0, 1].
inline ulong unit_bits(uint hi, uint lo) {
    ulong bits = (((ulong) hi) << 21) ^ (((ulong) lo) >> 11);
    return (bits & ((1UL << 53) - 1)) + 1;
}

#ifdef EMBER_FP64
#define R double
#define PI2 6.283185307179586
#define ULP53 0x1p-53
#else
#define R float
#define PI2 6.2831855f
#define ULP53 0x1p-53f
#endif

inline R unit_value(uint hi, uint lo) { return (R) unit_bits(hi, lo) * ULP53; }

// Both halves of a block: (value for element 2*blk, value for element 2*blk + 1).
inline void philox_pair(int dist, ulong seed, ulong counter, R a, R b, R* v0, R* v1) {
    uint4 w = philox_block(seed, counter);
    if (dist == 0) {
        // unit - 2^-53 is exact in double: [0, 1).
        *v0 = a + (b - a) * (unit_value(w.s0, w.s1) - ULP53);
        *v1 = a + (b - a) * (unit_value(w.s2, w.s3) - ULP53);
    } else {
        R r = sqrt((R) -2 * log(unit_value(w.s0, w.s1)));
        R t = (R) PI2 * unit_value(w.s2, w.s3);
        *v0 = a + b * (r * cos(t));
        *v1 = a + b * (r * sin(t));
    }
}

__kernel void random_f32(int n, __global float* out, int oo, int dist, ulong seed, ulong offset, R a, R b) {
    int blk = get_global_id(0);
    R v0, v1;
    philox_pair(dist, seed, offset + blk, a, b, &v0, &v1);
    out[oo + 2 * blk] = (float) v0;
    if (2 * blk + 1 < n) out[oo + 2 * blk + 1] = (float) v1;
}

#ifdef EMBER_FP64
__kernel void random_f64(int n, __global double* out, int oo, int dist, ulong seed, ulong offset, double a, double b) {
    int blk = get_global_id(0);
    double v0, v1;
    philox_pair(dist, seed, offset + blk, a, b, &v0, &v1);
    out[oo + 2 * blk] = v0;
    if (2 * blk + 1 < n) out[oo + 2 * blk + 1] = v1;
}
#endif
