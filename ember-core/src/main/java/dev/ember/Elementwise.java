package dev.ember;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.FusedGeluBackward;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import java.util.Locale;

/**
 * Elementwise ops with broadcasting and type promotion, each with its gradient
 * formula beside it. Formulas are written with Tensor ops, so every backend gets
 * them, and {@link #sumTo} folds a broadcast gradient back to an input's shape.
 */
final class Elementwise {
    private Elementwise() {}

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    /** The unary ops of PyTorch's autocast float32 list: their results leave 16-bit range or precision. */
    private static final java.util.Set<UnaryOp> AUTOCAST_FLOAT32 = java.util.EnumSet.of(UnaryOp.EXP, UnaryOp.EXPM1, UnaryOp.LOG,
            UnaryOp.LOG1P, UnaryOp.RSQRT, UnaryOp.RECIPROCAL, UnaryOp.POW_SCALAR, UnaryOp.SOFTPLUS);

    static Tensor unary(UnaryOp op, Tensor x, double a, double b) {
        String name = op.name().toLowerCase(Locale.ROOT);
        if (AUTOCAST_FLOAT32.contains(op)) x = Autocast.float32(x);
        if (x.dtype() == DType.BOOL && op == UnaryOp.NEG)
            throw new IllegalArgumentException("neg: negation of a BOOL tensor is not supported; use logicalNot() to invert a mask");
        if (x.dtype() == DType.BOOL && op == UnaryOp.SIGN) return x.clone(); // PyTorch: sign of BOOL is BOOL, unchanged
        if (x.dtype() == DType.BOOL && op != UnaryOp.CLAMP)
            x = x.to(DType.INT64);
        if (!x.dtype().isFloatingPoint() && !op.keepsIntegerDtype()) x = x.to(Ember.defaultDType()); // the op table's integer forms
        Tensor out = unaryRaw(op, x, x.dtype(), a, b);
        Tensor in = x;
        return Tensor.recordSaving(name, out, new Tensor[]{in, out}, (g, needs) -> new Tensor[]{unaryGrad(op, in, out, g, a, b)}, x);
    }

    /** GELU's gradient by the backend's one-pass kernel, when it has one for these operands (the composed formula's bits); null otherwise. */
    private static Tensor fusedGeluGrad(Tensor x, Tensor y, Tensor g) {
        if (g.dtype() != x.dtype() || !java.util.Arrays.equals(g.shape, x.shape) || !g.device().equals(x.device())) return null;
        var kernel = Ember.fused(x.backend(), FusedGeluBackward.class);
        if (kernel.isEmpty()) return null;
        Tensor out = Tensor.uninitialized(x.backend(), x.dtype(), x.shape);
        if (kernel.get().geluBackward(g.strided(), x.strided(), y.strided(), out.strided())) return out;
        out.close();
        return null;
    }

    /** d(op(x))/dx times g, from the input and (where cheaper) the output. */
    private static Tensor unaryGrad(UnaryOp op, Tensor x, Tensor y, Tensor g, double a, double b) {
        return switch (op) {
            case NEG -> g.neg();
            case ABS -> g.mul(x.sign());
            case EXP -> g.mul(y);
            case LOG -> g.div(x);
            case LOG1P -> g.div(x.add(1.0));
            case EXPM1 -> g.mul(y.add(1.0));
            case SQRT -> g.div(y.mul(2.0));
            case RSQRT -> g.mul(y.pow(3.0)).mul(-0.5);
            case RECIPROCAL -> g.mul(y.square()).neg();
            case SQUARE -> g.mul(x).mul(2.0);
            case SIN -> g.mul(x.cos());
            case COS -> g.mul(x.sin()).neg();
            case TANH -> g.mul(y.square().rsub(1.0));
            case TAN -> g.mul(y.square().add(1.0));
            case SIGMOID -> g.mul(y).mul(y.rsub(1.0));
            case SILU -> {
                // d/dx [x s(x)] = s(x) (1 + x (1 - s(x))), s the sigmoid
                Tensor s = x.sigmoid();
                yield g.mul(s.mul(x.mul(s.rsub(1.0)).add(1.0)));
            }
            case RELU -> Tensor.where(x.gt(0.0), g, scalarLike(g, 0.0, true).to(g.dtype())); // one pass, no mask conversion
            case LEAKY_RELU -> g.mul(Tensor.where(x.gt(0.0), Tensor.onesLike(x), Tensor.fullLike(x, a)));
            case GELU -> {
                Tensor fused = fusedGeluGrad(x, y, g);
                if (fused != null) yield fused;
                // d/dx [x * Phi(x)] = Phi(x) + x * phi(x). Phi is recovered from the output as y / x (no cancellation: the
                // forward's relative error carries over) rather than from a second erf, which has no SIMD kernel on the
                // CPU and cost 10x the rest. Near 0 (0 and subnormals, where y / x is 0 / 0 or lost its bits) Phi is 1/2.
                Tensor cdf = y.div(x).maskedFill(x.abs().lt(1e-30), 0.5);
                Tensor xPdf = x.mul(x.square().mul(-0.5).exp()).mul(1.0 / Math.sqrt(2 * Math.PI));
                yield g.mul(cdf.add(xPdf));
            }
            case ERF -> g.mul(x.square().neg().exp().mul(2.0 / Math.sqrt(Math.PI)));
            case SOFTPLUS -> g.mul(x.sigmoid());
            case POW_SCALAR -> a == 0 ? Tensor.zerosLike(g) : g.mul(x.pow(a - 1)).mul(a);
            case CLAMP -> g.mul(x.ge(a).logicalAnd(x.le(b)).to(g.dtype()));
            case SIGN, FLOOR, CEIL, ROUND -> Tensor.zerosLike(g);
            case NOT, ISNAN -> throw new IllegalStateException(op + " has no gradient");
        };
    }

    static Tensor unaryRaw(UnaryOp op, Tensor x, DType outType) { return unaryRaw(op, x, outType, 0, 0); }

    static Tensor unaryRaw(UnaryOp op, Tensor x, DType outType, double a, double b) {
        Tensor out = Tensor.uninitialized(x.backend(), outType, x.shape);
        x.backend().unary(op, x.strided(), out.strided(), a, b);
        return out;
    }

    static Tensor binary(BinaryOp op, Tensor x, Tensor y) {
        if (op.producesBool()) return binaryRaw(op, x, y);
        if (op == BinaryOp.SUB) refuseBoolSubtraction("sub", x, y);
        if (op == BinaryOp.POW) { // on autocast's float32 list
            x = Autocast.float32(x);
            y = Autocast.float32(y);
        }
        Tensor[] xy = prepare(name(op), op, x, y, true);
        Tensor a = xy[0], b = xy[1];
        long[] shape = Shapes.broadcast(name(op), a.shape, b.shape);
        Tensor out = Tensor.uninitialized(a.backend(), a.dtype(), shape);
        a.backend().binary(op, expanded(a, shape), expanded(b, shape), out.strided());
        if (!out.dtype().isFloatingPoint()) return out;
        Tensor[] saved = op == BinaryOp.ADD || op == BinaryOp.SUB ? new Tensor[0] : new Tensor[]{a, b, out};
        return Tensor.recordSaving(name(op), out, saved, (g, needs) -> {
            Tensor[] r = binaryGrad(op, a, b, out, g, needs);
            if (r[0] != null) r[0] = sumTo(r[0], a.shape);
            if (r[1] != null) r[1] = sumTo(r[1], b.shape);
            return r;
        }, a, b);
    }

    private static Tensor[] binaryGrad(BinaryOp op, Tensor a, Tensor b, Tensor out, Tensor g, boolean[] needs) {
        return switch (op) {
            case ADD -> new Tensor[]{g, g};
            case SUB -> new Tensor[]{g, needs[1] ? g.neg() : null};
            case MUL -> new Tensor[]{needs[0] ? g.mul(b) : null, needs[1] ? g.mul(a) : null};
            case DIV -> new Tensor[]{needs[0] ? g.div(b) : null, needs[1] ? g.mul(out).div(b).neg() : null};
            case POW -> new Tensor[]{
                    needs[0] ? g.mul(b).mul(a.pow(b.sub(1.0))) : null,
                    // d/db a^b = a^b log a; defined as 0 where a == 0 (as PyTorch masks it)
                    needs[1] ? g.mul(out).mul(a.log()).maskedFill(a.eq(0.0), 0) : null};
            case MAX, MIN -> {
                // The gradient goes to the selected input, split evenly on ties (PyTorch's rule).
                Tensor aWins = op == BinaryOp.MAX ? a.gt(b) : a.lt(b);
                Tensor tie = a.eq(b);
                Tensor half = g.mul(0.5);
                Tensor ga = Tensor.where(tie, half, Tensor.where(aWins, g, Tensor.zerosLike(g)));
                Tensor gb = Tensor.where(tie, half, Tensor.where(aWins, Tensor.zerosLike(g), g));
                yield new Tensor[]{ga, gb};
            }
            case REMAINDER -> new Tensor[]{g, needs[1] ? g.mul(a.div(b).floor()).neg() : null};
            case ATAN2 -> {
                Tensor denom = a.square().add(b.square());
                yield new Tensor[]{needs[0] ? g.mul(b).div(denom) : null, needs[1] ? g.mul(a).div(denom).neg() : null};
            }
            default -> throw new IllegalStateException(op + " has no gradient");
        };
    }

    /** PyTorch refuses any subtraction with a BOOL operand (a mask is inverted with logical_not, two compared with xor). */
    static void refuseBoolSubtraction(String name, Tensor x, Tensor y) {
        if (x.dtype() == DType.BOOL || y.dtype() == DType.BOOL)
            throw new IllegalArgumentException(name + ": subtraction with a BOOL tensor is not supported (" + x.dtype() + " - " + y.dtype()
                    + "); use logicalXor() or logicalNot() instead");
    }

    /** A non-differentiable binary op (comparisons, logic, integer division). */
    static Tensor binaryRaw(BinaryOp op, Tensor x, Tensor y) {
        Tensor[] xy = prepare(name(op), op, x, y, true);
        Tensor a = xy[0], b = xy[1];
        long[] shape = Shapes.broadcast(name(op), a.shape, b.shape);
        Tensor out = Tensor.uninitialized(a.backend(), op.producesBool() ? DType.BOOL : a.dtype(), shape);
        a.backend().binary(op, expanded(a, shape), expanded(b, shape), out.strided());
        return out;
    }

    /** Checks devices, then converts both operands to the result type of PyTorch's promotion. */
    /** Integer division rounding toward negative infinity, in the integer dtype. */
    static Tensor floorDivideIntegers(Tensor x, Tensor y) {
        Tensor[] xy = prepare("floorDivide", BinaryOp.DIV, x, y, false);
        long[] shape = Shapes.broadcast("floorDivide", xy[0].shape, xy[1].shape);
        Tensor out = Tensor.uninitialized(xy[0].backend(), xy[0].dtype(), shape);
        xy[0].backend().binary(BinaryOp.DIV, expanded(xy[0], shape), expanded(xy[1], shape), out.strided());
        return out;
    }

    /** Both operands on one device in their result dtype; errors name {@code name}, the op the caller called. */
    private static Tensor[] prepare(String name, BinaryOp op, Tensor x, Tensor y, boolean trueDivision) {
        if (!x.device().equals(y.device())) {
            // A CPU 0-d tensor combines with a tensor on any device, as in PyTorch.
            if (y.dim() == 0 && y.device().isCpu()) y = y.to(x.device());
            else if (x.dim() == 0 && x.device().isCpu()) x = x.to(y.device());
            else throw new IllegalArgumentException(name + ": tensors are on different devices: " + x.device() + " "
                        + Shapes.str(x.shape) + " and " + y.device() + " " + Shapes.str(y.shape));
        }
        DType t = resultType(x, y);
        if (op == BinaryOp.DIV && trueDivision && !t.isFloatingPoint()) t = Ember.defaultDType();
        // an op without an integer form (atan2) computes integers in the default float dtype, as PyTorch and unary ops do
        if (!op.definedOnIntegers() && !t.isFloatingPoint()) t = Ember.defaultDType();
        if ((op == BinaryOp.AND || op == BinaryOp.OR || op == BinaryOp.XOR)) t = DType.BOOL;
        return new Tensor[]{x.to(t), y.to(t)};
    }

    /** PyTorch's result type: dimensioned tensors win over 0-d ones of the same category (integral or float). */
    static DType resultType(Tensor x, Tensor y) {
        boolean xs = x.dim() == 0, ys = y.dim() == 0;
        if (xs != ys) {
            Tensor dimensioned = xs ? y : x, zeroDim = xs ? x : y;
            boolean sameCategory = dimensioned.dtype().isFloatingPoint() == zeroDim.dtype().isFloatingPoint()
                    && (dimensioned.dtype() != DType.BOOL || zeroDim.dtype() == DType.BOOL);
            if (sameCategory) return dimensioned.dtype();
            return DType.promote(zeroDim.dtype(), dimensioned.dtype()); // categories differ: the higher one wins
        }
        return DType.promote(x.dtype(), y.dtype());
    }

    /**
     * A 0-d tensor for a Java scalar operand, on x's device. A {@code double} keeps a float tensor's dtype
     * and makes an integer tensor's result the default float; a {@code long} keeps x's dtype.
     */
    static Tensor scalarLike(Tensor x, double s, boolean isFloat) {
        DType t;
        if (isFloat) t = x.dtype().isFloatingPoint() ? x.dtype() : Ember.defaultDType();
        else t = x.dtype() == DType.BOOL ? DType.INT64 : x.dtype();
        return Creation.full(s, t, x.device());
    }

    static Tensor where(Tensor cond, Tensor x, Tensor y) {
        if (cond.dtype() != DType.BOOL)
            throw new IllegalArgumentException("where: condition must be BOOL, got " + cond.dtype() + " " + Shapes.str(cond.shape));
        Tensor[] xy = prepare("where", BinaryOp.ADD, x, y, true);
        Tensor a = xy[0], b = xy[1];
        if (!cond.device().equals(a.device())) cond = cond.to(a.device());
        long[] shape = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape, a.shape), b.shape);
        Tensor out = Tensor.uninitialized(a.backend(), a.dtype(), shape);
        Tensor c = cond;
        a.backend().where(expanded(c, shape), expanded(a, shape), expanded(b, shape), out.strided());
        if (!out.dtype().isFloatingPoint()) return out;
        return Tensor.recordSaving("where", out, new Tensor[]{c}, (g, needs) -> {
            Tensor zero = Tensor.zerosLike(g);
            return new Tensor[]{null,
                    needs[1] ? sumTo(Tensor.where(c, g, zero), a.shape) : null,
                    needs[2] ? sumTo(Tensor.where(c, zero, g), b.shape) : null};
        }, null, a, b);
    }

    static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        if (mask.dtype() != DType.BOOL)
            throw new IllegalArgumentException("maskedFill: mask must be BOOL, got " + mask.dtype());
        InPlace.checkFillValue("maskedFill", x.dtype(), value);
        long[] shape = Shapes.broadcast("maskedFill", x.shape, mask.shape);
        if (!java.util.Arrays.equals(shape, x.shape))
            throw new IllegalArgumentException("maskedFill: mask of shape " + Shapes.str(mask.shape)
                    + " does not broadcast to the tensor's shape " + Shapes.str(x.shape));
        // A BOOL tensor takes any non-zero value (NaN included) as true, as PyTorch; an integer one truncates.
        double v = x.dtype() == DType.BOOL ? (value != 0 ? 1 : 0) : value;
        return Tensor.where(mask, scalarLike(x, v, x.dtype().isFloatingPoint()).to(x.dtype()), x);
    }

    /** The view of {@code t} broadcast to {@code shape}, for kernels (zero strides, no copy). */
    static Strided expanded(Tensor t, long[] shape) {
        if (java.util.Arrays.equals(t.shape, shape)) return t.strided();
        int lead = shape.length - t.shape.length;
        long[] st = new long[shape.length];
        for (int i = 0; i < t.shape.length; i++) st[lead + i] = t.shape[i] == 1 ? 0 : t.strides[i];
        return new Strided(t.liveStorage(), shape, st, t.offset);
    }

    /** Sums a broadcast gradient back to {@code shape}. */
    static Tensor sumTo(Tensor g, long[] shape) {
        if (java.util.Arrays.equals(g.shape, shape)) return g;
        int lead = g.dim() - shape.length;
        java.util.List<Integer> dims = new java.util.ArrayList<>();
        for (int i = 0; i < g.dim(); i++) {
            if (i < lead || (shape[i - lead] == 1 && g.shape[i] != 1)) dims.add(i);
        }
        if (dims.isEmpty()) return g.reshape((shape));
        Tensor r = g.sum(dims.stream().mapToInt(Integer::intValue).toArray(), true);
        return Tensor.ownView(r, r.reshape((shape)));
    }

    /** The name of the {@code Tensor} method that runs {@code op}, for errors and the graph ({@code maximum}, not {@code max}). */
    static String name(BinaryOp op) {
        return switch (op) {
            case MAX -> "maximum";
            case MIN -> "minimum";
            case AND -> "logicalAnd";
            case OR -> "logicalOr";
            case XOR -> "logicalXor";
            default -> op.name().toLowerCase(Locale.ROOT);
        };
    }
}
