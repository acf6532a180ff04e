package dev.ember;

import dev.ember.backend.Strided;

/**
 * Fused optimizer updates: one kernel pass per parameter on its own device, with
 * no temporaries. Used by {@code dev.ember.optim}; all tensors must be contiguous,
 * of one dtype and on one device, and the call must run under {@link Ember#noGrad()}.
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
        if (!p.isContiguous()) throw new IllegalArgumentException(op + ": parameter of shape " + Shapes.str(p.shape) + " must be contiguous");
        if (Ember.isGradEnabled() && p.requiresGrad())
            throw new IllegalStateException(op + ": optimizer updates must run under Ember.noGrad()");
    }

    /** In-place SGD update; see {@link dev.ember.backend.Backend#sgdStep}. {@code momentumBuffer} may be null. */
    public static void sgdStep(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum, double dampening,
                               double weightDecay, boolean nesterov, boolean firstStep) {
        checkParam("sgdStep", param);
        param.backend().sgdStep(param.strided(), checked("sgdStep", param, grad, "grad"),
                checked("sgdStep", param, momentumBuffer, "momentum buffer"), lr, momentum, dampening, weightDecay, nesterov, firstStep);
        param.storage.bumpVersion();
        if (momentumBuffer != null) momentumBuffer.storage.bumpVersion();
    }

    /** In-place Adam / AdamW update for 1-based {@code step}; see {@link dev.ember.backend.Backend#adamStep}. */
    public static void adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1, double beta2,
                                double eps, double weightDecay, boolean decoupled, long step) {
        checkParam("adamStep", param);
        param.backend().adamStep(param.strided(), checked("adamStep", param, grad, "grad"), checked("adamStep", param, expAvg, "exp_avg"),
                checked("adamStep", param, expAvgSq, "exp_avg_sq"), lr, beta1, beta2, eps, weightDecay, decoupled, step);
        param.storage.bumpVersion();
        expAvg.storage.bumpVersion();
        expAvgSq.storage.bumpVersion();
    }
}
