import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Two Ember core jars in one JVM, each in its own class loader, timing the same {@code Tensor.matmul} in turns of half a
 * second: a before/after comparison that this VM's drift (its vCPUs change speed by 10-20% within minutes) moves equally
 * on both sides, where JVMs run one after the other measure the drift as much as the change. Prints the median GFLOP/s of
 * each turn after four warm-up turns, one line per jar.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector benchmarks/tools/jar-ab/JarAB.java BEFORE.jar AFTER.jar THREADS [B x]M x K x N
 *   e.g. ... old.jar new.jar 1 64x128x128x32     (64 products of [128,128] @ [128,32])
 * </pre>
 * Give the JVM {@code -XX:UseAVX=2} for the 8-lane kernels; pin it with {@code taskset -c N} for one-thread rows.
 */
public class JarAB {
    public static void main(String[] args) throws Exception {
        if (args.length != 4) throw new IllegalArgumentException("usage: JarAB BEFORE.jar AFTER.jar THREADS [Bx]MxKxN");
        int threads = Integer.parseInt(args[2]);
        long[] d = java.util.Arrays.stream(args[3].split("x")).mapToLong(Long::parseLong).toArray();
        if (d.length < 3 || d.length > 4) throw new IllegalArgumentException("shape: MxKxN or BxMxKxN, got " + args[3]);
        long b = d.length == 4 ? d[0] : 1, m = d[d.length - 3], k = d[d.length - 2], n = d[d.length - 1];
        Object[] x = new Object[2], w = new Object[2];
        Method[] matmul = new Method[2], close = new Method[2];
        for (int j = 0; j < 2; j++) {
            var loader = new URLClassLoader(new URL[]{new java.io.File(args[j]).toURI().toURL()}, JarAB.class.getClassLoader().getParent());
            Class<?> tensor = loader.loadClass("dev.ember.Tensor");
            loader.loadClass("dev.ember.Ember").getMethod("setNumThreads", int.class).invoke(null, threads);
            Method randn = tensor.getMethod("randn", long[].class);
            x[j] = randn.invoke(null, (Object) (b == 1 ? new long[]{m, k} : new long[]{b, m, k}));
            w[j] = randn.invoke(null, (Object) (b == 1 ? new long[]{k, n} : new long[]{b, k, n}));
            matmul[j] = tensor.getMethod("matmul", tensor);
            close[j] = tensor.getMethod("close");
        }
        double flop = 2.0 * b * m * k * n;
        StringBuilder[] out = {new StringBuilder("before"), new StringBuilder("after ")};
        for (int turn = 0; turn < 14; turn++)
            for (int j = 0; j < 2; j++) {
                List<Double> seconds = new ArrayList<>();
                long end = System.nanoTime() + 500_000_000L;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    close[j].invoke(matmul[j].invoke(x[j], w[j])); // released, as GemmBench does
                    seconds.add((System.nanoTime() - t0) / 1e9);
                }
                Collections.sort(seconds);
                if (turn >= 4) out[j].append(String.format(" %.0f", flop / seconds.get(seconds.size() / 2) / 1e9));
            }
        System.out.println(args[3] + ", " + threads + " thread(s), GFLOP/s per turn\n" + out[0] + "\n" + out[1]);
    }
}
