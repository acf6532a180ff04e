package dev.ember.backend.cpu;

import dev.ember.DType;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.HalfConversions;
import dev.ember.backend.HalfScratch;
import dev.ember.backend.KernelError;
import dev.ember.backend.Philox;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The CPU's 64-bit path, PyTorch's split of an op into parts that 32-bit index math can run: for views that
 * {@linkplain Strided#fits32() do not fit 32-bit indexing} (an operand with more than 2^31 - 1 elements, or a view
 * into a {@link SegmentStorage}), the output's index space is walked in chunks of {@link #chunk} elements in row-major
 * order; each chunk's operand elements are copied into contiguous heap scratch arrays (64-bit offsets, bulk copies
 * along unit-stride runs), the ordinary kernel runs on the scratch, and the results are copied out. Every element
 * therefore gets exactly the arithmetic of the 32-bit path; reductions whose rows are longer than a chunk reduce
 * each piece and then the pieces' results, in order.
 *
 * <p>Covered in chunks: copy (with dtype conversion), fill, unary, binary, where, reduce, random, gather and
 * scatter-add (element by element, 64-bit offsets), which is what creating, converting, comparing, masking, reducing
 * (with indices), indexing and reading back a large tensor needs. Matrix products, convolution, pooling and the fused
 * optimisers have no chunked form: their operands are {@linkplain Staged staged} whole into heap scratch, which works
 * whenever each operand has at most 2^31 - 9 elements (a slice of a large tensor); a larger one gets
 * {@link #unsupported}.
 */
final class Indexing64 {
    private Indexing64() {}

    /** Elements per chunk (even, so a random chunk starts on a Philox block); tests lower it to cross many chunk edges. */
    static volatile int chunk = 1 << 20;

    /** True when any operand needs this path: a view that does not fit 32-bit indexing, or one into a segment. */
    static boolean needed(Strided... views) {
        for (Strided v : views) if (v != null && (v.storage() instanceof SegmentStorage || !v.fits32())) return true;
        return false;
    }

    static UnsupportedOperationException unsupported(Strided view) {
        return new UnsupportedOperationException("cpu: this kernel indexes in 32 bits and was given a view of " + view.numel()
                + " elements (shape " + Arrays.toString(view.shape()) + ", offset " + view.offset() + ") of a storage of "
                + view.storage().length() + " elements; past 2^31 - 1 elements the CPU runs copies, fills, elementwise ops, where, "
                + "reductions, random fills, gather and scatter-add. Split the tensor (narrow, split) for the others");
    }

    // ---- ops ---------------------------------------------------------------------------------

    /** True when every operand fits one heap array, so {@link Staged} can run a 32-bit kernel on copies of them. */
    static boolean stageable(Strided... views) {
        for (Strided v : views) if (v != null && v.numel() > SegmentStorage.ARRAY_LIMIT) return false;
        return true;
    }

    /**
     * Heap stand-ins for a 32-bit-only kernel's operands, as {@link HalfScratch} is for 16-bit ones:
     * each operand that needs this path is copied into a contiguous heap array ({@link #in}; outputs with {@link #out},
     * their values copied in only when the kernel reads them), and {@link #writeBack} copies the outputs back.
     */
    static final class Staged implements AutoCloseable {
        private final String op;
        private final List<Storage> scratch = new ArrayList<>(4);
        private final List<Strided[]> pending = new ArrayList<>(2); // {scratch, target}

        Staged(String op) { this.op = op; }

        /** {@code x} itself, or a contiguous heap copy of it when it needs this path. */
        Strided in(Strided x) {
            if (x == null || !needed(x)) return x;
            Strided h = heap(x);
            copy(x, h);
            return h;
        }

        /** A contiguous heap stand-in for output {@code o} (holding its values when {@code read}), written back later. */
        Strided out(Strided o, boolean read) {
            if (o == null || !needed(o)) return o;
            Strided h = heap(o);
            if (read) copy(o, h);
            pending.add(new Strided[]{h, o});
            return h;
        }

        void writeBack() {
            for (Strided[] p : pending) copy(p[0], p[1]);
        }

        private Strided heap(Strided x) {
            long n = x.numel();
            if (n > SegmentStorage.ARRAY_LIMIT)
                throw new UnsupportedOperationException(op + ": an operand of " + n + " elements (shape " + Arrays.toString(x.shape())
                        + ") is past what this 32-bit CPU kernel can stage (2^31 - 9 elements); split it (narrow, split)");
            CpuStorage s = CpuStorage.allocateUninitialized(x.dtype(), (int) n);
            scratch.add(s);
            return Strided.contiguous(s, x.shape());
        }

        @Override
        public void close() { for (Storage s : scratch) s.release(); }
    }

    static void copy(Strided src, Strided dst) {
        forChunks(dst.shape(), 0, (f0, n) -> {
            try (Scratch s = new Scratch(src, dst.shape(), f0, n)) {
                if (src.dtype() == dst.dtype()) {
                    scatter(s.view, dst, f0, n);
                } else {
                    try (Scratch o = new Scratch(dst.dtype(), n)) {
                        CpuBackend.INSTANCE.copy(s.view, o.view);
                        scatter(o.view, dst, f0, n);
                    }
                }
            }
        });
    }

    static void fill(Strided dst, double value) {
        try (Scratch o = new Scratch(dst.dtype(), (int) Math.min(chunk, Math.max(1, dst.numel())))) {
            CpuBackend.INSTANCE.fill(o.view, value);
            forChunks(dst.shape(), 0, (f0, n) -> scatter(o.view, dst, f0, n));
        }
    }

    static void unary(UnaryOp op, Strided x, Strided out, double a, double b) {
        elementwise(out, new Strided[]{x}, (in, o) -> CpuBackend.INSTANCE.unary(op, in[0], o, a, b));
    }

    static void binary(BinaryOp op, Strided x, Strided y, Strided out) {
        elementwise(out, new Strided[]{x, y}, (in, o) -> CpuBackend.INSTANCE.binary(op, in[0], in[1], o));
    }

    static void where(Strided cond, Strided x, Strided y, Strided out) {
        elementwise(out, new Strided[]{cond, x, y}, (in, o) -> CpuBackend.INSTANCE.where(in[0], in[1], in[2], o));
    }

    /** Element {@code i} of a random op depends only on (seed, offset, i): each chunk starts {@code f0 / 2} blocks on. */
    static void random(Strided out, Philox.Distribution dist, long seed, long offset, double a, double b) {
        forChunks(out.shape(), 0, (f0, n) -> {
            try (Scratch o = new Scratch(out.dtype(), n)) {
                CpuBackend.INSTANCE.random(o.view, dist, seed, offset + f0 / 2, a, b);
                scatter(o.view, out, f0, n);
            }
        });
    }

    /** Reduces the last axis of {@code x} ({@code [..., r] -> [...]}) into {@code out}. */
    static void reduce(ReduceOp op, Strided x, Strided out) {
        long[] xs = x.shape();
        long r = xs[xs.length - 1];
        if (r <= chunk) {
            long rowsPerChunk = Math.max(1, chunk / Math.max(1, r));
            forChunks(out.shape(), rowsPerChunk, (o0, rows) -> {
                try (Scratch in = new Scratch(x, xs, o0 * r, Math.toIntExact(rows * r));
                     Scratch o = new Scratch(out.dtype(), rows)) {
                    CpuBackend.INSTANCE.reduce(op, Strided.contiguous(in.view.storage(), rows, (int) r), o.view);
                    scatter(o.view, out, o0, rows);
                }
            });
            return;
        }
        // Rows longer than a chunk: reduce each piece, then the pieces' results (argmax/argmin: their values).
        int pieces = Math.toIntExact((r + chunk - 1) / chunk);
        long outer = out.numel();
        for (long row = 0; row < outer; row++) {
            try (Scratch partial = new Scratch(out.dtype(), pieces);
                 Scratch values = op.isArg() ? new Scratch(x.dtype(), pieces) : null;
                 Scratch result = new Scratch(out.dtype(), 1)) {
                for (int p = 0; p < pieces; p++) {
                    long start = (long) p * chunk;
                    int n = (int) Math.min(chunk, r - start);
                    try (Scratch in = new Scratch(x, xs, row * r + start, n)) {
                        CpuBackend.INSTANCE.reduce(op, Strided.contiguous(in.view.storage(), 1, n),
                                new Strided(partial.view.storage(), new int[]{1}, new int[]{1}, p));
                        if (values != null) { // the piece's extreme value, at its local index
                            int local = (int) ((long[]) CpuBackend.arr(partial.view))[p];
                            System.arraycopy(CpuBackend.arr(in.view), local, CpuBackend.arr(values.view), p, 1);
                        }
                    }
                }
                if (values == null) {
                    CpuBackend.INSTANCE.reduce(op, Strided.contiguous(partial.view.storage(), 1, pieces), result.view);
                } else { // the first piece holding the extreme (pieces in order keep the first occurrence first)
                    CpuBackend.INSTANCE.reduce(op, Strided.contiguous(values.view.storage(), 1, pieces), result.view);
                    long[] res = (long[]) CpuBackend.arr(result.view), part = (long[]) CpuBackend.arr(partial.view);
                    int best = (int) res[0];
                    res[0] = (long) best * chunk + part[best];
                }
                scatter(result.view, out, row, 1);
            }
        }
    }

    /** {@code out[i][j][k] = x[i][index[i][j][k]][k]} for {@code dim = 1}, and likewise for any dim (bits copied unchanged). */
    static void gather(Strided x, int dim, Strided index, Strided out) {
        long size = x.shape()[dim], step = x.strides()[dim];
        Strided rest = alongDim(x, dim); // x's position without the dim the index supplies
        Elements64 xs = new Elements64(x.storage());
        forChunks(out.shape(), 0, (f0, n) -> {
            try (Scratch idx = new Scratch(index, out.shape(), f0, n); Scratch o = new Scratch(out.dtype(), n)) {
                long[] iv = (long[]) CpuBackend.arr(idx.view);
                Elements64 os = new Elements64(o.view.storage());
                walk(rest, out.shape(), f0, n, (pos, offset, stride, len) -> {
                    for (int i = 0; i < len; i++) {
                        long at = iv[pos + i];
                        if (at < 0 || at >= size) throw KernelError.GATHER_INDEX.exception(at, dim, size, "");
                        os.setBits(pos + i, xs.bits(offset + i * stride + at * step));
                    }
                });
                scatter(o.view, out, f0, n);
            }
        });
    }

    /** {@code dst[i][index[i][j][k]][k] += src[i][j][k]} for {@code dim = 1}, in row-major order of index (as the 32-bit kernel). */
    static void scatterAdd(Strided dst, int dim, Strided index, Strided src) {
        if (HalfScratch.isHalf(dst)) { // as the 32-bit path: sums in float32, rounded once
            Storage f = CpuBackend.INSTANCE.allocateUninitialized(DType.FLOAT32, dst.numel());
            try {
                Strided acc = Strided.contiguous(f, dst.shape());
                CpuBackend.INSTANCE.copy(dst, acc);
                scatterAdd(acc, dim, index, src);
                CpuBackend.INSTANCE.copy(acc, dst);
            } finally {
                f.release();
            }
            return;
        }
        long size = dst.shape()[dim], step = dst.strides()[dim];
        Strided rest = alongDim(dst, dim);
        Elements64 ds = new Elements64(dst.storage());
        boolean integral = !dst.dtype().isFloatingPoint();
        forChunks(index.shape(), 0, (f0, n) -> {
            try (Scratch idx = new Scratch(index, index.shape(), f0, n); Scratch sv = new Scratch(src, index.shape(), f0, n)) {
                long[] iv = (long[]) CpuBackend.arr(idx.view);
                Elements64 ss = new Elements64(sv.view.storage());
                walk(rest, index.shape(), f0, n, (pos, offset, stride, len) -> {
                    for (int i = 0; i < len; i++) {
                        long at = iv[pos + i];
                        if (at < 0 || at >= size) throw KernelError.SCATTER_INDEX.exception(at, dim, size, "");
                        long d = offset + i * stride + at * step;
                        if (integral) ds.setLong(d, ds.getLong(d) + ss.getLong(pos + i));
                        else ds.setDouble(d, ds.getDouble(d) + ss.getDouble(pos + i));
                    }
                });
            }
        });
    }

    /** {@code v} with the stride of {@code dim} zeroed: offsets of every position but the one along {@code dim}. */
    private static Strided alongDim(Strided v, int dim) {
        long[] st = v.strides().clone();
        st[dim] = 0;
        return new Strided(v.storage(), v.shape(), st, v.offset());
    }

    /** Element access by 64-bit index to a heap or off-heap storage: raw bits, or values in the dtype's arithmetic. */
    private static final class Elements64 {
        private final MemorySegment seg;
        private final DType dtype;

        Elements64(Storage s) {
            dtype = s.dtype();
            seg = s instanceof SegmentStorage off ? off.segment : heapSegment(((CpuStorage) s).array);
        }

        long bits(long i) {
            return switch (dtype.byteSize()) {
                case 1 -> seg.get(ValueLayout.JAVA_BYTE, i);
                case 2 -> seg.getAtIndex(ValueLayout.JAVA_SHORT, i);
                case 4 -> seg.getAtIndex(ValueLayout.JAVA_INT, i);
                default -> seg.getAtIndex(ValueLayout.JAVA_LONG, i);
            };
        }

        void setBits(long i, long v) {
            switch (dtype.byteSize()) {
                case 1 -> seg.set(ValueLayout.JAVA_BYTE, i, (byte) v);
                case 2 -> seg.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) v);
                case 4 -> seg.setAtIndex(ValueLayout.JAVA_INT, i, (int) v);
                default -> seg.setAtIndex(ValueLayout.JAVA_LONG, i, v);
            }
        }

        long getLong(long i) { return bits(i); } // INT32 sign-extends; BOOL is 0 or 1

        void setLong(long i, long v) { setBits(i, dtype == DType.BOOL ? (v != 0 ? 1 : 0) : v); }

        double getDouble(long i) {
            return switch (dtype) {
                case FLOAT32 -> seg.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                case FLOAT64 -> seg.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
                case FLOAT16, BFLOAT16 -> HalfConversions.toFloat(dtype, seg.getAtIndex(ValueLayout.JAVA_SHORT, i));
                default -> getLong(i);
            };
        }

        /** Stores {@code v} rounded to the dtype (float32 sums round as the 32-bit kernel's float additions do). */
        void setDouble(long i, double v) {
            switch (dtype) {
                case FLOAT32 -> seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
                case FLOAT64 -> seg.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
                case FLOAT16, BFLOAT16 -> seg.setAtIndex(ValueLayout.JAVA_SHORT, i, HalfConversions.fromFloat(dtype, (float) v));
                default -> setLong(i, (long) v);
            }
        }
    }

    /** Runs an elementwise kernel chunk by chunk: operands copied in, {@code kernel} on the scratch, the output copied out. */
    private static void elementwise(Strided out, Strided[] inputs, ChunkKernel kernel) {
        long[] shape = out.shape();
        forChunks(shape, 0, (f0, n) -> {
            Scratch[] in = new Scratch[inputs.length];
            try (Scratch o = new Scratch(out.dtype(), n)) {
                Strided[] views = new Strided[inputs.length];
                for (int i = 0; i < inputs.length; i++) {
                    in[i] = new Scratch(inputs[i], shape, f0, n);
                    views[i] = in[i].view;
                }
                kernel.run(views, o.view);
                scatter(o.view, out, f0, n);
            } finally {
                for (Scratch s : in) if (s != null) s.close();
            }
        });
    }

    @FunctionalInterface
    private interface ChunkKernel {
        void run(Strided[] inputs, Strided out);
    }

    @FunctionalInterface
    private interface Chunk {
        void run(long first, int count);
    }

    /** Calls {@code body} for consecutive ranges of the flat index space of {@code shape}: {@code unit} (or a chunk) at a time. */
    private static void forChunks(long[] shape, long unit, Chunk body) {
        long total = 1;
        for (long s : shape) total *= s;
        long step = unit > 0 ? unit : chunk;
        for (long f0 = 0; f0 < total; f0 += step) body.run(f0, (int) Math.min(step, total - f0));
    }

    // ---- moving elements between any view and a contiguous heap array ------------------------

    /** A contiguous heap array of {@code n} elements from the caching allocator, as a 1-D view; released on close. */
    private static final class Scratch implements AutoCloseable {
        final Strided view;

        Scratch(DType dtype, int n) {
            view = Strided.contiguous(CpuStorage.allocateUninitialized(dtype, n), n);
        }

        /** The elements {@code first .. first + n - 1} (row-major over {@code shape}) of {@code src}, broadcast to {@code shape}. */
        Scratch(Strided src, long[] shape, long first, int n) {
            this(src.dtype(), n);
            gather(src, shape, first, n, view);
        }

        @Override
        public void close() { view.storage().release(); }
    }

    private static void gather(Strided src, long[] shape, long first, int n, Strided dst) {
        Object array = CpuBackend.arr(dst);
        walk(src, shape, first, n, (pos, offset, stride, len) -> transfer(src.storage(), offset, stride, array, pos, len, true));
    }

    private static void scatter(Strided src, Strided dst, long first, int n) {
        Object array = CpuBackend.arr(src);
        walk(dst, dst.shape(), first, n, (pos, offset, stride, len) -> transfer(dst.storage(), offset, stride, array, pos, len, false));
    }

    @FunctionalInterface
    private interface Run {
        /** Elements {@code pos .. pos + len - 1} of the chunk are at {@code offset + i * stride} of the view's storage. */
        void run(int pos, long offset, long stride, int len);
    }

    /** Splits the flat range {@code [first, first + n)} of {@code shape} into runs along the last dim of {@code view}. */
    private static void walk(Strided view, long[] shape, long first, int n, Run run) {
        // Coalesced for this view alone (size-1 dims dropped, dims that step on from each other merged): the
        // row-major order of the flat index is unchanged, and a contiguous view becomes one long run.
        long[] vs = view.strides();
        int lead = shape.length - vs.length; // a view broadcast from the left
        long[] cs = new long[shape.length], cst = new long[shape.length];
        int rank = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            long size = shape[d], st = d < lead ? 0 : vs[d - lead];
            if (size == 1) continue;
            if (rank > 0 && st == cst[rank - 1] * cs[rank - 1]) {
                cs[rank - 1] *= size;
                continue;
            }
            cs[rank] = size;
            cst[rank++] = st;
        }
        if (rank == 0) { // one element, repeated
            run.run(0, view.offset(), 0, n);
            return;
        }
        // cs/cst hold the dims innermost first
        long[] idx = new long[rank];
        long rem = first;
        for (int d = 0; d < rank; d++) {
            idx[d] = rem % cs[d];
            rem /= cs[d];
        }
        int pos = 0;
        while (pos < n) {
            long offset = view.offset();
            for (int d = 0; d < rank; d++) offset += idx[d] * cst[d];
            int len = (int) Math.min(n - pos, cs[0] - idx[0]);
            run.run(pos, offset, cst[0], len);
            pos += len;
            idx[0] += len;
            for (int d = 0; d < rank - 1 && idx[d] >= cs[d]; d++) { // carry
                idx[d] = 0;
                idx[d + 1]++;
            }
        }
    }

    /**
     * Copies {@code len} elements between positions {@code offset + i * stride} of {@code storage} and {@code array[pos + i]}
     * ({@code toArray}: into the array). Bits move unchanged: the array has the storage's dtype.
     */
    private static void transfer(Storage storage, long offset, long stride, Object array, int pos, int len, boolean toArray) {
        if (storage instanceof CpuStorage heap) {
            int o = Math.toIntExact(offset), s = Math.toIntExact(stride);
            if (s == 1) {
                if (toArray) System.arraycopy(heap.array, o, array, pos, len);
                else System.arraycopy(array, pos, heap.array, o, len);
                return;
            }
            elementwiseTransfer(heapSegment(heap.array), heap.dtype(), offset, stride, array, pos, len, toArray);
            return;
        }
        MemorySegment seg = ((SegmentStorage) storage).segment;
        if (stride == 1) {
            ValueLayout layout = layout(storage.dtype());
            long at = offset * layout.byteSize();
            if (toArray) MemorySegment.copy(seg, layout, at, array, pos, len);
            else MemorySegment.copy(array, pos, seg, layout, at, len);
            return;
        }
        elementwiseTransfer(seg, storage.dtype(), offset, stride, array, pos, len, toArray);
    }

    private static void elementwiseTransfer(MemorySegment seg, DType dtype, long offset, long stride, Object array, int pos, int len,
                                            boolean toArray) {
        MemorySegment a = heapSegment(array);
        switch (dtype.byteSize()) {
            case 1 -> {
                for (int i = 0; i < len; i++) {
                    long at = offset + i * stride;
                    if (toArray) a.set(ValueLayout.JAVA_BYTE, pos + i, seg.get(ValueLayout.JAVA_BYTE, at));
                    else seg.set(ValueLayout.JAVA_BYTE, at, a.get(ValueLayout.JAVA_BYTE, pos + i));
                }
            }
            case 2 -> {
                for (int i = 0; i < len; i++) {
                    long at = offset + i * stride;
                    if (toArray) a.setAtIndex(ValueLayout.JAVA_SHORT, pos + i, seg.getAtIndex(ValueLayout.JAVA_SHORT, at));
                    else seg.setAtIndex(ValueLayout.JAVA_SHORT, at, a.getAtIndex(ValueLayout.JAVA_SHORT, pos + i));
                }
            }
            case 4 -> {
                for (int i = 0; i < len; i++) {
                    long at = offset + i * stride;
                    if (toArray) a.setAtIndex(ValueLayout.JAVA_INT, pos + i, seg.getAtIndex(ValueLayout.JAVA_INT, at));
                    else seg.setAtIndex(ValueLayout.JAVA_INT, at, a.getAtIndex(ValueLayout.JAVA_INT, pos + i));
                }
            }
            default -> {
                for (int i = 0; i < len; i++) {
                    long at = offset + i * stride;
                    if (toArray) a.setAtIndex(ValueLayout.JAVA_LONG, pos + i, seg.getAtIndex(ValueLayout.JAVA_LONG, at));
                    else seg.setAtIndex(ValueLayout.JAVA_LONG, at, a.getAtIndex(ValueLayout.JAVA_LONG, pos + i));
                }
            }
        }
    }

    private static MemorySegment heapSegment(Object array) {
        return switch (array) {
            case float[] a -> MemorySegment.ofArray(a);
            case double[] a -> MemorySegment.ofArray(a);
            case int[] a -> MemorySegment.ofArray(a);
            case long[] a -> MemorySegment.ofArray(a);
            case byte[] a -> MemorySegment.ofArray(a);
            case short[] a -> MemorySegment.ofArray(a);
            default -> throw new IllegalStateException("cpu: not a storage array: " + array.getClass());
        };
    }

    /** The layout of one element of {@code dtype}, matching the heap array type of {@link CpuStorage#newArray}. */
    private static ValueLayout layout(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> ValueLayout.JAVA_FLOAT;
            case FLOAT64 -> ValueLayout.JAVA_DOUBLE;
            case INT32 -> ValueLayout.JAVA_INT;
            case INT64 -> ValueLayout.JAVA_LONG;
            case BOOL -> ValueLayout.JAVA_BYTE;
            case FLOAT16, BFLOAT16 -> ValueLayout.JAVA_SHORT;
        };
    }
}
