package dev.ember.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The storage decision (docs/bench.md, "Storage: heap arrays or off-heap segments"): the same Vector API
 * kernel over a heap {@code float[]} and over a native {@link MemorySegment} (64-byte aligned, from a shared
 * {@link Arena}), differing only in how vectors are loaded and stored ({@code fromArray}/{@code intoArray}
 * against {@code fromMemorySegment}/{@code intoMemorySegment}). Outputs are preallocated, as the caching
 * allocator hands them out. Ops: {@code add}, {@code relu}, {@code exp} (a degree-6 polynomial with exponent
 * scaling, as a SIMD exp is written), {@code sum} (four accumulators), and {@code gemm}: a 512^3 product
 * through a 4 x 2-vector register tile over packed panels (the shape of Ember's GEMM micro-kernels, without
 * their cache blocking). One thread: the difference between the two storages is per load and store.
 * {@code benchmarks/memory/storage_decision.sh} alternates heap and segment forks, at both vector widths.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class StorageBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int GEMM = 512, MR = 4;
    /** FLOP of one {@code gemm} call. */
    public static final double GEMM_FLOP = 2.0 * GEMM * GEMM * GEMM;

    /** Bytes an op reads and writes once: 4 per element of each input and of the output. */
    public static double bytes(String op, long size) {
        int arrays = switch (op) {
            case "add" -> 3;
            case "sum" -> 1;
            default -> 2;
        };
        return 4.0 * arrays * size;
    }

    /** The kernel. */
    @Param({"add", "relu", "exp", "sum", "gemm"})
    public String op;

    /** Where the data lives. */
    @Param({"heap", "segment"})
    public String storage;

    /** Float32 elements per operand (gemm: ignored, always 512 x 512). */
    @Param({"1048576", "16777216"})
    public int size;

    /** Required by BenchMain; the kernels here run on the calling thread only. */
    @Param({"1"})
    public int threads;

    private float[] xa, ya, oa;
    private MemorySegment xs, ys, os;
    private Arena arena;
    private float sink;

    /** Fills the operands with the same random values in both storages. */
    @Setup(Level.Trial)
    public void setup() {
        int n = op.equals("gemm") ? GEMM * GEMM : size;
        Random r = new Random(3);
        xa = new float[n];
        ya = new float[n];
        for (int i = 0; i < n; i++) {
            xa[i] = (float) r.nextGaussian();
            ya[i] = (float) r.nextGaussian();
        }
        if (storage.equals("heap")) {
            oa = new float[n];
        } else {
            arena = Arena.ofShared();
            xs = arena.allocate((long) n * 4, 64);
            ys = arena.allocate((long) n * 4, 64);
            os = arena.allocate((long) n * 4, 64);
            MemorySegment.copy(xa, 0, xs, ValueLayout.JAVA_FLOAT, 0, n);
            MemorySegment.copy(ya, 0, ys, ValueLayout.JAVA_FLOAT, 0, n);
            xa = ya = null;
        }
    }

    /** Frees the native operands. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (arena != null) arena.close();
    }

    /** One call of the op. */
    @Benchmark
    public float run() {
        boolean heap = storage.equals("heap");
        switch (op) {
            case "add" -> { if (heap) addHeap(xa, ya, oa, size); else addSegment(xs, ys, os, size); }
            case "relu" -> { if (heap) reluHeap(xa, oa, size); else reluSegment(xs, os, size); }
            case "exp" -> { if (heap) expHeap(xa, oa, size); else expSegment(xs, os, size); }
            case "sum" -> sink = heap ? sumHeap(xa, size) : sumSegment(xs, size);
            case "gemm" -> { if (heap) gemmHeap(xa, ya, oa); else gemmSegment(xs, ys, os); }
            default -> throw new IllegalArgumentException("StorageBench: unknown op " + op);
        }
        return sink;
    }

    // ---- add ------------------------------------------------------------------------------------

    static void addHeap(float[] x, float[] y, float[] o, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L)
            FloatVector.fromArray(S, x, i).add(FloatVector.fromArray(S, y, i)).intoArray(o, i);
        for (; i < n; i++) o[i] = x[i] + y[i];
    }

    static void addSegment(MemorySegment x, MemorySegment y, MemorySegment o, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            long b = (long) i * 4;
            FloatVector.fromMemorySegment(S, x, b, NATIVE).add(FloatVector.fromMemorySegment(S, y, b, NATIVE)).intoMemorySegment(o, b, NATIVE);
        }
        for (; i < n; i++) o.setAtIndex(ValueLayout.JAVA_FLOAT, i, x.getAtIndex(ValueLayout.JAVA_FLOAT, i) + y.getAtIndex(ValueLayout.JAVA_FLOAT, i));
    }

    // ---- relu -----------------------------------------------------------------------------------

    static void reluHeap(float[] x, float[] o, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) FloatVector.fromArray(S, x, i).max(0f).intoArray(o, i);
        for (; i < n; i++) o[i] = Math.max(x[i], 0f);
    }

    static void reluSegment(MemorySegment x, MemorySegment o, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            long b = (long) i * 4;
            FloatVector.fromMemorySegment(S, x, b, NATIVE).max(0f).intoMemorySegment(o, b, NATIVE);
        }
        for (; i < n; i++) o.setAtIndex(ValueLayout.JAVA_FLOAT, i, Math.max(x.getAtIndex(ValueLayout.JAVA_FLOAT, i), 0f));
    }

    // ---- exp ------------------------------------------------------------------------------------

    /** exp(v) = 2^k * p(r) with k = round(v / ln 2), r = v - k ln 2 (two-part ln 2); p a degree-6 Taylor polynomial. */
    static FloatVector exp(FloatVector v) {
        FloatVector x = v.max(-87.3f).min(88.7f);
        FloatVector k = x.mul(1.442695041f).add(12582912f).sub(12582912f); // round to nearest: 1.5 * 2^23
        FloatVector r = x.sub(k.mul(0.693359375f)).add(k.mul(2.12194440e-4f));
        FloatVector p = r.mul(1.3888889e-3f).add(8.3333333e-3f).mul(r).add(4.1666667e-2f).mul(r).add(0.16666667f).mul(r).add(0.5f)
                .mul(r).add(1f).mul(r).add(1f);
        IntVector bits = ((IntVector) k.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }

    static float expScalar(float v) { return (float) Math.exp(v); }

    static void expHeap(float[] x, float[] o, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) exp(FloatVector.fromArray(S, x, i)).intoArray(o, i);
        for (; i < n; i++) o[i] = expScalar(x[i]);
    }

    static void expSegment(MemorySegment x, MemorySegment o, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            long b = (long) i * 4;
            exp(FloatVector.fromMemorySegment(S, x, b, NATIVE)).intoMemorySegment(o, b, NATIVE);
        }
        for (; i < n; i++) o.setAtIndex(ValueLayout.JAVA_FLOAT, i, expScalar(x.getAtIndex(ValueLayout.JAVA_FLOAT, i)));
    }

    // ---- sum ------------------------------------------------------------------------------------

    static float sumHeap(float[] x, int n) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int end = n - 4 * L + 1; i < end; i += 4 * L) {
            a0 = a0.add(FloatVector.fromArray(S, x, i));
            a1 = a1.add(FloatVector.fromArray(S, x, i + L));
            a2 = a2.add(FloatVector.fromArray(S, x, i + 2 * L));
            a3 = a3.add(FloatVector.fromArray(S, x, i + 3 * L));
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += x[i];
        return s;
    }

    static float sumSegment(MemorySegment x, int n) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int end = n - 4 * L + 1; i < end; i += 4 * L) {
            long b = (long) i * 4;
            a0 = a0.add(FloatVector.fromMemorySegment(S, x, b, NATIVE));
            a1 = a1.add(FloatVector.fromMemorySegment(S, x, b + 4L * L, NATIVE));
            a2 = a2.add(FloatVector.fromMemorySegment(S, x, b + 8L * L, NATIVE));
            a3 = a3.add(FloatVector.fromMemorySegment(S, x, b + 12L * L, NATIVE));
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += x.getAtIndex(ValueLayout.JAVA_FLOAT, i);
        return s;
    }

    // ---- gemm -----------------------------------------------------------------------------------

    /**
     * C[512 x 512] = A @ B with A packed in MR-row panels (k-major: a[panel][k][MR]) and B in 2L-column panels
     * (b[panel][k][2L]), both laid out once in setup; each C tile is written once.
     */
    static void gemmHeap(float[] a, float[] b, float[] c) {
        int n = GEMM, k = GEMM, nr = 2 * L;
        for (int i0 = 0; i0 < n; i0 += MR)
            for (int j0 = 0; j0 < n; j0 += nr) {
                int ap = i0 * k, bp = j0 * k;
                FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
                for (int p = 0; p < k; p++) {
                    FloatVector b0 = FloatVector.fromArray(S, b, bp + p * nr), b1 = FloatVector.fromArray(S, b, bp + p * nr + L);
                    int ao = ap + p * MR;
                    FloatVector a0 = FloatVector.broadcast(S, a[ao]), a1 = FloatVector.broadcast(S, a[ao + 1]);
                    c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
                    c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
                    FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]), a3 = FloatVector.broadcast(S, a[ao + 3]);
                    c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
                    c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
                }
                int co = i0 * n + j0;
                c00.intoArray(c, co); c01.intoArray(c, co + L);
                c10.intoArray(c, co + n); c11.intoArray(c, co + n + L);
                c20.intoArray(c, co + 2 * n); c21.intoArray(c, co + 2 * n + L);
                c30.intoArray(c, co + 3 * n); c31.intoArray(c, co + 3 * n + L);
            }
    }

    static void gemmSegment(MemorySegment a, MemorySegment b, MemorySegment c) {
        int n = GEMM, k = GEMM, nr = 2 * L;
        for (int i0 = 0; i0 < n; i0 += MR)
            for (int j0 = 0; j0 < n; j0 += nr) {
                long ap = (long) i0 * k * 4, bp = (long) j0 * k * 4;
                FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
                for (int p = 0; p < k; p++) {
                    long bo = bp + (long) p * nr * 4;
                    FloatVector b0 = FloatVector.fromMemorySegment(S, b, bo, NATIVE), b1 = FloatVector.fromMemorySegment(S, b, bo + 4L * L, NATIVE);
                    long ao = ap + (long) p * MR * 4;
                    FloatVector a0 = FloatVector.broadcast(S, a.get(ValueLayout.JAVA_FLOAT, ao)),
                            a1 = FloatVector.broadcast(S, a.get(ValueLayout.JAVA_FLOAT, ao + 4));
                    c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
                    c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
                    FloatVector a2 = FloatVector.broadcast(S, a.get(ValueLayout.JAVA_FLOAT, ao + 8)),
                            a3 = FloatVector.broadcast(S, a.get(ValueLayout.JAVA_FLOAT, ao + 12));
                    c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
                    c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
                }
                long co = ((long) i0 * n + j0) * 4;
                c00.intoMemorySegment(c, co, NATIVE); c01.intoMemorySegment(c, co + 4L * L, NATIVE);
                c10.intoMemorySegment(c, co + 4L * n, NATIVE); c11.intoMemorySegment(c, co + 4L * (n + L), NATIVE);
                c20.intoMemorySegment(c, co + 8L * n, NATIVE); c21.intoMemorySegment(c, co + 4L * (2 * n + L), NATIVE);
                c30.intoMemorySegment(c, co + 12L * n, NATIVE); c31.intoMemorySegment(c, co + 4L * (3 * n + L), NATIVE);
            }
    }
}
