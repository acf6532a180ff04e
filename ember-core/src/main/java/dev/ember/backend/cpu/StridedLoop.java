package dev.ember.backend.cpu;

/**
 * Walks several strided operands of one shape in lock-step, row by row.
 * Dimensions are first coalesced (adjacent dims that are contiguous with each other in
 * every operand merge, size-1 dims drop), so a contiguous tensor is one long row and a
 * kernel's inner loop sees the longest possible run with fixed strides.
 */
final class StridedLoop {
    /** Receives one row: the start offset of each operand and the row length; strides are {@link #innerStrides}. */
    @FunctionalInterface
    interface Row {
        void run(int[] offsets, int n);
    }

    /** Elements below which a loop runs on the calling thread: a fork/join costs about as much as this much streaming work. */
    static final int PARALLEL_GRAIN = 1 << 15;

    final int[] outerShape;
    final int[][] outerStrides; // [operand][dim]
    final int inner;
    final int[] innerStrides; // [operand]
    final int[] baseOffsets;

    private StridedLoop(int[] outerShape, int[][] outerStrides, int inner, int[] innerStrides, int[] baseOffsets) {
        this.outerShape = outerShape;
        this.outerStrides = outerStrides;
        this.inner = inner;
        this.innerStrides = innerStrides;
        this.baseOffsets = baseOffsets;
    }

    static StridedLoop of(int[] shape, int[][] strides, int[] offsets) {
        long[][] st = new long[strides.length][];
        long[] off = new long[offsets.length];
        for (int o = 0; o < strides.length; o++) {
            st[o] = widen(strides[o]);
            off[o] = offsets[o];
        }
        return of(widen(shape), st, off);
    }

    /**
     * The loop from views' 64-bit sizes, strides and offsets (no {@code int[]} copies of them are made). The caller has
     * checked that every view fits 32-bit indexing ({@link dev.ember.backend.Strided#fits32}), so each value fits an int.
     */
    static StridedLoop of(long[] shape, long[][] strides, long[] offsets) {
        int k = strides.length;
        int[] cs = new int[shape.length];
        int[][] cst = new int[k][shape.length];
        int nd = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            if (nd > 0) {
                boolean merge = true;
                for (int o = 0; o < k && merge; o++) merge = strides[o][d] == (long) cst[o][nd - 1] * cs[nd - 1];
                if (merge) {
                    cs[nd - 1] *= (int) shape[d];
                    continue;
                }
            }
            cs[nd] = (int) shape[d];
            for (int o = 0; o < k; o++) cst[o][nd] = (int) strides[o][d];
            nd++;
        }
        int[] base = new int[k];
        for (int o = 0; o < k; o++) base[o] = (int) offsets[o];
        for (long d : shape) if (d == 0) nd = -1;
        if (nd == -1) return new StridedLoop(new int[0], new int[k][0], 0, new int[k], base);
        int inner = nd == 0 ? 1 : cs[0];
        int[] innerStrides = new int[k];
        for (int o = 0; o < k; o++) innerStrides[o] = nd == 0 ? 0 : cst[o][0];
        int outer = Math.max(0, nd - 1);
        int[] os = new int[outer];
        int[][] ost = new int[k][outer];
        for (int i = 0; i < outer; i++) {
            os[i] = cs[nd - 1 - i];
            for (int o = 0; o < k; o++) ost[o][i] = cst[o][nd - 1 - i];
        }
        return new StridedLoop(os, ost, inner, innerStrides, base);
    }

    private static long[] widen(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }

    int rows() {
        int r = 1;
        for (int s : outerShape) r *= s;
        return r;
    }

    long numel() { return (long) rows() * inner; }

    /** Runs {@code body} over every row, in parallel when there is enough work. */
    void run(boolean allowParallel, Row body) { run(allowParallel, 1, body); }

    /**
     * {@link #run(boolean, Row)} where each element costs {@code work} elements' worth (a reduction's element is a whole
     * row of its input), so the parallel split counts work, not elements.
     */
    void run(boolean allowParallel, int work, Row body) {
        int rows = rows(), w = Math.max(1, work);
        if (inner == 0 || rows == 0) return;
        long total = (long) rows * inner * w;
        if (!allowParallel || total < PARALLEL_GRAIN) {
            runRows(0, rows, 0, inner, body);
        } else if (rows >= Parallel.threads()) {
            int grain = (int) Math.max(1, PARALLEL_GRAIN / ((long) Math.max(1, inner) * w));
            Parallel.forRange(rows, grain, (r0, r1) -> runRows(r0, r1, 0, inner, body));
        } else {
            // Few long rows: split each row instead, in chunks that keep SIMD loops aligned to 64 elements
            // (elements that are whole rows of work need no alignment).
            for (int r = 0; r < rows; r++) {
                int row = r;
                Parallel.forRange(inner, Math.max(1, PARALLEL_GRAIN / w), w > 1 ? 1 : 64, (i0, i1) -> runRows(row, row + 1, i0, i1, body));
            }
        }
    }

    private void runRows(int r0, int r1, int i0, int i1, Row body) {
        int k = baseOffsets.length, nd = outerShape.length;
        int[] idx = new int[nd];
        int[] off = baseOffsets.clone();
        int rem = r0;
        for (int d = nd - 1; d >= 0; d--) {
            idx[d] = rem % outerShape[d];
            rem /= outerShape[d];
            for (int o = 0; o < k; o++) off[o] += idx[d] * outerStrides[o][d];
        }
        int[] rowOff = new int[k];
        for (int r = r0; r < r1; r++) {
            for (int o = 0; o < k; o++) rowOff[o] = off[o] + i0 * innerStrides[o];
            body.run(rowOff, i1 - i0);
            for (int d = nd - 1; d >= 0; d--) {
                idx[d]++;
                for (int o = 0; o < k; o++) off[o] += outerStrides[o][d];
                if (idx[d] < outerShape[d]) break;
                for (int o = 0; o < k; o++) off[o] -= outerStrides[o][d] * outerShape[d];
                idx[d] = 0;
            }
        }
    }
}
