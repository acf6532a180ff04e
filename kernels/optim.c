// Fused optimizer updates over contiguous parameters, in the operation order (and precision) of the CPU's
// (CpuOptim) and of the tensor layer's composed fallback (Fused): float32 in float, float64 in double, and
// FLOAT16/BFLOAT16 in float, each state element widened as it is read and rounded once as it is written.

// @instantiate each-float
// hasBuf: whether buf (the momentum buffer) is used.
KERNEL void sgd_${SFX}(idx_t n, GLOBAL ${T}* p, idx_t po, GLOBAL const ${T}* g, idx_t go, GLOBAL ${T}* buf, idx_t bo,
                       int hasBuf, ${C} lr, ${C} momentum, ${C} oneMinusDampening, ${C} wd, int nesterov, int firstStep) {
    FOR_EACH(i, n) {
        ${C} pi = load_${SFX}(p, po + i);
        ${C} d = load_${SFX}(g, go + i) + wd * pi;
        if (hasBuf) {
            ${C} v = firstStep ? d : momentum * load_${SFX}(buf, bo + i) + oneMinusDampening * d;
            store_${SFX}_${CS}(buf, bo + i, v);
            d = nesterov ? d + momentum * v : v;
        }
        store_${SFX}_${CS}(p, po + i, pi - lr * d);
    }
}

// stepSize = lr / (1 - beta1^t), bc2Sqrt = sqrt(1 - beta2^t); AdamW: decay = 1 - lr * wd, l2 = 0; Adam: decay = 1, l2 = wd.
KERNEL void adam_${SFX}(idx_t n, GLOBAL ${T}* p, idx_t po, GLOBAL const ${T}* g, idx_t go, GLOBAL ${T}* m, idx_t mo,
                        GLOBAL ${T}* v, idx_t vo, ${C} b1, ${C} oneMinusB1, ${C} b2, ${C} oneMinusB2, ${C} eps,
                        ${C} stepSize, ${C} bc2Sqrt, ${C} decay, ${C} l2) {
    FOR_EACH(i, n) {
        ${C} pi = load_${SFX}(p, po + i) * decay;
        ${C} gi = load_${SFX}(g, go + i) + l2 * pi;
        ${C} mi = b1 * load_${SFX}(m, mo + i) + oneMinusB1 * gi;
        ${C} vi = b2 * load_${SFX}(v, vo + i) + oneMinusB2 * gi * gi;
        store_${SFX}_${CS}(m, mo + i, mi);
        store_${SFX}_${CS}(v, vo + i, vi);
        store_${SFX}_${CS}(p, po + i, pi - stepSize * mi / (sqrt(vi) / bc2Sqrt + eps));
    }
}
