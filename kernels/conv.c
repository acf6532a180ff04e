// im2col and its adjoint col2im for x [n, c, h, w] and cols [n, c * kh * kw, outH * outW].

// @instantiate once
typedef struct { int inH, inW, kH, kW, sH, sW, pH, pW, dH, dW, outH, outW; } Geometry;

// @instantiate each-type
// One thread per column entry. x is strided (xs0..3: n, c, h, w), and so is cols (cs0..2: n, row, position;
// the convolution writes through a permuted view of a [c * kh * kw, n, L] buffer). Padding reads pad.
KERNEL void im2col_${SFX}(idx_t n, idx_t c, Geometry g, idx_t xo, idx_t xs0, idx_t xs1, idx_t xs2, idx_t xs3,
                          GLOBAL const ${T}* x, ${T} pad, idx_t co, idx_t cs0, idx_t cs1, idx_t cs2, GLOBAL ${T}* cols) {
    idx_t l = (idx_t) g.outH * g.outW, k = (idx_t) g.kH * g.kW;
    FOR_EACH(t, n * c * k * l) {
        idx_t j = t % g.outW, rest = t / g.outW;
        idx_t i = rest % g.outH; rest /= g.outH;
        idx_t kj = rest % g.kW; rest /= g.kW;
        idx_t ki = rest % g.kH; rest /= g.kH;
        idx_t ch = rest % c, img = rest / c;
        idx_t ih = i * g.sH - g.pH + ki * g.dH, iw = j * g.sW - g.pW + kj * g.dW;
        int in = ih >= 0 && ih < g.inH && iw >= 0 && iw < g.inW;
        idx_t row = (ch * g.kH + ki) * g.kW + kj;
        cols[co + img * cs0 + row * cs1 + (i * g.outW + j) * cs2] = in ? x[xo + img * xs0 + ch * xs1 + ih * xs2 + iw * xs3] : pad;
    }
}

// One thread per pixel of x (contiguous from xo): adds, in the CPU's (ki, kj) order and in the compute type,
// every column entry that read it, so the result matches the CPU exactly.
KERNEL void col2im_${SFX}(idx_t n, idx_t c, Geometry g, idx_t co, idx_t cs0, idx_t cs1, idx_t cs2,
                          GLOBAL const ${T}* cols, idx_t xo, GLOBAL ${T}* x) {
    FOR_EACH(t, n * c * g.inH * g.inW) {
        idx_t iw = t % g.inW, rest = t / g.inW;
        idx_t ih = rest % g.inH; rest /= g.inH;
        idx_t ch = rest % c, img = rest / c;
        ${C} s = load_${SFX}(x, xo + t);
        for (idx_t ki = 0; ki < g.kH; ki++) {
            idx_t hy = ih + g.pH - ki * g.dH;
            if (hy < 0 || hy % g.sH != 0 || hy / g.sH >= g.outH) continue;
            for (idx_t kj = 0; kj < g.kW; kj++) {
                idx_t wx = iw + g.pW - kj * g.dW;
                if (wx < 0 || wx % g.sW != 0 || wx / g.sW >= g.outW) continue;
                idx_t row = (ch * g.kH + ki) * g.kW + kj;
                s = add_${CS}(s, load_${SFX}(cols, co + img * cs0 + row * cs1 + ((hy / g.sH) * g.outW + wx / g.sW) * cs2));
            }
        }
        store_${SFX}_${CS}(x, xo + t, s);
    }
}
