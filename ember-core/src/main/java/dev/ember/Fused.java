package dev.ember;

import dev.ember.backend.FusedOptimizer;
import dev.ember.backend.Strided;

/**
 * Optimizer updates: one kernel pass per parameter on its own device where the backend has the
 * {@link FusedOptimizer} capability, else the same arithmetic in the same order composed from
 * elementwise ops. Used by {@code dev.ember.optim}; all tensors must be contiguous, of one floating
 * dtype and on one device, and the call must run under {@link Ember#noGrad()}.
 */
public final class Fused {
    private Fused() {}

    private static Strided checked(String op, Tensor p, Tensor t, String what) {
        if (t == null) return null;
        if (!java.util.Arrays.equals(t.shape, p.shape) || t.dtype() != p.dtype() || !t.device().equals(p.device()) || !t.isContiguous())
            throw new IllegalArgumentException(op + ": " + what + " " + Shapes.str(t.shape) + " " + t.dtype() + " on " + t.device()
                    + " must be a contiguous tensor like the parameter " + Shapes.str(p.shape) + " " + p.dtype() + " on " + p.device());
        return t.strided();
    }

    private static void checkParam(String op, Tensor p) {
        if (!p.dtype().isFloatingPoint())
            throw new IllegalArgumentException(op + ": parameter " + Shapes.str(p.shape) + " must be floating point, got " + p.dtype());
        if (!p.isContiguous()) throw new IllegalArgumentException(op + ": parameter of shape " + Shapes.str(p.shape) + " must be contiguous");
        if (Ember.isGradEnabled() && p.requiresGrad())
            throw new IllegalStateException(op + ": optimizer updates must run under Ember.noGrad()");
    }

    /** In-place SGD update; see {@link FusedOptimizer#sgdStep}. {@code momentumBuffer} may be null. */
    public static void sgdStep(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum, double dampening,
                               double weightDecay, boolean nesterov, boolean firstStep) {
        checkParam("sgdStep", param);
        Strided g = checked("sgdStep", param, grad, "grad"), buf = checked("sgdStep", param, momentumBuffer, "momentum buffer");
        var kernel = Ember.fused(param.backend(), FusedOptimizer.class);
        if (kernel.isPresent()) {
            kernel.get().sgdStep(param.strided(), g, buf, lr, momentum, dampening, weightDecay, nesterov, firstStep);
            param.storage.bumpVersion();
            if (momentumBuffer != null) momentumBuffer.storage.bumpVersion();
            return;
        }
        try (var ignored = Ember.noGrad()) {
            Tensor d = grad.add(param.mul(weightDecay));
            if (momentumBuffer != null) {
                Tensor v = firstStep ? d : momentumBuffer.mul(momentum).add(d.mul(1 - dampening));
                momentumBuffer.copyFrom(v);
                d = nesterov ? d.add(v.mul(momentum)) : v;
            }
            param.subInPlace(d.mul(lr));
        }
    }

    /** In-place Adam / AdamW update for 1-based {@code step}; see {@link FusedOptimizer#adamStep}. */
    public static void adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1, double beta2,
                                double eps, double weightDecay, boolean decoupled, long step) {
        checkParam("adamStep", param);
        Strided g = checked("adamStep", param, grad, "grad"), m = checked("adamStep", param, expAvg, "exp_avg");
        Strided v = checked("adamStep", param, expAvgSq, "exp_avg_sq");
        var kernel = Ember.fused(param.backend(), FusedOptimizer.class);
        if (kernel.isPresent()) {
            kernel.get().adamStep(param.strided(), g, m, v, lr, beta1, beta2, eps, weightDecay, decoupled, step);
            param.storage.bumpVersion();
            expAvg.storage.bumpVersion();
            expAvgSq.storage.bumpVersion();
            return;
        }
        double stepSize = lr / (1 - Math.pow(beta1, step)), bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double decay = decoupled ? 1 - lr * weightDecay : 1, l2 = decoupled ? 0 : weightDecay;
        try (var ignored = Ember.noGrad()) {
            Tensor p = param.mul(decay);
            Tensor gi = grad.add(p.mul(l2));
            Tensor mi = expAvg.mul(beta1).add(gi.mul(1 - beta1));
            Tensor vi = expAvgSq.mul(beta2).add(gi.mul(1 - beta2).mul(gi));
            expAvg.copyFrom(mi);
            expAvgSq.copyFrom(vi);
            param.copyFrom(p.sub(mi.mul(stepSize).div(vi.sqrt().div(bc2Sqrt).add(eps))));
        }
    }
}
