// Reductions along the last axis: each row of r elements (stride rs) becomes one output element. A row is
// reduced by 32 threads (short rows) or a whole block (long rows), as ReducePlan plans on the host; very long
// rows may be split into `chunks` pieces whose partials a second launch reduces. The partials of a row's
// threads combine in a tree in local memory, in a fixed order, so a result does not vary between runs.
// combine_<acc> and reduce_identity_<acc> are generated from the op table.

// @instantiate each-reduce
// ${S} -> ${D}, accumulating in ${ACC}.
KERNEL void reduce_${SSFX}_${DSFX}(int op, Shape osh, Strides xs, Strides os, idx_t r, idx_t rs, idx_t chunks,
                                   idx_t chunk, GLOBAL const ${S}* x, GLOBAL ${D}* out, GLOBAL int* err) {
    LOCAL_MEM ${ACC} part[EMBER_THREADS];
    idx_t tpr = chunk > 256 ? BLOCK_DIM : 32;
    idx_t rowsPerBlock = BLOCK_DIM / tpr;
    idx_t tid = THREAD_ID, lane = tid % tpr;
    idx_t total = osh.n * chunks;
    for (idx_t base = BLOCK_ID_X * rowsPerBlock; base < total; base += GRID_DIM * rowsPerBlock) {
        idx_t j = base + tid / tpr;
        int live = j < total;
        idx_t row = live ? j / chunks : 0, piece = live ? j % chunks : 0;
        idx_t from = piece * chunk, to = from + chunk < r ? from + chunk : r;
        idx_t xb = offset_of(osh, xs, row);
        ${ACC} acc = (${ACC}) 0;
        int any = 0;
        for (idx_t i = from + lane; live && i < to; i += tpr) {
            ${ACC} v = load_${SSFX}(x, xb + i * rs);
            acc = any ? combine_${ACCS}(op, acc, v, err) : v;
            any = 1;
        }
        // A thread with no elements contributes the identity, or (MAX, MIN) an element of the piece.
        if (!any) acc = reduce_identity_${ACCS}(op, load_${SSFX}(x, xb + from * rs));
        part[tid] = acc;
        BARRIER();
        for (idx_t s = tpr / 2; s > 0; s >>= 1) {
            if (lane < s) part[tid] = combine_${ACCS}(op, part[tid], part[tid + s], err);
            BARRIER();
        }
        if (live && lane == 0) store_${DSFX}_${ACCS}(out, chunks == 1 ? offset_of(osh, os, row) : j, part[tid]);
        BARRIER();
    }
}

// @instantiate each-type
// ARGMAX / ARGMIN of ${T}: (value, index) pairs; the first occurrence, and the first NaN, wins.
KERNEL void argreduce_${SFX}(int op, Shape osh, Strides xs, Strides os, idx_t r, idx_t rs, GLOBAL const ${T}* x,
                             GLOBAL i64* out, GLOBAL int* err) {
    LOCAL_MEM ${C} val[EMBER_THREADS];
    LOCAL_MEM idx_t pos[EMBER_THREADS];
    if (op != REDUCE_ARGMAX && op != REDUCE_ARGMIN) {
        if (BLOCK_ID_X == 0 && THREAD_ID == 0) report(err, KE_UNKNOWN_OP, op, 0, 0);
        return;
    }
    idx_t tpr = r > 256 ? BLOCK_DIM : 32;
    idx_t rowsPerBlock = BLOCK_DIM / tpr;
    idx_t tid = THREAD_ID, lane = tid % tpr;
    for (idx_t base = BLOCK_ID_X * rowsPerBlock; base < osh.n; base += GRID_DIM * rowsPerBlock) {
        idx_t row = base + tid / tpr;
        int live = row < osh.n;
        idx_t xb = offset_of(osh, xs, live ? row : 0);
        ${C} bv = (${C}) 0;
        idx_t bi = -1;
        for (idx_t i = lane; live && i < r; i += tpr) {
            ${C} v = load_${SFX}(x, xb + i * rs);
            if (arg_better_${CS}(op, v, i, bv, bi)) { bv = v; bi = i; }
        }
        val[tid] = bv;
        pos[tid] = bi;
        BARRIER();
        for (idx_t s = tpr / 2; s > 0; s >>= 1) {
            if (lane < s && arg_better_${CS}(op, val[tid + s], pos[tid + s], val[tid], pos[tid])) {
                val[tid] = val[tid + s];
                pos[tid] = pos[tid + s];
            }
            BARRIER();
        }
        if (live && lane == 0) out[offset_of(osh, os, row)] = (i64) pos[tid];
        BARRIER();
    }
}

// @instantiate each-float
// Softmax (logForm = 0) or log-softmax (logForm = 1) of each row of x (r elements at stride rs; the rows' offsets from osh
// and xs) into contiguous out from oo, in ${C}, as the tensor layer composes them and torch computes them:
// exp(x - max) / sum, and (x - max) - log(sum(exp(x - max))) (a row with an infinite max gives NaN). Max
// (NaN-propagating, as torch.max) and sum combine in a fixed tree order, so a result does not vary between runs.
// One row per 32 threads, or per block beyond 256 elements, as the reductions above.
KERNEL void softmax_${SFX}(int logForm, Shape osh, Strides xs, idx_t r, idx_t rs, GLOBAL const ${T}* x, idx_t oo,
                           GLOBAL ${T}* out, GLOBAL int* err) {
    LOCAL_MEM ${C} part[EMBER_THREADS];
    idx_t tpr = r > 256 ? BLOCK_DIM : 32;
    idx_t rowsPerBlock = BLOCK_DIM / tpr;
    idx_t tid = THREAD_ID, lane = tid % tpr, first = tid - lane;
    for (idx_t base = BLOCK_ID_X * rowsPerBlock; base < osh.n; base += GRID_DIM * rowsPerBlock) {
        idx_t row = base + tid / tpr;
        int live = row < osh.n;
        idx_t xb = offset_of(osh, xs, live ? row : 0);
        GLOBAL ${T}* o = out + oo + (live ? row : 0) * r;
        ${C} m = load_${SFX}(x, xb); // element 0: every lane's start, so lanes without elements change nothing
        for (idx_t i = lane; live && i < r; i += tpr) m = combine_${CS}(REDUCE_MAX, m, load_${SFX}(x, xb + i * rs), err);
        part[tid] = m;
        BARRIER();
        for (idx_t s = tpr / 2; s > 0; s >>= 1) {
            if (lane < s) part[tid] = combine_${CS}(REDUCE_MAX, part[tid], part[tid + s], err);
            BARRIER();
        }
        m = part[first];
        BARRIER();
        ${C} sum = (${C}) 0;
        for (idx_t i = lane; live && i < r; i += tpr) sum += exp(load_${SFX}(x, xb + i * rs) - m);
        part[tid] = sum;
        BARRIER();
        for (idx_t s = tpr / 2; s > 0; s >>= 1) {
            if (lane < s) part[tid] = part[tid] + part[tid + s];
            BARRIER();
        }
        sum = part[first];
        BARRIER();
        ${C} logSum = logForm ? (${C}) log(sum) : (${C}) 0;
        for (idx_t i = lane; live && i < r; i += tpr) {
            ${C} v = load_${SFX}(x, xb + i * rs) - m;
            store_${SFX}_${CS}(o, i, logForm ? v - logSum : exp(v) / sum);
        }
    }
}

// @instantiate each-float
// LayerNorm (rms = 0) and RMSNorm (rms = 1) over contiguous rows of n elements, as the CPU's CpuNorm: the row's
// mean, then the variance about it in a second pass (RMSNorm: the mean square), rstd = 1 / sqrt(var + eps), and
// y = (x - mean) * rstd * w + b with w and b optional (hasW, hasB; float). Each row's float mean and rstd are kept for
// backward. Row sums combine in a fixed tree order; the host launches FLOAT32 and the 16-bit types only.
KERNEL void norm_forward_${SFX}(idx_t rows, idx_t n, GLOBAL const ${T}* x, idx_t xo, GLOBAL const float* w, idx_t wo,
                                int hasW, GLOBAL const float* b, idx_t bo, int hasB, float eps, int rms, GLOBAL ${T}* out,
                                idx_t oo, GLOBAL float* mean, idx_t mo, GLOBAL float* rstd, idx_t ro) {
    LOCAL_MEM float part[EMBER_THREADS];
    idx_t tpr = n > 256 ? BLOCK_DIM : 32;
    idx_t rowsPerBlock = BLOCK_DIM / tpr;
    idx_t tid = THREAD_ID, lane = tid % tpr, first = tid - lane;
    for (idx_t base = BLOCK_ID_X * rowsPerBlock; base < rows; base += GRID_DIM * rowsPerBlock) {
        idx_t row = base + tid / tpr;
        int live = row < rows;
        idx_t xb = xo + (live ? row : 0) * n;
        float s = 0.0f;
        for (idx_t i = lane; live && !rms && i < n; i += tpr) s += (float) load_${SFX}(x, xb + i);
        part[tid] = s;
        BARRIER();
        for (idx_t h = tpr / 2; h > 0; h >>= 1) {
            if (lane < h) part[tid] = part[tid] + part[tid + h];
            BARRIER();
        }
        float m = rms ? 0.0f : part[first] / (float) n;
        BARRIER();
        float q = 0.0f;
        for (idx_t i = lane; live && i < n; i += tpr) {
            float d = (float) load_${SFX}(x, xb + i) - m;
            q += d * d;
        }
        part[tid] = q;
        BARRIER();
        for (idx_t h = tpr / 2; h > 0; h >>= 1) {
            if (lane < h) part[tid] = part[tid] + part[tid + h];
            BARRIER();
        }
        float rs = 1.0f / sqrt(part[first] / (float) n + eps);
        BARRIER();
        if (live && lane == 0) {
            if (!rms) mean[mo + row] = m;
            rstd[ro + row] = rs;
        }
        for (idx_t i = lane; live && i < n; i += tpr) {
            float v = ((float) load_${SFX}(x, xb + i) - m) * rs;
            if (hasW) v = v * w[wo + i];
            if (hasB) v = v + b[bo + i];
            store_${SFX}_${CS}(out, oo + row * n + i, (${C}) v);
        }
    }
}

// The input gradient of the above for output gradient g: with gy = g * w (or g) and xhat = (x - mean) * rstd,
// dx = (gy - sum(gy) / n - xhat * sum(gy * xhat) / n) * rstd (RMSNorm: without the sum(gy) term), as CpuNorm.
KERNEL void norm_backward_${SFX}(idx_t rows, idx_t n, GLOBAL const ${T}* g, idx_t go, GLOBAL const ${T}* x, idx_t xo,
                                 GLOBAL const float* w, idx_t wo, int hasW, GLOBAL const float* mean, idx_t mo,
                                 GLOBAL const float* rstd, idx_t ro, int rms, GLOBAL ${T}* dx, idx_t dxo) {
    LOCAL_MEM float part[EMBER_THREADS];
    LOCAL_MEM float part2[EMBER_THREADS];
    idx_t tpr = n > 256 ? BLOCK_DIM : 32;
    idx_t rowsPerBlock = BLOCK_DIM / tpr;
    idx_t tid = THREAD_ID, lane = tid % tpr, first = tid - lane;
    for (idx_t base = BLOCK_ID_X * rowsPerBlock; base < rows; base += GRID_DIM * rowsPerBlock) {
        idx_t row = base + tid / tpr;
        int live = row < rows;
        idx_t r = live ? row : 0;
        float m = rms ? 0.0f : mean[mo + r], rs = rstd[ro + r];
        float s1 = 0.0f, s2 = 0.0f;
        for (idx_t i = lane; live && i < n; i += tpr) {
            float gy = (float) load_${SFX}(g, go + r * n + i);
            if (hasW) gy = gy * w[wo + i];
            float xhat = ((float) load_${SFX}(x, xo + r * n + i) - m) * rs;
            s1 += gy;
            s2 += gy * xhat;
        }
        part[tid] = s1;
        part2[tid] = s2;
        BARRIER();
        for (idx_t h = tpr / 2; h > 0; h >>= 1) {
            if (lane < h) {
                part[tid] = part[tid] + part[tid + h];
                part2[tid] = part2[tid] + part2[tid + h];
            }
            BARRIER();
        }
        float a = rms ? 0.0f : part[first] / (float) n, c = part2[first] / (float) n;
        BARRIER();
        for (idx_t i = lane; live && i < n; i += tpr) {
            float gy = (float) load_${SFX}(g, go + r * n + i);
            if (hasW) gy = gy * w[wo + i];
            float xhat = ((float) load_${SFX}(x, xo + r * n + i) - m) * rs;
            store_${SFX}_${CS}(dx, dxo + r * n + i, (${C}) ((gy - a - xhat * c) * rs));
        }
    }
}

// The parameter gradients: per column j, dw = sum over rows of g * xhat and db = sum over rows of g, the rows added
// in order (one thread per column), so the result does not vary between runs.
KERNEL void norm_params_${SFX}(idx_t rows, idx_t n, GLOBAL const ${T}* g, idx_t go, GLOBAL const ${T}* x, idx_t xo,
                               GLOBAL const float* mean, idx_t mo, GLOBAL const float* rstd, idx_t ro, int rms,
                               GLOBAL float* dw, idx_t dwo, int hasDw, GLOBAL float* db, idx_t dbo, int hasDb) {
    FOR_EACH(j, n) {
        float sw = 0.0f, sb = 0.0f;
        for (idx_t r = 0; r < rows; r++) {
            float gv = (float) load_${SFX}(g, go + r * n + j);
            float m = rms ? 0.0f : mean[mo + r];
            sw += gv * (((float) load_${SFX}(x, xo + r * n + j) - m) * rstd[ro + r]);
            sb += gv;
        }
        if (hasDw) dw[dwo + j] = sw;
        if (hasDb) db[dbo + j] = sb;
    }
}
