package dev.ember;

import java.util.Locale;

/**
 * PyTorch-style printing: {@code tensor([[1.0000, 2.5000], [3.0000, 4.0000]])}.
 * Floats use 4 decimals (scientific notation when magnitudes call for it); more
 * than 1000 elements are summarised with the first and last 3 entries of each dim.
 */
final class TensorFormat {
    private TensorFormat() {}

    private static final int THRESHOLD = 1000, EDGE = 3;

    static String format(Tensor t) {
        // Printing describes a closed tensor instead of throwing, so logging one in an error handler is safe.
        if (t.isClosed()) return "tensor(<closed>, size=" + Shapes.str(t.shape) + ", dtype=" + t.dtype() + ", device=" + t.device() + ")";
        long[] shape = t.shape;
        boolean summarize = t.numel() > THRESHOLD;
        // Summarised, only the first and last EDGE entries of each dim are read (a tensor past 2^31 elements prints too).
        Tensor shown = summarize ? edges(t) : t;
        double[] v = shown.toDoubleArray();
        long[] kept = shown.shape;
        boolean fp = t.dtype().isFloatingPoint();
        boolean sci = false;
        boolean allInt = true;
        double maxAbs = 0, minAbs = Double.MAX_VALUE;
        for (double d : v) {
            if (!Double.isFinite(d)) continue;
            maxAbs = Math.max(maxAbs, Math.abs(d));
            if (d != 0) minAbs = Math.min(minAbs, Math.abs(d));
            allInt &= d == Math.rint(d);
        }
        if (fp && (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs != Double.MAX_VALUE) || (minAbs != Double.MAX_VALUE && maxAbs / minAbs > 1000 && !allInt)))
            sci = maxAbs != 0;
        final boolean sciF = sci, intF = allInt;
        java.util.function.DoubleFunction<String> fmt = d -> {
            if (t.dtype() == DType.BOOL) return d != 0 ? "True" : "False";
            if (!fp) return Long.toString((long) d);
            if (Double.isNaN(d)) return "nan";
            if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
            if (sciF) return String.format(Locale.ROOT, "%.4e", d);
            if (intF) return String.format(Locale.ROOT, "%.0f.", d);
            return String.format(Locale.ROOT, "%.4f", d);
        };
        int width = 0;
        for (double d : v) width = Math.max(width, fmt.apply(d).length());
        StringBuilder sb = new StringBuilder("tensor(");
        if (shape.length == 0) {
            sb.append(fmt.apply(v[0]));
        } else {
            append(sb, v, shape, kept, 0, 0, width, fmt, summarize, "tensor(".length());
        }
        if (t.dtype() != Ember.defaultDType() && t.dtype() != DType.INT64 && t.dtype() != DType.BOOL)
            sb.append(", dtype=").append(t.dtype().torchName());
        if (v.length == 0 && t.dtype() != Ember.defaultDType() && (t.dtype() == DType.INT64 || t.dtype() == DType.BOOL))
            sb.append(", dtype=").append(t.dtype().torchName());
        if (!t.device().isCpu()) sb.append(", device='").append(t.device()).append("'");
        if (t.gradFn() != null) sb.append(", grad_fn=<").append(t.gradFn()).append(">");
        else if (t.requiresGrad()) sb.append(", requires_grad=True");
        return sb.append(")").toString();
    }

    /** {@code t} with each dim longer than 2 * EDGE cut to its first and last EDGE entries. */
    private static Tensor edges(Tensor t) {
        try (var ignored = Ember.noGrad()) {
            for (int d = 0; d < t.dim(); d++) {
                long n = t.shape[d];
                if (n > 2 * EDGE) t = Tensor.cat(d, t.narrow(d, 0, EDGE), t.narrow(d, n - EDGE, EDGE));
            }
            return t;
        }
    }

    /** Prints dim {@code dim} of a tensor of {@code shape} from {@code v}, the values of its {@link #edges} (of shape {@code kept}). */
    private static void append(StringBuilder sb, double[] v, long[] shape, long[] kept, int dim, int base, int width,
                               java.util.function.DoubleFunction<String> fmt, boolean summarize, int indent) {
        long n = shape[dim];
        int stride = 1; // in v, whose sizes are at most 2 * EDGE per summarised dim
        for (int d = dim + 1; d < kept.length; d++) stride *= (int) kept[d];
        sb.append('[');
        for (long i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) {
                sb.append(dim == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + dim + 1));
                i = n - EDGE - 1;
                continue;
            }
            int at = (int) (n > 2 * EDGE && summarize && i >= EDGE ? i - (n - 2 * EDGE) : i); // the entry's index in kept
            if (dim == shape.length - 1) {
                String s = fmt.apply(v[base + at]);
                sb.append(" ".repeat(width - s.length())).append(s);
            } else {
                append(sb, v, shape, kept, dim + 1, base + at * stride, width, fmt, summarize, indent);
            }
            if (i < n - 1) {
                sb.append(',');
                if (dim == shape.length - 1) sb.append(' ');
                else sb.append("\n".repeat(shape.length - dim - 1)).append(" ".repeat(indent + dim + 1));
            }
        }
        sb.append(']');
    }
}
