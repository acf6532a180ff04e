// Fused optimizer updates over contiguous parameters, in the same operation order as
// dev.ember.backend.cpu.CpuOptim (float32 in float arithmetic, float64 in double).
#include "common.cuh"

template <typename T>
__device__ void sgd_body(int n, T* p, const T* g, T* buf, bool hasBuf, T lr, T momentum, T oneMinusDampening, T wd, int nesterov,
                         int firstStep) {
    EMBER_FOR(i, n) {
        T d = g[i] + wd * p[i];
        if (hasBuf) {
            T v = firstStep ? d : momentum * buf[i] + oneMinusDampening * d;
            buf[i] = v;
            d = nesterov ? d + momentum * v : v;
        }
        p[i] -= lr * d;
    }
}

// Element offsets po, go, bo into each buffer; bo < 0 means no momentum buffer.
extern "C" __global__ void sgd_f32(int n, float* p, int po, const float* g, int go, float* buf, int bo, float lr, float momentum,
                                   float oneMinusDampening, float wd, int nesterov, int firstStep) {
    sgd_body<float>(n, p + po, g + go, buf + (bo < 0 ? 0 : bo), bo >= 0, lr, momentum, oneMinusDampening, wd, nesterov, firstStep);
}

extern "C" __global__ void sgd_f64(int n, double* p, int po, const double* g, int go, double* buf, int bo, double lr, double momentum,
                                   double oneMinusDampening, double wd, int nesterov, int firstStep) {
    sgd_body<double>(n, p + po, g + go, buf + (bo < 0 ? 0 : bo), bo >= 0, lr, momentum, oneMinusDampening, wd, nesterov, firstStep);
}

// stepSize = lr / (1 - beta1^t), bc2Sqrt = sqrt(1 - beta2^t), decay = 1 - lr * wd for AdamW (else 1), l2 = wd for Adam (else 0).
template <typename T>
__device__ void adam_body(int n, T* p, const T* g, T* m, T* v, T b1, T oneMinusB1, T b2, T oneMinusB2, T eps,
                          T stepSize, T bc2Sqrt, T decay, T l2) {
    EMBER_FOR(i, n) {
        T pi = p[i] * decay;
        T gi = g[i] + l2 * pi;
        T mi = b1 * m[i] + oneMinusB1 * gi;
        T vi = b2 * v[i] + oneMinusB2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi - stepSize * mi / (sqrt(vi) / bc2Sqrt + eps);
    }
}

// Element offsets po, go, mo, vo into each buffer.
extern "C" __global__ void adam_f32(int n, float* p, int po, const float* g, int go, float* m, int mo, float* v, int vo, float b1, float oneMinusB1,
                                    float b2, float oneMinusB2, float eps, float stepSize, float bc2Sqrt, float decay,
                                    float l2) {
    adam_body<float>(n, p + po, g + go, m + mo, v + vo, b1, oneMinusB1, b2, oneMinusB2, eps, stepSize, bc2Sqrt, decay, l2);
}

extern "C" __global__ void adam_f64(int n, double* p, int po, const double* g, int go, double* m, int mo, double* v, int vo, double b1,
                                    double oneMinusB1, double b2, double oneMinusB2, double eps, double stepSize,
                                    double bc2Sqrt, double decay, double l2) {
    adam_body<double>(n, p + po, g + go, m + mo, v + vo, b1, oneMinusB1, b2, oneMinusB2, eps, stepSize, bc2Sqrt, decay, l2);
}
