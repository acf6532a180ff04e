package dev.ember.backend;

import dev.ember.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * How a backend computes on FLOAT16 and BFLOAT16 with its float32 kernels: it stores 16 bits and computes in
 * float32, as PyTorch's CPU kernels do. A primitive given a 16-bit operand converts it into a float32 scratch
 * buffer of the same backend ({@link #in}), runs its float32 kernel on the scratch, and rounds the float32
 * result once into the 16-bit output ({@link #out}, then {@link #writeBack}); so sums and matrix products
 * accumulate in float32 and round once at the end. The backend's {@link Backend#copy} does the conversions
 * (bit for bit as {@link HalfConversions}); the scratch buffers are released when the scope closes.
 *
 * <pre>{@code
 * try (var h = new HalfScratch(backend)) {
 *     Strided o = h.out(out, false);
 *     kernel(h.in(x), o);
 *     h.writeBack();
 * }
 * }</pre>
 */
public final class HalfScratch implements AutoCloseable {
    private final Backend backend;
    private final List<Storage> scratch = new ArrayList<>(4);
    private final List<Strided[]> pending = new ArrayList<>(2); // {scratch, 16-bit target}

    /** A scope whose scratch buffers live on {@code backend}. */
    public HalfScratch(Backend backend) { this.backend = backend; }

    /** True when {@code s} is a FLOAT16 or BFLOAT16 view. */
    public static boolean isHalf(Strided s) {
        return s != null && (s.dtype() == DType.FLOAT16 || s.dtype() == DType.BFLOAT16);
    }

    /** True when any operand is 16-bit. */
    public static boolean any(Strided... operands) {
        for (Strided s : operands) if (isHalf(s)) return true;
        return false;
    }

    /**
     * A float32 view with {@code x}'s shape and values ({@code x} itself unless it is 16-bit). Broadcast
     * dims (stride 0) stay broadcast in the scratch, so an expanded operand is converted once, not per use.
     */
    public Strided in(Strided x) {
        if (!isHalf(x)) return x;
        int[] shape = x.shape32(), strides = x.strides32();
        int[] dense = shape.clone();
        for (int d = 0; d < shape.length; d++) if (strides[d] == 0) dense[d] = Math.min(shape[d], 1); // an empty dim stays empty
        Strided f = Strided.contiguous(allocate(dense), dense);
        backend.copy(new Strided(x.storage(), dense, strides, x.offset32()), f);
        int[] fs = f.strides32().clone();
        for (int d = 0; d < shape.length; d++) if (strides[d] == 0) fs[d] = 0;
        return new Strided(f.storage(), shape, fs, 0);
    }

    /**
     * A contiguous float32 stand-in for output {@code o} ({@code o} itself unless it is 16-bit), holding o's
     * values when {@code read} (a kernel that adds into its output); {@link #writeBack} rounds it into o.
     */
    public Strided out(Strided o, boolean read) {
        if (!isHalf(o)) return o;
        Strided f = Strided.contiguous(allocate(o.shape32()), o.shape32());
        if (read) backend.copy(o, f);
        pending.add(new Strided[]{f, o});
        return f;
    }

    /** Rounds every output scratch into its 16-bit output; call it once the float32 kernel has succeeded. */
    public void writeBack() {
        for (Strided[] p : pending) backend.copy(p[0], p[1]);
        pending.clear();
    }

    @Override
    public void close() {
        for (Storage s : scratch) s.release();
        scratch.clear();
    }

    private Storage allocate(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        Storage st = backend.allocate(DType.FLOAT32, n);
        scratch.add(st);
        return st;
    }
}
