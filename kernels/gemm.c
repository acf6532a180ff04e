// Ember's batched GEMM, for runtimes without a BLAS and for integer and BOOL products:
// C[b] (m x n, contiguous from co) = A[b] (m x k) * B[b] (k x n), A and B at any strides. A block of
// GEMM_L x GEMM_L threads computes a GEMM_TS x GEMM_TS tile of C (GEMM_TS = 4 GEMM_L), each thread a 4 x 4
// register block (rows ty + GEMM_L i, columns tx + GEMM_L j), with GEMM_TK-deep slices of A and B staged in
// local memory in the compute type (16-bit elements widened once, as they are staged). The grid is (column tiles, row tiles, batches).

// @instantiate each-type
KERNEL void gemm_${SFX}(int m, int n, int k, GLOBAL const ${T}* a, idx_t ao, idx_t abs, idx_t ars, idx_t acs,
                        GLOBAL const ${T}* b, idx_t bo, idx_t bbs, idx_t brs, idx_t bcs, GLOBAL ${T}* c, idx_t co) {
    LOCAL_MEM ${C} as[GEMM_TK][GEMM_TS + 1];
    LOCAL_MEM ${C} bs[GEMM_TK][GEMM_TS + 1];
    idx_t tid = THREAD_ID, tx = tid % GEMM_L, ty = tid / GEMM_L;
    idx_t row0 = BLOCK_ID_Y * GEMM_TS, col0 = BLOCK_ID_X * GEMM_TS, batch = BLOCK_ID_Z;
    GLOBAL const ${T}* a0 = a + ao + batch * abs;
    GLOBAL const ${T}* b0 = b + bo + batch * bbs;
    ${C} acc[4][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) acc[i][j] = (${C}) 0;
    for (idx_t k0 = 0; k0 < k; k0 += GEMM_TK) {
        for (idx_t e = tid; e < GEMM_TS * GEMM_TK; e += GEMM_L * GEMM_L) {
            idx_t r = e / GEMM_TK, kk = e % GEMM_TK, gr = row0 + r, gk = k0 + kk;
            as[kk][r] = gr < m && gk < k ? load_${SFX}(a0, gr * ars + gk * acs) : (${C}) 0;
        }
        for (idx_t e = tid; e < GEMM_TK * GEMM_TS; e += GEMM_L * GEMM_L) {
            idx_t kk = e / GEMM_TS, cc = e % GEMM_TS, gk = k0 + kk, gc = col0 + cc;
            bs[kk][cc] = gk < k && gc < n ? load_${SFX}(b0, gk * brs + gc * bcs) : (${C}) 0;
        }
        BARRIER();
        for (int kk = 0; kk < GEMM_TK; kk++) {
            ${C} av[4], bv[4];
            for (int i = 0; i < 4; i++) av[i] = as[kk][ty + GEMM_L * i];
            for (int j = 0; j < 4; j++) bv[j] = bs[kk][tx + GEMM_L * j];
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++) acc[i][j] = mac_${CS}(acc[i][j], av[i], bv[j]);
        }
        BARRIER();
    }
    GLOBAL ${T}* c0 = c + co + batch * (idx_t) m * n;
    for (int i = 0; i < 4; i++) {
        idx_t r = row0 + ty + GEMM_L * i;
        if (r >= m) continue;
        for (int j = 0; j < 4; j++) {
            idx_t cc = col0 + tx + GEMM_L * j;
            if (cc < n) store_${SFX}_${CS}(c0, r * n + cc, acc[i][j]);
        }
    }
}
