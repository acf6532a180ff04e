// im2col and its adjoint col2im for x [n, c, h, w]; instantiated per floating dtype.
// g = (c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow) packed in two int8 vectors:
// g0 = (c, h, w, kh, kw, sh, sw, ph), g1 = (pw, dh, dw, oh, ow, -, -, -). Bindings: T, SFX.

// One work-item per element of cols [n, c*kh*kw, oh*ow], written through its strides cst
// (the convolution passes a permuted view of a [c*kh*kw, n, L] buffer).
__kernel void K(im2col)(__global const T* x, int4 xs, int xo, int8 g0, int8 g1, T pad,
                        __global T* cols, int4 cst, int co) {
    int e = get_global_id(0);
    int c = g0.s0, h = g0.s1, w = g0.s2, kh = g0.s3, kw = g0.s4, sh = g0.s5, sw = g0.s6, ph = g0.s7;
    int pw = g1.s0, dh = g1.s1, dw = g1.s2, oh = g1.s3, ow = g1.s4;
    int l = oh * ow, rows = c * kh * kw;
    int pos = e % l, row = (e / l) % rows, img = e / (l * rows);
    int ch = row / (kh * kw), ki = (row / kw) % kh, kj = row % kw;
    int ih = (pos / ow) * sh - ph + ki * dh, iw = (pos % ow) * sw - pw + kj * dw;
    int in = ih >= 0 && ih < h && iw >= 0 && iw < w;
    cols[co + img * cst.s0 + row * cst.s1 + pos * cst.s2] = in ? x[xo + img * xs.s0 + ch * xs.s1 + ih * xs.s2 + iw * xs.s3] : pad;
}

// One work-item per pixel of x (contiguous from xo): sums every column entry that read it, in the
// CPU's (ki, kj) order, so the result matches it exactly.
__kernel void K(col2im)(__global const T* cols, int4 cs, int co, int8 g0, int8 g1, __global T* x, int xo) {
    int e = get_global_id(0);
    int c = g0.s0, h = g0.s1, w = g0.s2, kh = g0.s3, kw = g0.s4, sh = g0.s5, sw = g0.s6, ph = g0.s7;
    int pw = g1.s0, dh = g1.s1, dw = g1.s2, oh = g1.s3, ow = g1.s4;
    int iw = e % w, ih = (e / w) % h, ch = (e / (w * h)) % c, img = e / (w * h * c);
    T s = x[xo + e];
    for (int ki = 0; ki < kh; ki++) {
        int ti = ih + ph - ki * dh;
        if (ti < 0 || ti % sh != 0 || ti / sh >= oh) continue;
        for (int kj = 0; kj < kw; kj++) {
            int tj = iw + pw - kj * dw;
            if (tj < 0 || tj % sw != 0 || tj / sw >= ow) continue;
            int row = (ch * kh + ki) * kw + kj;
            s += cols[co + img * cs.s0 + row * cs.s1 + ((ti / sh) * ow + tj / sw) * cs.s2];
        }
    }
    x[xo + e] = s;
}
