package dev.ember.backend.cpu;

import dev.ember.backend.Strided;

/** Fused optimizer updates: one pass over each parameter, no temporaries. */
final class CpuOptim {
    private CpuOptim() {}

    static void sgd(Strided param, Strided grad, Strided buf, double lr, double momentum, double dampening,
                    double wd, boolean nesterov, boolean firstStep) {
        Object p = CpuBackend.arr(param), g = CpuBackend.arr(grad), b = buf == null ? null : CpuBackend.arr(buf);
        int po = param.offset32(), go = grad.offset32(), bo = buf == null ? 0 : buf.offset32();
        Parallel.forRange(param.numel32(), 1 << 16, (i0, i1) -> {
            if (p instanceof float[] pf && g instanceof float[] gf) {
                float[] bf = (float[]) b;
                for (int i = i0; i < i1; i++) {
                    float d = gf[go + i] + (float) wd * pf[po + i];
                    if (bf != null) {
                        float v = firstStep ? d : (float) momentum * bf[bo + i] + (float) (1 - dampening) * d;
                        bf[bo + i] = v;
                        d = nesterov ? d + (float) momentum * v : v;
                    }
                    pf[po + i] -= (float) lr * d;
                }
            } else {
                for (int i = i0; i < i1; i++) {
                    double d = Elements.getD(g, go + i) + wd * Elements.getD(p, po + i);
                    if (b != null) {
                        double v = firstStep ? d : momentum * Elements.getD(b, bo + i) + (1 - dampening) * d;
                        Elements.setD(b, bo + i, v);
                        d = nesterov ? d + momentum * v : v;
                    }
                    Elements.setD(p, po + i, Elements.getD(p, po + i) - lr * d);
                }
            }
        });
    }

    static void adam(Strided param, Strided grad, Strided expAvg, Strided expAvgSq, double lr, double b1, double b2,
                     double eps, double wd, boolean decoupled, long step) {
        Object p = CpuBackend.arr(param), g = CpuBackend.arr(grad), m = CpuBackend.arr(expAvg), v = CpuBackend.arr(expAvgSq);
        int po = param.offset32(), go = grad.offset32(), mo = expAvg.offset32(), vo = expAvgSq.offset32();
        double bc1 = 1 - StrictMath.pow(b1, step), bc2 = 1 - StrictMath.pow(b2, step);
        double stepSize = lr / bc1, bc2Sqrt = Math.sqrt(bc2);
        double decay = decoupled ? 1 - lr * wd : 1;
        double l2 = decoupled ? 0 : wd;
        Parallel.forRange(param.numel32(), 1 << 15, (i0, i1) -> {
            if (p instanceof float[] pf && g instanceof float[] gf) {
                float[] mf = (float[]) m, vf = (float[]) v;
                if (Simd.AVAILABLE) {
                    SimdKernels.adam(pf, po + i0, gf, go + i0, mf, mo + i0, vf, vo + i0, i1 - i0, (float) decay, (float) l2,
                            (float) b1, (float) (1 - b1), (float) b2, (float) (1 - b2), (float) stepSize, (float) bc2Sqrt, (float) eps);
                    return;
                }
                for (int i = i0; i < i1; i++) {
                    float pi = pf[po + i] * (float) decay;
                    float gi = gf[go + i] + (float) l2 * pi;
                    float mi = (float) b1 * mf[mo + i] + (float) (1 - b1) * gi;
                    float vi = (float) b2 * vf[vo + i] + (float) (1 - b2) * gi * gi;
                    mf[mo + i] = mi;
                    vf[vo + i] = vi;
                    pf[po + i] = pi - (float) stepSize * mi / ((float) Math.sqrt(vi) / (float) bc2Sqrt + (float) eps);
                }
            } else {
                for (int i = i0; i < i1; i++) {
                    double pi = Elements.getD(p, po + i) * decay;
                    double gi = Elements.getD(g, go + i) + l2 * pi;
                    double mi = b1 * Elements.getD(m, mo + i) + (1 - b1) * gi;
                    double vi = b2 * Elements.getD(v, vo + i) + (1 - b2) * gi * gi;
                    Elements.setD(m, mo + i, mi);
                    Elements.setD(v, vo + i, vi);
                    Elements.setD(p, po + i, pi - stepSize * mi / (Math.sqrt(vi) / bc2Sqrt + eps));
                }
            }
        });
    }
}
