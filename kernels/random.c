// Philox4x32-10 random fill, bit-exact with dev.ember.backend.Philox: element i uses block offset + i / 2
// (words 0, 1 for even i; 2, 3 for odd i), so results do not depend on the launch layout. The transforms
// run in double where the device has it (as the CPU), else in float.

// @instantiate once
#ifdef EMBER_FP64
typedef double rnd_t;
#define RND_TWO_PI 6.283185307179586
#define RND_ULP53 0x1p-53
#else
typedef float rnd_t;
#define RND_TWO_PI 6.2831855f
#define RND_ULP53 0x1p-53f
#endif

INLINE void philox_block(u64 seed, u64 counter, u32* w) {
    u32 c0 = (u32) counter, c1 = (u32) (counter >> 32), c2 = 0, c3 = 0;
    u32 k0 = (u32) seed, k1 = (u32) (seed >> 32);
    for (int round = 0; round < 10; round++) {
        u32 hi0 = UMULHI(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
        u32 hi1 = UMULHI(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
        u32 n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    w[0] = c0; w[1] = c1; w[2] = c2; w[3] = c3;
}

// A value in (0, 1] from 53 bits of two words, never 0 so its log is finite.
INLINE rnd_t unit_value(u32 hi, u32 lo) {
    u64 bits = (((u64) hi) << 21) ^ (((u64) lo) >> 11);
    return (rnd_t) ((bits & (((u64) 1 << 53) - 1)) + 1) * RND_ULP53;
}

// Both halves of block `counter`: dist 0 is UNIFORM [a, b), 1 is NORMAL (mean a, std b; Box-Muller, the
// even element takes cos, the odd one sin).
INLINE void philox_pair(int dist, u64 seed, u64 counter, rnd_t a, rnd_t b, rnd_t* v0, rnd_t* v1) {
    u32 w[4];
    philox_block(seed, counter, w);
    if (dist == 0) {
        *v0 = a + (b - a) * (unit_value(w[0], w[1]) - RND_ULP53);
        *v1 = a + (b - a) * (unit_value(w[2], w[3]) - RND_ULP53);
    } else {
        rnd_t r = sqrt((rnd_t) -2 * log(unit_value(w[0], w[1])));
        rnd_t t = (rnd_t) RND_TWO_PI * unit_value(w[2], w[3]);
        *v0 = a + b * (r * cos(t));
        *v1 = a + b * (r * sin(t));
    }
}

// @instantiate each-float
// One thread per block of two elements of contiguous out.
KERNEL void random_${SFX}(idx_t n, GLOBAL ${T}* out, idx_t oo, int dist, u64 seed, u64 offset, rnd_t a, rnd_t b) {
    FOR_EACH(blk, (n + 1) / 2) {
        rnd_t v0, v1;
        philox_pair(dist, seed, offset + (u64) blk, a, b, &v0, &v1);
        store_${SFX}_${CS}(out, oo + 2 * blk, (${C}) v0); // a 16-bit draw rounds through float32, as the CPU's
        if (2 * blk + 1 < n) store_${SFX}_${CS}(out, oo + 2 * blk + 1, (${C}) v1);
    }
}
