// im2col and its adjoint col2im for x [n, c, h, w] and cols [n, c * kh * kw, outH * outW].
// col2im gathers per pixel (no atomics), so its sums are deterministic.
#include "common.cuh"

struct Geometry {
    int inH, inW, kH, kW, sH, sW, pH, pW, dH, dW, outH, outW;
};

// One thread per column entry; x is strided (xs = n, c, h, w strides), and so is cols (cs = n, row, position
// strides: the convolution writes through a permuted view of a [c * kh * kw, n, L] buffer).
template <typename T>
__device__ void im2col_body(int n, int c, Geometry g, int xoff, int xs0, int xs1, int xs2, int xs3, const T* x,
                            T pad, int coff, int cs0, int cs1, int cs2, T* cols) {
    int l = g.outH * g.outW, k = g.kH * g.kW;
    int total = n * c * k * l;
    EMBER_FOR(t, total) {
        int j = t % g.outW, rest = t / g.outW;
        int i = rest % g.outH; rest /= g.outH;
        int kj = rest % g.kW; rest /= g.kW;
        int ki = rest % g.kH; rest /= g.kH;
        int ch = rest % c, img = rest / c;
        int ih = i * g.sH - g.pH + ki * g.dH, iw = j * g.sW - g.pW + kj * g.dW;
        bool in = ih >= 0 && ih < g.inH && iw >= 0 && iw < g.inW;
        int row = (ch * g.kH + ki) * g.kW + kj;
        cols[coff + img * cs0 + row * cs1 + (i * g.outW + j) * cs2] = in ? x[xoff + img * xs0 + ch * xs1 + ih * xs2 + iw * xs3] : pad;
    }
}

#define IM2COL(name, T) \
    extern "C" __global__ void name(int n, int c, Geometry g, int xoff, int xs0, int xs1, int xs2, int xs3, const T* x, \
                                    T pad, int coff, int cs0, int cs1, int cs2, T* cols) { \
        im2col_body<T>(n, c, g, xoff, xs0, xs1, xs2, xs3, x, pad, coff, cs0, cs1, cs2, cols); }

IM2COL(im2col_f32, float)
IM2COL(im2col_f64, double)

// One thread per pixel of x (contiguous from xoff): adds every column entry that reads it.
template <typename T>
__device__ void col2im_body(int n, int c, Geometry g, int coff, int cs0, int cs1, int cs2, const T* cols, int xoff, T* x) {
    int total = n * c * g.inH * g.inW;
    EMBER_FOR(t, total) {
        int iw = t % g.inW, rest = t / g.inW;
        int ih = rest % g.inH; rest /= g.inH;
        int ch = rest % c, img = rest / c;
        T sum = 0;
        for (int ki = 0; ki < g.kH; ki++) {
            int hy = ih + g.pH - ki * g.dH;
            if (hy < 0 || hy % g.sH != 0) continue;
            int i = hy / g.sH;
            if (i >= g.outH) continue;
            for (int kj = 0; kj < g.kW; kj++) {
                int wx = iw + g.pW - kj * g.dW;
                if (wx < 0 || wx % g.sW != 0) continue;
                int j = wx / g.sW;
                if (j >= g.outW) continue;
                int row = (ch * g.kH + ki) * g.kW + kj;
                sum += cols[coff + img * cs0 + row * cs1 + (i * g.outW + j) * cs2];
            }
        }
        x[xoff + t] += sum;
    }
}

#define COL2IM(name, T) \
    extern "C" __global__ void name(int n, int c, Geometry g, int coff, int cs0, int cs1, int cs2, const T* cols, int xoff, T* x) { \
        col2im_body<T>(n, c, g, coff, cs0, cs1, cs2, cols, xoff, x); }

COL2IM(col2im_f32, float)
COL2IM(col2im_f64, double)
