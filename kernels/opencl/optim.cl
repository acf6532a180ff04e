// Fused optimizer updates over contiguous param/grad/state; instantiated per floating dtype.
// Same arithmetic, in the same precision and order, as CpuOptim. Bindings: T, SFX.

__kernel void K(sgd)(__global T* p, int po, __global const T* g, int go, __global T* buf, int bo, int hasBuf,
                     T lr, T momentum, T oneMinusDampening, T wd, int nesterov, int firstStep) {
    int i = get_global_id(0);
    T d = g[go + i] + wd * p[po + i];
    if (hasBuf) {
        T v = firstStep ? d : momentum * buf[bo + i] + oneMinusDampening * d;
        buf[bo + i] = v;
        d = nesterov ? d + momentum * v : v;
    }
    p[po + i] -= lr * d;
}

__kernel void K(adam)(__global T* p, int po, __global const T* g, int go, __global T* m, int mo, __global T* v, int vo,
                      T decay, T l2, T beta1, T oneMinusBeta1, T beta2, T oneMinusBeta2, T stepSize, T bc2Sqrt, T eps) {
    int i = get_global_id(0);
    T pi = p[po + i] * decay;
    T gi = g[go + i] + l2 * pi;
    T mi = beta1 * m[mo + i] + oneMinusBeta1 * gi;
    T vi = beta2 * v[vo + i] + oneMinusBeta2 * gi * gi;
    m[mo + i] = mi;
    v[vo + i] = vi;
    p[po + i] = pi - stepSize * mi / (sqrt(vi) / bc2Sqrt + eps);
}
