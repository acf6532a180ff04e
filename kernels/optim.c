// Fused optimizer updates over contiguous parameters, in the operation order (and precision) of the CPU's
// (CpuOptim) and of the tensor layer's composed fallback (Fused): float32 in float, float64 in double.

// @instantiate each-float
// hasBuf: whether buf (the momentum buffer) is used.
KERNEL void sgd_${SFX}(idx_t n, GLOBAL ${T}* p, idx_t po, GLOBAL const ${T}* g, idx_t go, GLOBAL ${T}* buf, idx_t bo,
                       int hasBuf, ${T} lr, ${T} momentum, ${T} oneMinusDampening, ${T} wd, int nesterov, int firstStep) {
    FOR_EACH(i, n) {
        ${T} d = g[go + i] + wd * p[po + i];
        if (hasBuf) {
            ${T} v = firstStep ? d : momentum * buf[bo + i] + oneMinusDampening * d;
            buf[bo + i] = v;
            d = nesterov ? d + momentum * v : v;
        }
        p[po + i] -= lr * d;
    }
}

// stepSize = lr / (1 - beta1^t), bc2Sqrt = sqrt(1 - beta2^t); AdamW: decay = 1 - lr * wd, l2 = 0; Adam: decay = 1, l2 = wd.
KERNEL void adam_${SFX}(idx_t n, GLOBAL ${T}* p, idx_t po, GLOBAL const ${T}* g, idx_t go, GLOBAL ${T}* m, idx_t mo,
                        GLOBAL ${T}* v, idx_t vo, ${T} b1, ${T} oneMinusB1, ${T} b2, ${T} oneMinusB2, ${T} eps,
                        ${T} stepSize, ${T} bc2Sqrt, ${T} decay, ${T} l2) {
    FOR_EACH(i, n) {
        ${T} pi = p[po + i] * decay;
        ${T} gi = g[go + i] + l2 * pi;
        ${T} mi = b1 * m[mo + i] + oneMinusB1 * gi;
        ${T} vi = b2 * v[vo + i] + oneMinusB2 * gi * gi;
        m[mo + i] = mi;
        v[vo + i] = vi;
        p[po + i] = pi - stepSize * mi / (sqrt(vi) / bc2Sqrt + eps);
    }
}
