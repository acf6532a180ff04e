package dev.ember.backend.opencl;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.Strided;
import java.util.Arrays;
import java.util.Random;

/**
 * Measures the OpenCL GEMM kernel ({@code C = A @ B}, float32, n x n) for the record; not a unit
 * test. Run: {@code java -cp <test classpath> dev.ember.backend.opencl.OpenClGemmBenchmark 512 1024}.
 * Prints the median and range of 5 timed runs after 2 warm-ups, each ending in a host sync.
 */
public final class OpenClGemmBenchmark {
    private OpenClGemmBenchmark() {}

    /** Benchmarks each size given (default 512 and 1024) on {@code Device.opencl()}. */
    public static void main(String[] args) {
        Backends.Family f = Backends.family(Device.OPENCL_TYPE);
        if (!f.available()) {
            System.out.println("no OpenCL device: " + f.reason());
            return;
        }
        Backend cl = Backends.of(Device.opencl());
        System.out.println("device: " + cl.name());
        for (String a : args.length == 0 ? new String[]{"512", "1024"} : args) {
            int n = Integer.parseInt(a);
            Random rnd = new Random(1);
            float[] host = new float[n * n];
            for (int i = 0; i < host.length; i++) host[i] = rnd.nextFloat() - 0.5f;
            Strided x = Strided.contiguous(cl.fromHost(DType.FLOAT32, host), 1, n, n);
            Strided y = Strided.contiguous(cl.fromHost(DType.FLOAT32, host), 1, n, n);
            Strided out = Strided.contiguous(cl.allocate(DType.FLOAT32, n * n), 1, n, n);
            double[] gflops = new double[5];
            for (int r = -2; r < 5; r++) {
                long t0 = System.nanoTime();
                cl.matmul(x, y, out);
                cl.synchronize();
                double s = (System.nanoTime() - t0) * 1e-9;
                if (r >= 0) gflops[r] = 2.0 * n * n * n / s * 1e-9;
            }
            Arrays.sort(gflops);
            System.out.printf("sgemm n=%d: median %.2f GFLOP/s (range %.2f-%.2f)%n", n, gflops[2], gflops[0], gflops[4]);
        }
    }
}
