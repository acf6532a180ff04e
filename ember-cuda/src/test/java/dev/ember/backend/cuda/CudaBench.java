package dev.ember.backend.cuda;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Fused;
import dev.ember.Tensor;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.Philox;
import dev.ember.backend.Strided;
import dev.ember.backend.gpu.GpuBackend;
import java.util.Arrays;
import java.util.Locale;

/**
 * GPU benchmarks run by {@code ci/gpu.sh} (not a unit test): GEMM 4096^2 float32 through the chosen
 * path and through Ember's own kernel, elementwise add bandwidth against a device-to-device copy,
 * and a training step of the demo CNN. Prints {@code BENCH <name> <value> <unit>} lines; device
 * times come from CUDA events, the CNN step from wall time with a synchronize.
 */
public final class CudaBench {
    private CudaBench() {}

    /** {@code cpu-cnn} runs only the CNN step on the CPU (a check of the program on machines without a GPU). */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("cpu-cnn")) {
            cnnStep(Device.cpu(), 1, 2);
            return;
        }
        Backends.Family f = Backends.family(Device.CUDA_TYPE);
        if (!f.available()) {
            System.out.println("BENCH-SKIP CUDA unavailable: " + f.reason());
            System.exit(2);
        }
        GpuBackend<?, ?> gpu = (GpuBackend<?, ?>) f.devices().get(0);
        CudaRuntime rt = (CudaRuntime) gpu.runtime();
        System.out.println("BENCH-INFO device " + gpu.name());
        System.out.println("BENCH-INFO " + rt.gemmChoice().logLine());
        gemm(gpu, rt);
        bandwidth(gpu, rt);
        cnnStep(Device.cuda(), 5, 30);
    }

    private static Strided randn(Backend b, int... shape) {
        int n = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        Strided s = Strided.contiguous(b.allocate(DType.FLOAT32, n), shape);
        b.random(s, Philox.Distribution.NORMAL, 1, 0, 0, 1);
        return s;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void gemm(GpuBackend<?, ?> gpu, CudaRuntime rt) {
        int n = 4096;
        Strided a = randn(gpu, 1, n, n), b = randn(gpu, 1, n, n), c = randn(gpu, 1, n, n);
        double flop = 2.0 * n * n * n;
        for (int w = 0; w < 3; w++) gpu.matmul(a, b, c);
        double[] runs = new double[5];
        for (int r = 0; r < runs.length; r++) runs[r] = rt.time(() -> { for (int i = 0; i < 10; i++) gpu.matmul(a, b, c); }) / 10;
        System.out.printf(Locale.ROOT, "BENCH gemm4096_f32_%s %.1f TFLOP/s%n", rt.gemmChoice().path().name().toLowerCase(Locale.ROOT),
                flop / (median(runs) * 1e-3) / 1e12);
        for (Strided s : new Strided[]{a, b, c}) s.storage().close();
        // Ember's own kernel: a second backend on the same device whose runtime was told to use no BLAS.
        System.setProperty("ember.cuda.gemm", "kernel");
        CudaRuntime kernelRt = new CudaRuntime(rt.index);
        System.clearProperty("ember.cuda.gemm");
        var kernel = new GpuBackend<>(kernelRt, Device.cuda(rt.index));
        Strided ka = randn(kernel, 1, n, n), kb = randn(kernel, 1, n, n), kc = randn(kernel, 1, n, n);
        kernel.matmul(ka, kb, kc);
        double[] kr = new double[3];
        for (int r = 0; r < kr.length; r++) kr[r] = kernelRt.time(() -> { for (int i = 0; i < 3; i++) kernel.matmul(ka, kb, kc); }) / 3;
        System.out.printf(Locale.ROOT, "BENCH gemm4096_f32_kernel %.1f TFLOP/s%n", flop / (median(kr) * 1e-3) / 1e12);
        for (Strided s : new Strided[]{ka, kb, kc}) s.storage().close();
    }

    private static void bandwidth(GpuBackend<?, ?> gpu, CudaRuntime rt) {
        int n = 1 << 26; // 256 MiB per float32 operand
        Strided x = randn(gpu, n), y = randn(gpu, n), out = randn(gpu, n);
        gpu.binary(BinaryOp.ADD, x, y, out);
        gpu.copy(x, out);
        double[] add = new double[5], copy = new double[5];
        for (int r = 0; r < 5; r++) {
            add[r] = rt.time(() -> { for (int i = 0; i < 10; i++) gpu.binary(BinaryOp.ADD, x, y, out); }) / 10;
            copy[r] = rt.time(() -> { for (int i = 0; i < 10; i++) gpu.copy(x, out); }) / 10;
        }
        System.out.printf(Locale.ROOT, "BENCH add_f32_bandwidth %.0f GB/s%n", 3.0 * 4 * n / (median(add) * 1e-3) / 1e9);
        System.out.printf(Locale.ROOT, "BENCH d2d_copy_bandwidth %.0f GB/s%n", 2.0 * 4 * n / (median(copy) * 1e-3) / 1e9);
        for (Strided s : new Strided[]{x, y, out}) s.storage().close();
    }

    /** The demo CNN in raw tensor ops: conv(1->32)-relu-pool, conv(32->64)-relu-pool, 3136->128-relu, 128->10; Adam. */
    private static void cnnStep(Device d, int warm, int steps) {
        Ember.manualSeed(0);
        Tensor[] p = {
                Tensor.randn(32, 1, 3, 3).mul(Math.sqrt(2.0 / 9)).to(d), Tensor.zeros(32).to(d),
                Tensor.randn(64, 32, 3, 3).mul(Math.sqrt(2.0 / 288)).to(d), Tensor.zeros(64).to(d),
                Tensor.randn(3136, 128).mul(Math.sqrt(2.0 / 3136)).to(d), Tensor.zeros(128).to(d),
                Tensor.randn(128, 10).mul(Math.sqrt(2.0 / 128)).to(d), Tensor.zeros(10).to(d)};
        Tensor[] m = new Tensor[p.length], v = new Tensor[p.length];
        for (int i = 0; i < p.length; i++) {
            p[i].requiresGrad(true);
            m[i] = Tensor.zerosLike(p[i]);
            v[i] = Tensor.zerosLike(p[i]);
        }
        Tensor x = Tensor.randn(128, 1, 28, 28).to(d), y = Tensor.randint(0, 10, 128, 1).to(d);
        double first = 0, last = 0;
        long t0 = 0;
        for (int s = 0; s < warm + steps; s++) {
            if (s == warm) {
                Ember.synchronize(d);
                t0 = System.nanoTime();
            }
            Tensor h = x.conv2d(p[0], p[1], 1, 1).relu().maxPool2d(2);
            h = h.conv2d(p[2], p[3], 1, 1).relu().maxPool2d(2);
            h = h.reshape(128, 3136).matmul(p[4]).add(p[5]).relu();
            Tensor loss = h.matmul(p[6]).add(p[7]).logSoftmax(1).gather(1, y).mean().neg();
            for (Tensor t : p) t.setGrad(null);
            loss.backward();
            try (var ignored = Ember.noGrad()) {
                for (int i = 0; i < p.length; i++)
                    Fused.adamStep(p[i], p[i].grad(), m[i], v[i], 1e-3, 0.9, 0.999, 1e-8, 0, false, s + 1);
            }
            if (s == 0) first = loss.item();
            if (s == warm + steps - 1) last = loss.item();
        }
        Ember.synchronize(d);
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "BENCH cnn_train_step_b128 %.2f ms%n", secs / steps * 1e3);
        System.out.printf(Locale.ROOT, "BENCH cnn_train_throughput %.0f samples/s%n", 128.0 * steps / secs);
        System.out.printf(Locale.ROOT, "BENCH-INFO cnn loss %.4f -> %.4f over %d steps on one fixed batch%n", first, last, warm + steps);
    }
}
