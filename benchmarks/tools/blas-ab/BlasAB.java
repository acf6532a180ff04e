import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Ember's {@code Tensor.matmul} against OpenBLAS's {@code cblas_sgemm} in one process, timed in alternating turns of
 * 0.3 s: on a VM whose speed drifts by a third within minutes (a 2-vCPU Zen 3 guest, 2026-12-07), products timed in
 * separate processes minutes apart measure the drift as much as the code; turns side by side share it. Each CONFIG
 * ({@code default}, or {@code key=value,key=value} system properties such as {@code ember.gemm.kc=512}) loads the Ember
 * jar in its own class loader, whose GEMM classes read those properties when first used, so several settings and the
 * peer go round in one loop. OpenBLAS is called through the FFM API on off-heap copies of the same operands. Prints
 * each side's median GFLOP/s per turn after four warm-up turns and, per configuration, the median of its per-turn
 * ratios to OpenBLAS with their range.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED benchmarks/tools/blas-ab/BlasAB.java \
 *       EMBER_CORE.jar THREADS [Bx]MxKxN [TURNS [CONFIG...]]
 *   e.g. ... ember-core.jar 1 1024x1024x1024 24 default ember.gemm.kc=256,ember.gemm.mc=128
 * </pre>
 * OpenBLAS is found at {@code $OPENBLAS_LIB} or Debian's {@code openblas-pthread} path; its environment
 * ({@code OPENBLAS_CORETYPE=Haswell} for the AVX2 kernels) applies as usual. Give the JVM {@code -XX:UseAVX=2} for
 * Ember's 8-lane kernels and pin one-thread runs ({@code taskset -c N}). A batched shape runs OpenBLAS as a loop over
 * the batch, as NumPy's {@code matmul} does.
 */
public class BlasAB {
    public static void main(String[] args) throws Throwable {
        if (args.length < 3) throw new IllegalArgumentException("usage: BlasAB EMBER_CORE.jar THREADS [Bx]MxKxN [TURNS [CONFIG...]]");
        int threads = Integer.parseInt(args[1]), turns = args.length > 3 ? Integer.parseInt(args[3]) : 24;
        long[] d = java.util.Arrays.stream(args[2].split("x")).mapToLong(Long::parseLong).toArray();
        if (d.length < 3 || d.length > 4) throw new IllegalArgumentException("shape: MxKxN or BxMxKxN, got " + args[2]);
        int b = d.length == 4 ? (int) d[0] : 1, m = (int) d[d.length - 3], k = (int) d[d.length - 2], n = (int) d[d.length - 1];

        // One class loader per configuration: each initialises its own Ember classes under its system properties.
        List<String> configs = args.length > 4 ? List.of(args).subList(4, args.length) : List.of("default");
        int sides = configs.size() + 1;
        Object[] x = new Object[sides - 1], w = new Object[sides - 1];
        Method[] matmul = new Method[sides - 1], close = new Method[sides - 1];
        float[] hostA = null, hostB = null;
        for (int j = 0; j < sides - 1; j++) {
            var loader = new URLClassLoader(new URL[]{new java.io.File(args[0]).toURI().toURL()}, BlasAB.class.getClassLoader().getParent());
            Class<?> tensor = loader.loadClass("dev.ember.Tensor");
            loader.loadClass("dev.ember.Ember").getMethod("setNumThreads", int.class).invoke(null, threads);
            Method randn = tensor.getMethod("randn", long[].class), manualSeed = loader.loadClass("dev.ember.Ember").getMethod("manualSeed", long.class);
            manualSeed.invoke(null, 1L);
            matmul[j] = tensor.getMethod("matmul", tensor);
            close[j] = tensor.getMethod("close");
            x[j] = randn.invoke(null, (Object) (b == 1 ? new long[]{m, k} : new long[]{b, m, k}));
            w[j] = randn.invoke(null, (Object) (b == 1 ? new long[]{k, n} : new long[]{b, k, n}));
            String[] props = configs.get(j).equals("default") ? new String[0] : configs.get(j).split(",");
            for (String kv : props) System.setProperty(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            close[j].invoke(matmul[j].invoke(x[j], w[j])); // initialises the GEMM's classes under these properties
            for (String kv : props) System.clearProperty(kv.substring(0, kv.indexOf('=')));
            if (j == 0) {
                Method toArray = tensor.getMethod("toFloatArray");
                hostA = (float[]) toArray.invoke(x[0]);
                hostB = (float[]) toArray.invoke(w[0]);
            }
        }

        String lib = System.getenv().getOrDefault("OPENBLAS_LIB", "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0");
        Arena arena = Arena.global();
        SymbolLookup blas = SymbolLookup.libraryLookup(java.nio.file.Path.of(lib), arena);
        Linker linker = Linker.nativeLinker();
        var I = ValueLayout.JAVA_INT; var F = ValueLayout.JAVA_FLOAT; var P = ValueLayout.ADDRESS;
        MethodHandle sgemm = linker.downcallHandle(blas.find("cblas_sgemm").orElseThrow(),
                FunctionDescriptor.ofVoid(I, I, I, I, I, I, F, P, I, P, I, F, P, I));
        linker.downcallHandle(blas.find("openblas_set_num_threads").orElseThrow(), FunctionDescriptor.ofVoid(I))
                .invoke(threads);
        MethodHandle core = linker.downcallHandle(blas.find("openblas_get_corename").orElseThrow(), FunctionDescriptor.of(P));
        String coreName = ((MemorySegment) core.invoke()).reinterpret(64).getString(0);
        MemorySegment A = arena.allocateFrom(F, hostA);
        MemorySegment B = arena.allocateFrom(F, hostB);
        MemorySegment C = arena.allocate(F, (long) b * m * n);

        double flop = 2.0 * b * m * k * n;
        List<List<Double>> rates = new ArrayList<>(), ratios = new ArrayList<>();
        for (int j = 0; j < sides; j++) { rates.add(new ArrayList<>()); ratios.add(new ArrayList<>()); }
        for (int turn = 0; turn < turns; turn++) {
            double[] rate = new double[sides];
            for (int side = 0; side < sides; side++) {
                List<Double> seconds = new ArrayList<>();
                long end = System.nanoTime() + 300_000_000L;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    if (side < sides - 1) close[side].invoke(matmul[side].invoke(x[side], w[side])); // released, as GemmBench does
                    else for (int q = 0; q < b; q++) // CblasRowMajor = 101, CblasNoTrans = 111
                        sgemm.invoke(101, 111, 111, m, n, k, 1f, A.asSlice(4L * q * m * k), k, B.asSlice(4L * q * k * n), n,
                                0f, C.asSlice(4L * q * m * n), n);
                    seconds.add((System.nanoTime() - t0) / 1e9);
                }
                Collections.sort(seconds);
                rate[side] = flop / seconds.get(seconds.size() / 2) / 1e9;
            }
            if (turn < 4) continue;
            for (int j = 0; j < sides; j++) { rates.get(j).add(rate[j]); ratios.get(j).add(rate[j] / rate[sides - 1]); }
        }
        StringBuilder out = new StringBuilder(args[2] + ", " + threads + " thread(s), OpenBLAS " + coreName
                + ", median GFLOP/s per turn of 0.3 s, then the median of the per-turn ratios to OpenBLAS (range)");
        for (int j = 0; j < sides; j++) {
            out.append(String.format("%n%-40s", j < sides - 1 ? "ember " + configs.get(j) : "openblas"));
            for (double r : rates.get(j)) out.append(String.format(" %5.1f", r));
            List<Double> q = new ArrayList<>(ratios.get(j));
            Collections.sort(q);
            if (j < sides - 1) out.append(String.format("  | %.2f (%.2f-%.2f)", q.get(q.size() / 2), q.get(0), q.get(q.size() - 1)));
        }
        System.out.println(out);
    }
}
