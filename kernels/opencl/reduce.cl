// Reductions along the last axis: one work-group per output element, a strided partial per
// work-item, then a tree in local memory. Instantiated per (input, output) dtype pair.
// Bindings: S (input), D (output), SSFX, DSFX, ACC (accumulator: the float type, or long),
// IS_FLOAT, STORE_D(v) (ACC -> D). R_* are ReduceOp ordinals.

#define WG 64

#if IS_FLOAT
#define ACC_NAN(v) isnan(v)
#else
#define ACC_NAN(v) 0
#endif

// Does candidate (v, j) beat the current best (b, bi) for MAX/MIN/ARGMAX/ARGMIN?
// NaN wins (the first NaN), then the larger (smaller) value, then the lower index.
inline int K2(better)(int max, ACC v, int j, ACC b, int bi) {
    if (j < 0) return 0;
    if (bi < 0) return 1;
    int vn = ACC_NAN(v), bn = ACC_NAN(b);
    if (vn || bn) return vn && (!bn || j < bi);
    if (v == b) return j < bi;
    return max ? v > b : v < b;
}

__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void K2(reduce)(int op, int8 shape, __global const S* x, int8 xs, int xo, int r, int rs,
                __global D* out, int8 os, int oo) {
    __local ACC vals[WG];
    __local int idxs[WG];
    int lid = get_local_id(0);
    int8 c = coords(get_group_id(0), shape);
    int base = xo + dot8(c, xs);
    int sum = op == R_SUM, prod = op == R_PROD;
    int max = op == R_MAX || op == R_ARGMAX;
    ACC acc = prod ? (ACC) 1 : (ACC) 0;
    int best = -1;
    for (int j = lid; j < r; j += WG) {
        ACC v = (ACC) x[base + j * rs];
        if (sum) acc += v;
        else if (prod) acc *= v;
        else if (K2(better)(max, v, j, acc, best)) { acc = v; best = j; }
    }
    vals[lid] = acc;
    idxs[lid] = best;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = WG / 2; s > 0; s >>= 1) {
        if (lid < s) {
            ACC a = vals[lid], b = vals[lid + s];
            if (sum) vals[lid] = a + b;
            else if (prod) vals[lid] = a * b;
            else if (K2(better)(max, b, idxs[lid + s], a, idxs[lid])) { vals[lid] = b; idxs[lid] = idxs[lid + s]; }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        int o = oo + dot8(c, os);
        if (op == R_ARGMAX || op == R_ARGMIN) out[o] = (D) idxs[0];
        else out[o] = STORE_D(vals[0]);
    }
}
#undef ACC_NAN
#undef WG
