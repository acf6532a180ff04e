import dev.ember.*;
import java.util.function.Supplier;
/**
 * FLOAT16 and BFLOAT16 ops on a device (default {@code opencl}): the median of 15 timings after 5 warm-ups, with the
 * range, and the most the device allocator's peak grew during one op (its result included). docs/half-precision.md
 * has the figures before and after the GPU backends got 16-bit kernels.
 *
 * <p>Run with the shaded jar and JDK 25: {@code $JAVA_HOME/bin/java --add-modules jdk.incubator.vector -cp
 * ember-cli/target/ember-cli-0.1.0-SNAPSHOT-all.jar benchmarks/gpu/HalfKernels.java opencl}
 */
public class HalfKernels {
    public static void main(String[] a) {
        Device dev = Device.parse(a.length > 0 ? a[0] : "opencl");
        for (DType t : new DType[]{DType.BFLOAT16, DType.FLOAT16}) {
            Ember.manualSeed(1);
            Tensor x = Tensor.randn(2048, 2048).to(t).to(dev), y = Tensor.randn(2048, 2048).to(t).to(dev);
            Tensor m = Tensor.randn(512, 512).to(t).to(dev), n = Tensor.randn(512, 512).to(t).to(dev);
            run(dev, t + " add [2048,2048]", () -> x.add(y));
            run(dev, t + " exp [2048,2048]", () -> x.exp());
            run(dev, t + " sum(-1) [2048,2048]", () -> x.sum(-1));
            run(dev, t + " softmax(-1) [2048,2048]", () -> x.softmax(-1));
            run(dev, t + " matmul 512^3", () -> m.matmul(n));
        }
    }
    static void run(Device dev, String what, Supplier<Tensor> op) {
        for (int i = 0; i < 5; i++) { op.get().close(); }
        Ember.synchronize(dev);
        double[] ms = new double[15];
        long grew = 0;
        for (int i = 0; i < ms.length; i++) {
            long before = Ember.memoryStats(dev).allocated();
            Ember.resetPeakMemoryStats(dev);
            long t0 = System.nanoTime();
            Tensor r = op.get();
            Ember.synchronize(dev);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            grew = Math.max(grew, Ember.memoryStats(dev).peak() - before);
            r.close();
        }
        java.util.Arrays.sort(ms);
        System.out.printf("%-28s %8.2f ms  [%6.2f-%6.2f]  peak +%5.1f MB%n", what, ms[7], ms[0], ms[14], grew / 1e6);
    }
}
