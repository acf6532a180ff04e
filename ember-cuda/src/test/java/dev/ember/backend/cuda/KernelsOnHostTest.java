package dev.ember.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ConvGeometry;
import dev.ember.backend.Philox;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ember's CUDA kernels without a GPU: the grid-stride kernels (elementwise, copy, fill, indexing,
 * conv helpers, Philox, optimizers) compiled as C++ for one host thread through a small shim, and
 * launched with exactly the arguments {@link KernelPlans} builds for the GPU. Results must match the
 * CPU backend. This checks kernel logic, dtype conversions, index arithmetic and the argument
 * order of every launch; device math libraries, parallel races, reductions and GEMM need the GPU
 * run ({@link CudaConformanceTest}).
 */
class KernelsOnHostTest {
    private static final String SHIM = """
            #pragma once
            #include <cmath>
            #include <cstdint>
            #include <algorithm>
            using namespace std;
            struct EmberDim3 { unsigned x, y, z; };
            static const EmberDim3 threadIdx = {0, 0, 0}, blockIdx = {0, 0, 0}, blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
            #define __global__
            #define __device__
            #define __host__
            #define __forceinline__ inline
            #define __launch_bounds__(n)
            #define __shared__ static
            inline void __syncthreads() {}
            struct uint4 { unsigned x, y, z, w; };
            inline uint4 make_uint4(unsigned a, unsigned b, unsigned c, unsigned d) { return {a, b, c, d}; }
            struct alignas(16) float4 { float x, y, z, w; };
            inline float4 make_float4(float a, float b, float c, float d) { return {a, b, c, d}; }
            inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned) (((unsigned long long) a * b) >> 32); }
            inline int atomicCAS(int* p, int cmp, int v) { int old = *p; if (old == cmp) *p = v; return old; }
            template <typename T> inline T atomicAdd(T* p, T v) { T old = *p; *p = old + v; return old; }
            """;
    private static final List<String> HOST_MODULES = List.of("elementwise", "indexing", "conv", "random", "optim");
    private static final Backend CPU = Backends.of(Device.cpu());
    private static final DType[] ALL = DType.values();
    private static final DType[] FLOATS = {DType.FLOAT32, DType.FLOAT64};

    private static Path dir;
    private static Arena arena;
    private static final List<SymbolLookup> LIBS = new ArrayList<>();
    private static MemorySegment errorWord;
    private final Random rnd = new Random(11);

    @BeforeAll
    static synchronized void compileKernelsForTheHost() throws Exception {
        if (arena != null) return;
        Path cxx = Path.of("/usr/bin/c++");
        assumeTrue(Files.isExecutable(cxx), "no C++ compiler to build the kernels for the host");
        Path sources = KernelSources.dir();
        assumeTrue(Files.isDirectory(sources), "kernel sources not found (run from the repository root)");
        dir = Files.createTempDirectory("ember-host-kernels");
        Files.writeString(dir.resolve("shim.h"), SHIM);
        arena = Arena.ofShared();
        for (String m : HOST_MODULES) {
            Path lib = dir.resolve("lib" + m + ".so");
            Process p = new ProcessBuilder(cxx.toString(), "-std=c++17", "-O1", "-shared", "-fPIC", "-x", "c++",
                    "-include", dir.resolve("shim.h").toString(), sources.resolve(m + ".cu").toString(), "-o", lib.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), m + ".cu does not compile for the host:\n" + log);
            LIBS.add(SymbolLookup.libraryLookup(lib, arena));
        }
        errorWord = arena.allocate(4);
    }

    @AfterAll
    static synchronized void cleanUp() throws Exception {
        if (arena != null) arena.close();
        arena = null;
        LIBS.clear();
        if (dir != null) try (var files = Files.list(dir)) { for (Path f : files.toList()) Files.delete(f); Files.delete(dir); }
        dir = null;
    }

    /** Host memory standing in for device memory. */
    static final class HostStorage extends Storage {
        final MemorySegment seg;

        HostStorage(DType dtype, int length) {
            super(dtype, length);
            seg = arena.allocate(Math.max(1, (long) length * dtype.byteSize()), 16);
        }

        @Override
        public Backend backend() { return null; }
    }

    /** Runs a launch on the host kernels, as {@code cuLaunchKernel} would with these parameters. */
    static void run(Launch l) {
        MemorySegment fn = LIBS.stream().flatMap(lib -> lib.find(l.kernel()).stream()).findFirst()
                .orElseThrow(() -> new AssertionError("no host kernel " + l.kernel()));
        List<Object> values = l.args().values();
        MemoryLayout[] layouts = new MemoryLayout[values.size()];
        Object[] args = new Object[values.size()];
        for (int i = 0; i < args.length; i++) {
            Object v = values.get(i);
            switch (v) {
                case Integer x -> { layouts[i] = ValueLayout.JAVA_INT; args[i] = x; }
                case Long x -> { layouts[i] = ValueLayout.JAVA_LONG; args[i] = x; }
                case Float x -> { layouts[i] = ValueLayout.JAVA_FLOAT; args[i] = x; }
                case Double x -> { layouts[i] = ValueLayout.JAVA_DOUBLE; args[i] = x; }
                case Byte x -> { layouts[i] = ValueLayout.JAVA_BYTE; args[i] = x; }
                case int[] s -> {
                    MemoryLayout[] fields = new MemoryLayout[s.length];
                    java.util.Arrays.fill(fields, ValueLayout.JAVA_INT);
                    layouts[i] = MemoryLayout.structLayout(fields);
                    args[i] = arena.allocateFrom(ValueLayout.JAVA_INT, s);
                }
                case HostStorage s -> { layouts[i] = ValueLayout.ADDRESS; args[i] = s.seg; }
                default -> {
                    assertTrue(v == KernelArgs.ERROR_WORD, "unexpected argument " + v);
                    layouts[i] = ValueLayout.ADDRESS;
                    args[i] = errorWord;
                }
            }
        }
        try {
            Linker.nativeLinker().downcallHandle(fn, FunctionDescriptor.ofVoid(layouts)).invokeWithArguments(args);
        } catch (Throwable t) {
            throw new AssertionError("host launch of " + l.kernel() + " failed", t);
        }
    }

    // ---- data on both sides ------------------------------------------------------------------

    record P(Strided c, Strided h) {
        P view(int[] shape, int[] strides, int offset) {
            return new P(new Strided(c.storage(), shape, strides, offset), new Strided(h.storage(), shape, strides, offset));
        }
    }

    static P of(DType t, double[] v, int... shape) {
        Object host = CudaConformanceTest.host(t, v);
        HostStorage hs = new HostStorage(t, v.length);
        for (int i = 0; i < v.length; i++) {
            switch (t) {
                case FLOAT32 -> hs.seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, ((float[]) host)[i]);
                case FLOAT64 -> hs.seg.setAtIndex(ValueLayout.JAVA_DOUBLE, i, ((double[]) host)[i]);
                case INT32 -> hs.seg.setAtIndex(ValueLayout.JAVA_INT, i, ((int[]) host)[i]);
                case INT64 -> hs.seg.setAtIndex(ValueLayout.JAVA_LONG, i, ((long[]) host)[i]);
                case BOOL -> hs.seg.set(ValueLayout.JAVA_BYTE, i, ((byte[]) host)[i]);
            }
        }
        return new P(Strided.contiguous(CPU.fromHost(t, host), shape), Strided.contiguous(hs, shape));
    }

    P rand(DType t, boolean specials, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (t) {
                case FLOAT32, FLOAT64 -> rnd.nextGaussian() * 2;
                case INT32, INT64 -> rnd.nextInt(21) - 10;
                case BOOL -> rnd.nextInt(2);
            };
            if (specials && t.isFloatingPoint() && i % 13 == 3)
                v[i] = new double[]{Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 3e9, -3e9, 0.5, -0.0}[(i / 13) % 7];
        }
        return of(t, v, shape);
    }

    P halves(DType t, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (rnd.nextInt(9) - 4) / 2.0;
        return of(t, v, n);
    }

    static P zeros(DType t, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return new P(Strided.contiguous(CPU.allocate(t, n), shape), Strided.contiguous(new HostStorage(t, n), shape));
    }

    /** The host side's whole storage, as doubles. */
    static double[] hostValues(Strided s) {
        var hs = (HostStorage) s.storage();
        double[] d = new double[hs.length()];
        for (int i = 0; i < d.length; i++) {
            d[i] = switch (hs.dtype()) {
                case FLOAT32 -> hs.seg.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                case FLOAT64 -> hs.seg.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
                case INT32 -> hs.seg.getAtIndex(ValueLayout.JAVA_INT, i);
                case INT64 -> hs.seg.getAtIndex(ValueLayout.JAVA_LONG, i);
                case BOOL -> hs.seg.get(ValueLayout.JAVA_BYTE, i);
            };
        }
        return d;
    }

    /** Compares whole storages (so writes outside a view are caught too). */
    static void same(P p, double rtol, double atol, String what) {
        int n = p.c.storage().length();
        double[] want = CudaConformanceTest.read(CPU, Strided.contiguous(p.c.storage(), n)), got = hostValues(p.h);
        for (int i = 0; i < n; i++) {
            double w = want[i], g = got[i];
            boolean ok = Double.isNaN(w) ? Double.isNaN(g) : Double.isInfinite(w) ? w == g : Math.abs(w - g) <= atol + rtol * Math.abs(w);
            if (!ok) fail(what + ": element " + i + " cpu " + w + " kernel " + g);
        }
    }

    static double rtol(DType t) { return t == DType.FLOAT32 ? 1e-5 : t == DType.FLOAT64 ? 1e-12 : 0; }

    // ---- the checks --------------------------------------------------------------------------

    @Test
    void copyConvertsEveryDtypePairLikeTheCpu() {
        for (DType s : ALL)
            for (DType d : ALL) {
                P src = rand(s, true, 5, 7).view(new int[]{7, 5}, new int[]{1, 7}, 0);
                P dst = zeros(d, 7, 5);
                CPU.copy(src.c, dst.c);
                run(KernelPlans.copy(src.h, dst.h));
                same(dst, 0, 0, "copy " + s + " -> " + d);
            }
    }

    @Test
    void fillConvertsTheValueAndWritesOnlyTheView() {
        for (DType t : ALL)
            for (double v : new double[]{2.5, -7, Double.NaN, 1e12}) {
                if (Double.isNaN(v) && t.isIntegral() && t != DType.BOOL) continue; // the CPU casts NaN per element, the same way
                P buf = rand(t, false, 5, 8);
                P view = buf.view(new int[]{5, 4}, new int[]{8, 2}, 1);
                CPU.fill(view.c, v);
                run(KernelPlans.fill(view.h, v));
                same(buf, 0, 0, "fill " + t + " with " + v);
            }
    }

    @Test
    void unaryOpsFollowScalarMath() {
        for (DType t : FLOATS)
            for (UnaryOp op : UnaryOp.values()) {
                DType ot = op == UnaryOp.NOT || op == UnaryOp.ISNAN ? DType.BOOL : t;
                double a = op == UnaryOp.CLAMP ? -1 : op == UnaryOp.POW_SCALAR ? 2.5 : 0.1, b = 1;
                P base = rand(t, true, 1 + 12 * 10);
                for (P x : new P[]{base.view(new int[]{12, 10}, new int[]{10, 1}, 0), base.view(new int[]{12, 10}, new int[]{10, 1}, 1),
                        base.view(new int[]{12, 10}, new int[]{1, 12}, 0)}) {
                    P out = zeros(ot, 12, 10);
                    CPU.unary(op, x.c, out.c, a, b);
                    run(KernelPlans.unary(op, x.h, out.h, a, b));
                    same(out, 4 * rtol(ot), 1e-6, op + " " + t);
                }
            }
        for (DType t : new DType[]{DType.INT32, DType.INT64, DType.BOOL})
            for (UnaryOp op : KernelPlans.INTEGER_UNARY) {
                DType ot = op == UnaryOp.NOT || op == UnaryOp.ISNAN ? DType.BOOL : t;
                P x = rand(t, false, 7, 6).view(new int[]{6, 7}, new int[]{1, 6}, 0);
                P out = zeros(ot, 6, 7);
                CPU.unary(op, x.c, out.c, -3, 4);
                run(KernelPlans.unary(op, x.h, out.h, -3, 4));
                same(out, 0, 0, op + " " + t);
            }
    }

    @Test
    void binaryOpsBroadcastAndFollowScalarMath() {
        for (DType t : ALL)
            for (BinaryOp op : BinaryOp.values()) {
                if (t.isIntegral() && op == BinaryOp.ATAN2) continue;
                if (t == DType.BOOL && (op == BinaryOp.DIV || op == BinaryOp.REMAINDER || op == BinaryOp.POW)) continue;
                DType ot = op.producesBool() ? DType.BOOL : t;
                P x = t.isFloatingPoint() ? halves(t, 25) : rand(t, false, 25);
                P row, scalar;
                if (t.isFloatingPoint()) {
                    row = halves(t, 6);
                    scalar = halves(t, 1);
                } else {
                    double[] yv = new double[6];
                    for (int i = 0; i < 6; i++)
                        yv[i] = t == DType.BOOL ? rnd.nextInt(2) : op == BinaryOp.POW ? rnd.nextInt(5) : (rnd.nextBoolean() ? 1 : -1) * (1 + rnd.nextInt(4));
                    row = of(t, yv, 6);
                    scalar = of(t, new double[]{yv[0]}, 1);
                }
                P[][] cases = {
                        {x.view(new int[]{4, 6}, new int[]{6, 1}, 0), row.view(new int[]{4, 6}, new int[]{0, 1}, 0)},
                        {x.view(new int[]{4, 6}, new int[]{6, 1}, 0), scalar.view(new int[]{4, 6}, new int[]{0, 0}, 0)},
                        {x.view(new int[]{4, 6}, new int[]{6, 1}, 1), row.view(new int[]{4, 6}, new int[]{0, 1}, 0)}};
                for (P[] c : cases) {
                    P out = zeros(ot, 4, 6);
                    CPU.binary(op, c[0].c, c[1].c, out.c);
                    run(KernelPlans.binary(op, c[0].h, c[1].h, out.h));
                    same(out, rtol(ot), 1e-6 * rtol(ot), op + " " + t);
                }
            }
    }

    @Test
    void integerDivisionByZeroSetsTheErrorWord() {
        errorWord.set(ValueLayout.JAVA_INT, 0, 0);
        P x = rand(DType.INT32, false, 4), y = zeros(DType.INT32, 4), out = zeros(DType.INT32, 4);
        run(KernelPlans.binary(BinaryOp.DIV, x.h, y.h, out.h));
        assertEquals(3, errorWord.get(ValueLayout.JAVA_INT, 0), "ERR_INT_DIV_ZERO");
        errorWord.set(ValueLayout.JAVA_INT, 0, 0);
    }

    @Test
    void whereGatherAndScatterAdd() {
        for (DType t : ALL) {
            P cond = rand(DType.BOOL, false, 7).view(new int[]{3, 7}, new int[]{0, 1}, 0);
            P x = rand(t, false, 3, 7), y = rand(t, false, 7).view(new int[]{3, 7}, new int[]{0, 1}, 0);
            P out = zeros(t, 3, 7);
            CPU.where(cond.c, x.c, y.c, out.c);
            run(KernelPlans.where(cond.h, x.h, y.h, out.h));
            same(out, 0, 0, "where " + t);
            for (int dim = 0; dim < 3; dim++) {
                int[] xs = {4, 5, 6}, is = {4, 5, 6};
                is[dim] = 3;
                P src = rand(t, false, xs);
                int n = 4 * 5 * 6 / xs[dim] * 3;
                double[] iv = new double[n];
                for (int i = 0; i < n; i++) iv[i] = rnd.nextInt(xs[dim]);
                P idx = of(DType.INT64, iv, is);
                P g = zeros(t, is);
                CPU.gather(src.c, dim, idx.c, g.c);
                run(KernelPlans.gather(src.h, dim, idx.h, g.h));
                same(g, 0, 0, "gather " + t + " dim " + dim);
                if (t == DType.BOOL) continue;
                P dst = zeros(t, xs), add = rand(t, false, is);
                CPU.scatterAdd(dst.c, dim, idx.c, add.c);
                run(KernelPlans.scatterAdd(dst.h, dim, idx.h, add.h));
                same(dst, rtol(t), 1e-12, "scatterAdd " + t + " dim " + dim);
            }
        }
        errorWord.set(ValueLayout.JAVA_INT, 0, 0);
        P x = rand(DType.FLOAT32, false, 2, 3), out = zeros(DType.FLOAT32, 2, 1);
        run(KernelPlans.gather(x.h, 1, of(DType.INT64, new double[]{0, 3}, 2, 1).h, out.h));
        assertEquals(1, errorWord.get(ValueLayout.JAVA_INT, 0), "ERR_GATHER_INDEX");
        errorWord.set(ValueLayout.JAVA_INT, 0, 0);
    }

    @Test
    void im2colAndCol2imIndexLikeTheCpu() {
        ConvGeometry g = new ConvGeometry(9, 8, 3, 2, 2, 1, 1, 0, 1, 2);
        int n = 2, c = 3, rows = c * 3 * 2, l = g.outH() * g.outW();
        for (DType t : FLOATS) {
            P x = rand(t, false, n, 9, 8, c).view(new int[]{n, c, 9, 8}, new int[]{9 * 8 * c, 1, 8 * c, c}, 0);
            P cols = zeros(t, n, rows, l);
            CPU.im2col(x.c, g, Double.NEGATIVE_INFINITY, cols.c);
            run(KernelPlans.im2col(x.h, g, Double.NEGATIVE_INFINITY, cols.h));
            same(cols, 0, 0, "im2col " + t);
            // As the convolution calls it: a permuted view [n, rows, L] of a [rows, n, L] buffer.
            P buf = zeros(t, rows, n, l);
            P nkl = buf.view(new int[]{n, rows, l}, new int[]{l, n * l, 1}, 0);
            CPU.im2col(x.c, g, 0, nkl.c);
            run(KernelPlans.im2col(x.h, g, 0, nkl.h));
            same(buf, 0, 0, "im2col into a permuted view " + t);
            P src = rand(t, false, n, l, rows).view(new int[]{n, rows, l}, new int[]{rows * l, 1, rows}, 0);
            P img = zeros(t, n, c, 9, 8);
            CPU.col2im(src.c, g, img.c);
            run(KernelPlans.col2im(src.h, g, img.h));
            same(img, 4 * rtol(t), 1e-12, "col2im " + t);
        }
    }

    @Test
    void philoxMatchesTheCpuGenerator() {
        for (DType t : FLOATS)
            for (Philox.Distribution d : Philox.Distribution.values()) {
                P out = zeros(t, 1004).view(new int[]{1001}, new int[]{1}, 3);
                CPU.random(out.c, d, 0x5eedL, (1L << 32) + 77, -1, 2);
                run(KernelPlans.random(out.h, d, 0x5eedL, (1L << 32) + 77, -1, 2));
                same(out, t == DType.FLOAT32 ? 1e-6 : 1e-14, 1e-14, "random " + d + " " + t);
            }
    }

    @Test
    void fusedOptimizerStepsMatchTheCpu() {
        for (DType t : FLOATS) {
            for (boolean momentum : new boolean[]{false, true})
                for (boolean nesterov : new boolean[]{false, true}) {
                    P p = rand(t, false, 40), buf = momentum ? zeros(t, 40) : null;
                    for (int step = 0; step < 3; step++) {
                        P g = rand(t, false, 40);
                        CPU.sgdStep(p.c, g.c, buf == null ? null : buf.c, 0.1, momentum ? 0.9 : 0, 0.1, 0.01, nesterov && momentum, step == 0);
                        run(KernelPlans.sgd(p.h, g.h, buf == null ? null : buf.h, 0.1, momentum ? 0.9 : 0, 0.1, 0.01, nesterov && momentum, step == 0));
                    }
                    same(p, 4 * rtol(t), 1e-7, "sgd " + t + " momentum " + momentum + " nesterov " + nesterov);
                }
            for (boolean decoupled : new boolean[]{false, true}) {
                P p = rand(t, false, 33), m = zeros(t, 33), v = zeros(t, 33);
                for (int step = 1; step <= 3; step++) {
                    P g = rand(t, false, 33);
                    CPU.adamStep(p.c, g.c, m.c, v.c, 1e-2, 0.9, 0.999, 1e-8, 0.01, decoupled, step);
                    run(KernelPlans.adam(p.h, g.h, m.h, v.h, 1e-2, 0.9, 0.999, 1e-8, 0.01, decoupled, step));
                }
                same(p, 10 * rtol(t), 1e-7, "adam " + t + " decoupled " + decoupled);
                same(v, 10 * rtol(t), 1e-9, "adam exp_avg_sq " + t);
            }
        }
    }
}
