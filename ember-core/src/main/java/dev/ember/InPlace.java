package dev.ember;

import dev.ember.autograd.GradMode;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.HalfConversions;
import dev.ember.backend.Philox;
import dev.ember.backend.UnaryOp;

/**
 * In-place updates, for optimizers and initialisation. They bump the storage's
 * version so a stale saved tensor is caught, and refuse to run where autograd would
 * lose track (a leaf that requires grad, with grad mode on).
 *
 * <p>Type rules follow PyTorch: an arithmetic op computes in the result type of its
 * operands (true division in floating point) and refuses to write it into a tensor whose
 * dtype it cannot be cast to ({@link DType#canCast}: no float into an integer tensor, no
 * integer into BOOL), rather than truncating; a fill value must fit the dtype. Every check
 * runs before the first write, so a refused op leaves its tensor as it was.
 */
final class InPlace {
    private InPlace() {}

    private static void check(String op, Tensor t) {
        if (t.requiresGrad() && GradMode.isEnabled())
            throw new IllegalStateException(op + ": a tensor that requires grad (shape " + Shapes.str(t.shape)
                    + ") is being used in an in-place operation; wrap the update in Ember.noGrad()");
        for (long s : t.strides)
            if (s == 0 && t.numel() > 1)
                throw new IllegalArgumentException(op + ": cannot write in place into an expanded tensor of shape " + Shapes.str(t.shape)
                        + " (several elements share one memory location); call clone() first");
    }

    /** Refuses to write a {@code result}-typed value into {@code t}, as PyTorch's in-place ops do. */
    private static void checkCast(String op, DType result, Tensor t) {
        if (!DType.canCast(result, t.dtype()))
            throw new IllegalArgumentException(op + ": result type " + result + " can't be cast to the desired output type " + t.dtype()
                    + " (shape " + Shapes.str(t.shape) + "); convert the tensor first, e.g. t = t.to(" + result + ")");
    }

    static Tensor binary(BinaryOp op, Tensor t, Tensor other) {
        String name = Elementwise.name(op) + "InPlace";
        check(name, t);
        long[] shape = Shapes.broadcast(name, t.shape, other.shape);
        if (!java.util.Arrays.equals(shape, t.shape))
            throw new IllegalArgumentException(name + ": operand of shape " + Shapes.str(other.shape)
                    + " does not broadcast to the tensor's shape " + Shapes.str(t.shape));
        Tensor o = other.device().equals(t.device()) ? other : other.dim() == 0 ? other.to(t.device()) : null;
        if (o == null)
            throw new IllegalArgumentException(name + ": tensors are on different devices: " + t.device() + " and " + other.device());
        if (op == BinaryOp.SUB) Elementwise.refuseBoolSubtraction(name, t, o);
        DType result = Elementwise.resultType(t, o);
        if (op == BinaryOp.DIV && !result.isFloatingPoint()) result = Ember.defaultDType(); // true division
        checkCast(name, result, t);
        if (result == t.dtype()) {
            t.backend().binary(op, t.strided(), Elementwise.expanded(o.to(result), shape), t.strided());
        } else {
            // Computed in the result type, then rounded once into t (float32 += float64 computes in float64, as PyTorch).
            Tensor r = Tensor.empty(t.backend(), result, shape);
            Tensor a = Conversions.toDTypeRaw(t, result);
            t.backend().binary(op, a.strided(), Elementwise.expanded(o.to(result), shape), r.strided());
            t.backend().copy(r.strided(), t.strided());
        }
        t.storage.bumpVersion();
        return t;
    }

    /**
     * Clamps {@code t} in place to {@code [min, max]}. Integer bounds ({@code integerBounds}) keep an integer tensor's
     * dtype; floating-point bounds make the result type floating point, which an integer tensor refuses.
     */
    static Tensor clamp(Tensor t, double min, double max, boolean integerBounds) {
        check("clampInPlace", t);
        DType result = integerBounds ? (t.dtype() == DType.BOOL ? DType.INT64 : t.dtype())
                : t.dtype().isFloatingPoint() ? t.dtype() : Ember.defaultDType();
        checkCast("clampInPlace", result, t);
        t.backend().unary(UnaryOp.CLAMP, t.strided(), t.strided(), min, max);
        t.storage.bumpVersion();
        return t;
    }

    /**
     * Refuses a fill value that {@code dtype} cannot hold, as PyTorch does: NaN, an infinity or an out-of-range
     * value for an integer type, a finite value beyond the type's largest finite one for FLOAT32, FLOAT16 (65504) and
     * BFLOAT16. BOOL takes any value
     * (non-zero is true); a float value for an integer type is truncated, as in PyTorch.
     */
    static void checkFillValue(String op, DType dtype, double value) {
        boolean fits = switch (dtype) {
            case BOOL, FLOAT64 -> true;
            case INT32 -> value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE; // false for NaN
            case INT64 -> value >= -0x1p63 && value < 0x1p63;
            case FLOAT32 -> !(Math.abs(value) > Float.MAX_VALUE) || Double.isInfinite(value);
            case FLOAT16 -> !(Math.abs(value) > HalfConversions.FLOAT16_MAX) || Double.isInfinite(value);
            case BFLOAT16 -> !(Math.abs(value) > HalfConversions.BFLOAT16_MAX) || Double.isInfinite(value);
        };
        if (!fits) throw new IllegalArgumentException(op + ": value " + value + " cannot be converted to " + dtype + " without overflow");
    }

    static Tensor copy(Tensor t, Tensor src) {
        check("copyFrom", t);
        long[] shape = Shapes.broadcast("copyFrom", t.shape, src.shape);
        if (!java.util.Arrays.equals(shape, t.shape))
            throw new IllegalArgumentException("copyFrom: source of shape " + Shapes.str(src.shape)
                    + " does not broadcast to the destination's shape " + Shapes.str(t.shape));
        Tensor s = src.device().equals(t.device()) ? src : src.to(t.device());
        t.backend().copy(Elementwise.expanded(s, shape), t.strided());
        t.storage.bumpVersion();
        return t;
    }

    static Tensor fill(Tensor t, double value) { return fill("fillInPlace", t, value); }

    /** {@link #fill} whose errors name {@code op} (zeroInPlace). */
    static Tensor fill(String op, Tensor t, double value) {
        check(op, t);
        checkFillValue(op, t.dtype(), value);
        t.backend().fill(t.strided(), value);
        t.storage.bumpVersion();
        return t;
    }

    static Tensor random(Tensor t, Philox.Distribution dist, double a, double b) {
        String op = dist == Philox.Distribution.UNIFORM ? "uniformInPlace" : "normalInPlace";
        check(op, t);
        if (!t.dtype().isFloatingPoint()) throw new IllegalArgumentException(op + ": dtype must be floating point, got " + t.dtype());
        Tensor r = Creation.random(dist, a, b, t.dtype(), t.device(), t.shapeLong());
        t.backend().copy(r.strided(), t.strided());
        t.storage.bumpVersion();
        return t;
    }
}
