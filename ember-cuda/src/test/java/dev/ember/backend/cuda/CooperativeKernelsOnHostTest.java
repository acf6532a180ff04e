package dev.ember.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.Strided;
import dev.ember.backend.cuda.KernelsOnHostTest.HostStorage;
import dev.ember.backend.cuda.KernelsOnHostTest.P;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cooperative kernels (reductions with warp shuffles and shared memory, the tiled GEMM with
 * barriers) compiled for the host, each block run by 256 real threads with barriers standing in
 * for {@code __syncthreads} and {@code __shfl_down_sync}, launched with the grids and arguments
 * {@link KernelPlans} builds for the GPU, against the CPU backend.
 */
class CooperativeKernelsOnHostTest {
    private static final Backend CPU = Backends.of(Device.cpu());
    /** A small device: few blocks, so the grid-stride loops over rows wrap. */
    private static final int SMS = 2;

    private static Path dir;
    private static Arena arena;
    private static final List<SymbolLookup> LIBS = new ArrayList<>();
    private static ExecutorService pool;
    private static MethodHandle blockSetup, threadSetup;
    private final Random rnd = new Random(5);

    @BeforeAll
    static void compile() throws Exception {
        Path cxx = Path.of("/usr/bin/c++"), sources = KernelSources.dir();
        assumeTrue(Files.isExecutable(cxx), "no C++ compiler to build the kernels for the host");
        assumeTrue(Files.isDirectory(sources), "kernel sources not found (run from the repository root)");
        KernelsOnHostTest.compileKernelsForTheHost(); // host storages live in its arena
        dir = Files.createTempDirectory("ember-coop-kernels");
        Files.writeString(dir.resolve("shim.h"), HostShim.THREADED);
        arena = Arena.ofShared();
        for (String m : List.of("reduce", "gemm")) {
            Path lib = dir.resolve("lib" + m + ".so");
            Process p = new ProcessBuilder(cxx.toString(), "-std=c++20", "-pthread", "-O1", "-shared", "-fPIC", "-x", "c++",
                    "-include", dir.resolve("shim.h").toString(), sources.resolve(m + ".cu").toString(), "-o", lib.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), m + ".cu does not compile for the host:\n" + log);
            LIBS.add(SymbolLookup.libraryLookup(lib, arena));
        }
        pool = Executors.newFixedThreadPool(CudaContext.THREADS);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (pool != null) pool.shutdownNow();
        if (arena != null) arena.close();
        if (dir != null) try (var files = Files.list(dir)) { for (Path f : files.toList()) Files.delete(f); Files.delete(dir); }
        KernelsOnHostTest.cleanUp();
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        MemorySegment fn = LIBS.stream().flatMap(l -> l.find(name).stream()).findFirst()
                .orElseThrow(() -> new AssertionError("no host kernel " + name));
        return Linker.nativeLinker().downcallHandle(fn, fd);
    }

    /** Runs an explicit-grid launch block by block, each block on 256 threads. */
    static void run(Launch l) throws Throwable {
        List<Object> values = l.args().values();
        MemoryLayout[] layouts = new MemoryLayout[values.size()];
        Object[] args = new Object[values.size()];
        for (int i = 0; i < args.length; i++) {
            switch (values.get(i)) {
                case Integer x -> { layouts[i] = ValueLayout.JAVA_INT; args[i] = x; }
                case int[] s -> {
                    MemoryLayout[] f = new MemoryLayout[s.length];
                    java.util.Arrays.fill(f, ValueLayout.JAVA_INT);
                    layouts[i] = MemoryLayout.structLayout(f);
                    args[i] = arena.allocateFrom(ValueLayout.JAVA_INT, s);
                }
                case HostStorage s -> { layouts[i] = ValueLayout.ADDRESS; args[i] = s.seg; }
                case Object o -> throw new AssertionError("unexpected argument " + o);
            }
        }
        MethodHandle kernel = handle(l.kernel(), FunctionDescriptor.ofVoid(layouts));
        MethodHandle block = handle("ember_block", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        MethodHandle thread = handle("ember_thread", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        int[] g = l.grid();
        for (int bz = 0; bz < g[2]; bz++)
            for (int by = 0; by < g[1]; by++)
                for (int bx = 0; bx < g[0]; bx++) {
                    block.invoke(g[0], g[1], g[2], l.threads());
                    List<Future<?>> threads = new ArrayList<>();
                    for (int t = 0; t < l.threads(); t++) {
                        int tx = t, x = bx, y = by, z = bz;
                        threads.add(pool.submit(() -> {
                            try {
                                thread.invoke(tx, x, y, z);
                                return kernel.invokeWithArguments(args);
                            } catch (Throwable e) {
                                throw new RuntimeException(e);
                            }
                        }));
                    }
                    for (Future<?> f : threads) f.get();
                }
    }

    /** CudaBackend.reduce's orchestration, on host storages. */
    static void reduce(ReduceOp op, Strided x, Strided out) throws Throwable {
        ReducePlan plan = KernelPlans.reducePlan(op, x, SMS);
        if (plan.chunks() == 1) {
            run(KernelPlans.reduce(op, x, out, plan, null, SMS));
            return;
        }
        HostStorage partial = new HostStorage(out.dtype(), out.numel() * plan.chunks());
        run(KernelPlans.reduce(op, x, out, plan, partial, SMS));
        reduce(op, Strided.contiguous(partial, KernelPlans.partialShape(x, plan)), out);
    }

    private final KernelsOnHostTest data = new KernelsOnHostTest();

    @Test
    void reductionsInWarpBlockAndSplitModes() throws Throwable {
        int[][] shapes = {{6, 9}, {3, 700}};
        for (DType t : DType.values())
            for (ReduceOp op : ReduceOp.values())
                for (int[] shape : shapes) {
                    if (op == ReduceOp.PROD && shape[1] > 9) continue; // long products overflow in order-dependent ways
                    check(op, t, shape);
                }
        for (ReduceOp op : ReduceOp.values())
            if (op != ReduceOp.PROD) check(op, DType.FLOAT32, new int[]{1, 70_001}); // SUM/MAX/MIN split into chunks
        check(ReduceOp.SUM, DType.INT32, new int[]{3, 70_001});
        check(ReduceOp.MAX, DType.FLOAT64, new int[]{2, 70_001});
    }

    private void check(ReduceOp op, DType t, int[] shape) throws Throwable {
        DType ot = switch (op) {
            case ARGMAX, ARGMIN -> DType.INT64;
            case SUM, PROD -> t.isFloatingPoint() ? t : DType.INT64;
            default -> t;
        };
        P x = data.rand(t, shape[1] == 9, shape);
        if (shape[1] > 9) x = x.view(shape, new int[]{shape[1], 1}, 0);
        P out = KernelsOnHostTest.zeros(ot, shape[0]);
        CPU.reduce(op, x.c(), out.c());
        reduce(op, x.h(), out.h());
        boolean floatSum = op == ReduceOp.SUM && t.isFloatingPoint();
        double rtol = floatSum ? (t == DType.FLOAT32 ? 1e-4 : 1e-10) : KernelsOnHostTest.rtol(ot);
        double atol = floatSum ? Math.sqrt(shape[1]) * (t == DType.FLOAT32 ? 1e-4 : 1e-12) : 0;
        KernelsOnHostTest.same(out, rtol, atol, op + " " + t + " " + shape[0] + "x" + shape[1]);
    }

    @Test
    void reductionOverAStridedAxis() throws Throwable {
        P base = data.rand(DType.FLOAT64, false, 8, 5, 40);
        P x = base.view(new int[]{5, 40, 8}, new int[]{40, 1, 200}, 0);
        for (ReduceOp op : new ReduceOp[]{ReduceOp.SUM, ReduceOp.ARGMIN}) {
            P out = KernelsOnHostTest.zeros(op == ReduceOp.SUM ? DType.FLOAT64 : DType.INT64, 5, 40);
            CPU.reduce(op, x.c(), out.c());
            reduce(op, x.h(), out.h());
            KernelsOnHostTest.same(out, 1e-12, 1e-12, op + " over a strided axis");
        }
    }

    @Test
    void tiledGemmWithTransposedAndBroadcastOperands() throws Throwable {
        int b = 2, m = 70, k = 130, n = 66;
        for (DType t : new DType[]{DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64}) {
            P at = data.rand(t, false, b, k, m).view(new int[]{b, m, k}, new int[]{k * m, 1, m}, 0);
            P shared = data.rand(t, false, k, n + 3).view(new int[]{b, k, n}, new int[]{0, n + 3, 1}, 2);
            P out = KernelsOnHostTest.zeros(t, b, m, n);
            CPU.matmul(at.c(), shared.c(), out.c());
            for (Launch l : KernelPlans.gemm(at.h(), shared.h(), out.h())) run(l);
            KernelsOnHostTest.same(out, t == DType.FLOAT32 ? 1e-4 : 1e-12, t == DType.FLOAT32 ? 1e-4 : 1e-12, "gemm " + t);
        }
    }
}
