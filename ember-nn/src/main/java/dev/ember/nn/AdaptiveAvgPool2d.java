package dev.ember.nn;

import dev.ember.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Average pooling to a fixed output size: {@code [n, c, h, w] -> [n, c, outH, outW]}. Cell
 * {@code (i, j)} averages rows {@code floor(i*h/outH) .. ceil((i+1)*h/outH)} and likewise for
 * columns, as PyTorch. When the size divides evenly it is one ordinary average pool. An output size of
 * 0 gives an empty result, as in PyTorch; the input's height and width must be non-zero.
 */
public final class AdaptiveAvgPool2d extends Module {
    private final int outH, outW;

    /** A {@code AdaptiveAvgPool2d} with the given {@code outH}, {@code outW}. */
    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH < 0 || outW < 0)
            throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be >= 0, got " + outH + "x" + outW);
        this.outH = outH;
        this.outW = outW;
    }

    /** A {@code AdaptiveAvgPool2d} with the given {@code size}. */
    public AdaptiveAvgPool2d(int size) { this(size, size); }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4) throw new IllegalArgumentException("AdaptiveAvgPool2d: expected [n, c, h, w], got " + java.util.Arrays.toString(x.shape()));
        long n = x.size(0), c = x.size(1);
        int h = (int) x.size(2), w = (int) x.size(3);
        if (h == 0 || w == 0)
            throw new IllegalArgumentException("AdaptiveAvgPool2d: expected an input with non-zero height and width, got "
                    + java.util.Arrays.toString(x.shape()));
        // Checked (in long) before the loop below builds outH * outW cells.
        if (n * c > Integer.MAX_VALUE || (long) outH * outW > Integer.MAX_VALUE / Math.max(1, n * c))
            throw new IllegalArgumentException("AdaptiveAvgPool2d: the output [" + n + ", " + c + ", " + outH + ", " + outW
                    + "] would have more than 2^31 - 1 elements");
        if (outH == 0 || outW == 0 || n * c == 0) return Tensor.zeros(x.dtype(), n, c, outH, outW).to(x.device());
        if (h % outH == 0 && w % outW == 0) {
            int kh = h / outH, kw = w / outW;
            return x.avgPool2d(new int[]{kh, kw}, new int[]{kh, kw}, new int[]{0, 0});
        }
        // Uneven windows overlap or differ in size: average each one (small outputs only in practice).
        List<Tensor> rows = new ArrayList<>(outH);
        for (int i = 0; i < outH; i++) {
            // In long: i * h passes 2^31 - 1 for large inputs and outputs.
            int r0 = (int) Math.floorDiv((long) i * h, outH), r1 = (int) -Math.floorDiv(-(i + 1L) * h, outH);
            List<Tensor> cells = new ArrayList<>(outW);
            for (int j = 0; j < outW; j++) {
                int c0 = (int) Math.floorDiv((long) j * w, outW), c1 = (int) -Math.floorDiv(-(j + 1L) * w, outW);
                cells.add(x.narrow(2, r0, r1 - r0).narrow(3, c0, c1 - c0).mean(new int[]{2, 3}, false));
            }
            rows.add(Tensor.stack(cells, 2));
        }
        return Tensor.stack(rows, 2);
    }
}
