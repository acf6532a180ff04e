// Batched GEMM C[b] = A[b] @ B[b] over arbitrary strides (transposes arrive as strides).
// Each LxL work-group computes a TS x TS tile of C (TS = 4L); each work-item a 4x4 register block
// (rows ty + L*i, cols tx + L*j), with TS x 16 / 16 x TS tiles of A and B staged in local memory.
// Instantiated per dtype. Bindings: T, SFX, ACC (accumulator type). GEMM_L comes from the host.

#define L GEMM_L
#define TS (4 * GEMM_L)
#define TKK 16
#define WPT 4

__kernel __attribute__((reqd_work_group_size(GEMM_L, GEMM_L, 1)))
void K(gemm)(int m, int n, int k,
             __global const T* a, int ao, int abs, int ars, int acs,
             __global const T* b, int bo, int bbs, int brs, int bcs,
             __global T* c, int co, int cbs, int crs, int ccs) {
    __local T as[TS][TKK + 1];
    __local T bs[TKK][TS + 1];
    int tx = get_local_id(0), ty = get_local_id(1), tid = ty * L + tx;
    int n0 = get_group_id(0) * TS, m0 = get_group_id(1) * TS, batch = get_group_id(2);
    __global const T* ab = a + ao + batch * abs;
    __global const T* bb = b + bo + batch * bbs;
    ACC acc[WPT][WPT];
    for (int i = 0; i < WPT; i++)
        for (int j = 0; j < WPT; j++) acc[i][j] = 0;
    for (int k0 = 0; k0 < k; k0 += TKK) {
        for (int e = tid; e < TS * TKK; e += L * L) {
            int row = e / TKK, col = e % TKK;
            int gm = m0 + row, gk = k0 + col;
            as[row][col] = gm < m && gk < k ? ab[gm * ars + gk * acs] : (T) 0;
            int brow = e / TS, bcol = e % TS;
            int gk2 = k0 + brow, gn = n0 + bcol;
            bs[brow][bcol] = gk2 < k && gn < n ? bb[gk2 * brs + gn * bcs] : (T) 0;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TKK; kk++) {
            ACC av[WPT], bv[WPT];
            for (int i = 0; i < WPT; i++) av[i] = as[ty + L * i][kk];
            for (int j = 0; j < WPT; j++) bv[j] = bs[kk][tx + L * j];
            for (int i = 0; i < WPT; i++)
                for (int j = 0; j < WPT; j++) acc[i][j] += av[i] * bv[j];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    __global T* cb = c + co + batch * cbs;
    for (int i = 0; i < WPT; i++) {
        int gm = m0 + ty + L * i;
        if (gm >= m) continue;
        for (int j = 0; j < WPT; j++) {
            int gn = n0 + tx + L * j;
            if (gn < n) cb[gm * crs + gn * ccs] = (T) acc[i][j];
        }
    }
}
#undef L
#undef TS
#undef TKK
#undef WPT
