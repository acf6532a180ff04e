package dev.ember;

import dev.ember.autograd.GradMode;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.Philox;
import dev.ember.backend.UnaryOp;

/**
 * In-place updates, for optimizers and initialisation. They bump the storage's
 * version so a stale saved tensor is caught, and refuse to run where autograd would
 * lose track (a leaf that requires grad, with grad mode on).
 */
final class InPlace {
    private InPlace() {}

    private static void check(String op, Tensor t) {
        if (t.requiresGrad() && GradMode.isEnabled())
            throw new IllegalStateException(op + ": a tensor that requires grad (shape " + Shapes.str(t.shape)
                    + ") is being used in an in-place operation; wrap the update in Ember.noGrad()");
        for (int s : t.strides)
            if (s == 0 && t.numel() > 1)
                throw new IllegalArgumentException(op + ": cannot write in place into an expanded tensor of shape " + Shapes.str(t.shape)
                        + " (several elements share one memory location); call clone() first");
    }

    static Tensor binary(BinaryOp op, Tensor t, Tensor other) {
        String name = Elementwise.name(op) + "InPlace";
        check(name, t);
        int[] shape = Shapes.broadcast(name, t.shape, other.shape);
        if (!java.util.Arrays.equals(shape, t.shape))
            throw new IllegalArgumentException(name + ": operand of shape " + Shapes.str(other.shape)
                    + " does not broadcast to the tensor's shape " + Shapes.str(t.shape));
        Tensor o = other.device().equals(t.device()) ? other : other.dim() == 0 ? other.to(t.device()) : null;
        if (o == null)
            throw new IllegalArgumentException(name + ": tensors are on different devices: " + t.device() + " and " + other.device());
        o = o.to(t.dtype());
        t.backend().binary(op, t.strided(), Elementwise.expanded(o, shape), t.strided());
        t.storage.bumpVersion();
        return t;
    }

    static Tensor unary(UnaryOp op, Tensor t, double a, double b) {
        check(op.name().toLowerCase() + "InPlace", t);
        t.backend().unary(op, t.strided(), t.strided(), a, b);
        t.storage.bumpVersion();
        return t;
    }

    static Tensor copy(Tensor t, Tensor src) {
        check("copyFrom", t);
        int[] shape = Shapes.broadcast("copyFrom", t.shape, src.shape);
        if (!java.util.Arrays.equals(shape, t.shape))
            throw new IllegalArgumentException("copyFrom: source of shape " + Shapes.str(src.shape)
                    + " does not broadcast to the destination's shape " + Shapes.str(t.shape));
        Tensor s = src.device().equals(t.device()) ? src : src.to(t.device());
        t.backend().copy(Elementwise.expanded(s, shape), t.strided());
        t.storage.bumpVersion();
        return t;
    }

    static Tensor fill(Tensor t, double value) {
        check("fillInPlace", t);
        t.backend().fill(t.strided(), value);
        t.storage.bumpVersion();
        return t;
    }

    static Tensor random(Tensor t, Philox.Distribution dist, double a, double b) {
        check(dist == Philox.Distribution.UNIFORM ? "uniformInPlace" : "normalInPlace", t);
        if (!t.dtype().isFloatingPoint()) throw new IllegalArgumentException("random fill: dtype must be floating point, got " + t.dtype());
        Tensor r = Creation.random(dist, a, b, t.dtype(), t.device(), t.shapeLong());
        t.backend().copy(r.strided(), t.strided());
        t.storage.bumpVersion();
        return t;
    }
}
