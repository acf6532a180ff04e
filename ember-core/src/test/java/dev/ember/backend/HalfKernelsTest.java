package dev.ember.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Normalization;
import dev.ember.Tensor;
import dev.ember.testing.Checks;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * FLOAT16 and BFLOAT16 ops on every device compute in float32 and round once: each result is, bit for bit, the
 * same op on the float32 widening of the inputs, rounded to the 16-bit type (the definition the conformance
 * suite checks against float64 within half a unit in the last place). On a GPU the 16-bit kernels widen as they
 * load and round as they store, so an op also allocates nothing but its result: no float32 copies of its
 * operands (a regression test for the conversion passes the backend made before it had 16-bit kernels).
 */
@Tag("devices")
class HalfKernelsTest {
    static Stream<Device> devices() { return Checks.devices().stream(); }

    private static final DType[] TYPES = {DType.FLOAT16, DType.BFLOAT16};

    @ParameterizedTest
    @MethodSource("devices")
    void opsRoundOnceFromTheirFloat32Result(Device dev) {
        for (DType t : TYPES) {
            Ember.manualSeed(7);
            Tensor x = Tensor.randn(300, 257).mul(3).to(t).to(dev), y = Tensor.randn(300, 257).to(t).to(dev);
            Tensor row = Tensor.randn(257).to(t).to(dev);
            Tensor big = Tensor.randn(200_003).to(t).to(dev); // long enough for a GPU's two-pass reduction
            Tensor index = Tensor.randint(0, 300, 40, 257).to(dev);
            Tensor longIndex = Tensor.randint(0, 300, 600, 257).to(dev);
            Tensor src = Tensor.randn(40, 257).to(t).to(dev), longSrc = Tensor.randn(600, 257).to(t).to(dev);
            same(t, dev, "exp", x, a -> a.exp());
            same(t, dev, "tanh", x, a -> a.tanh());
            same(t, dev, "clamp", x, a -> a.clamp(-1.5, 2.25));
            same(t, dev, "pow 1.5 of |x|", x, a -> a.abs().pow(1.5));
            same(t, dev, "add", x, a -> a.add(widenLike(a, y)));
            same(t, dev, "div by a broadcast row", x, a -> a.div(widenLike(a, row)));
            Tensor tenth = Tensor.scalar(0.1).to(t).to(dev);
            same(t, dev, "mul by a 0-d tensor", x, a -> a.mul(widenLike(a, tenth)));
            same(t, dev, "where", x, a -> Tensor.where(a.gt(0), a, widenLike(a, y)));
            same(t, dev, "sum over rows", x, a -> a.sum(-1));
            same(t, dev, "sum over columns", x, a -> a.sum(0));
            same(t, dev, "sum of 200,003", big, a -> a.sum());
            same(t, dev, "max of 200,003", big, a -> a.max());
            // softmax is one kernel on a GPU (FusedSoftmax), which computes in float32 in one pass: within a unit
            close(t, dev, "softmax", x, a -> a.softmax(-1));
            close(t, dev, "logSoftmax", x, a -> a.logSoftmax(-1));
            Tensor w = Tensor.randn(257).to(dev), b = Tensor.randn(257).to(dev);
            close(t, dev, "layerNorm", x, a -> Normalization.layerNorm(a, new long[]{257}, w, b, 1e-5));
            close(t, dev, "rmsNorm", x, a -> Normalization.rmsNorm(a, new long[]{257}, w, 1e-5));
            same(t, dev, "gather", x, a -> a.gather(0, index));
            same(t, dev, "scatter-add, 40 per column", x, a -> a.scatterAdd(0, index, widenLike(a, src)));
            same(t, dev, "transposed copy", x, a -> a.transpose(0, 1).contiguous());
            // the order of a 600-long scatter on a GPU is its atomic kernel's, so it is compared within a unit
            close(t, dev, "scatter-add, 600 per column", x, a -> a.scatterAdd(0, longIndex, widenLike(a, longSrc)));
            close(t, dev, "matmul", x, a -> a.matmul(widenLike(a, y).transpose(0, 1)));
            assertArrayEquals(x.argmax(-1).toLongArray(), x.to(DType.FLOAT32).argmax(-1).toLongArray(), t + " argmax on " + dev);
            assertArrayEquals(x.gt(y).toBooleanArray(), x.to(DType.FLOAT32).gt(y.to(DType.FLOAT32)).toBooleanArray(),
                    t + " gt on " + dev);
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void aGpuOpAllocatesOnlyItsResult(Device dev) {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.isCpu(), "the CPU computes some 16-bit ops through float32 buffers");
        for (DType t : TYPES) {
            Ember.manualSeed(3);
            Tensor x = Tensor.randn(512, 1024).to(t).to(dev), y = Tensor.randn(512, 1024).to(t).to(dev);
            Tensor index = Tensor.randint(0, 512, 16, 1024).to(dev), src = Tensor.randn(16, 1024).to(t).to(dev);
            long result = 512L * 1024 * 2;
            bounded(dev, t + " exp", result, () -> x.exp());
            bounded(dev, t + " add", result, () -> x.add(y));
            Tensor mask = x.gt(y);
            bounded(dev, t + " gt", result, () -> x.gt(y));
            bounded(dev, t + " where", result, () -> Tensor.where(mask, x, y));
            bounded(dev, t + " fill", result, () -> Tensor.fullLike(x, 0.1));
            bounded(dev, t + " randn", result, () -> Tensor.randnLike(x));
            bounded(dev, t + " sum over rows", result, () -> x.sum(-1));
            bounded(dev, t + " softmax", result, () -> x.softmax(-1));
            bounded(dev, t + " logSoftmax", result, () -> x.logSoftmax(-1));
            Tensor w = Tensor.randn(1024).to(dev), b = Tensor.randn(1024).to(dev);
            bounded(dev, t + " layerNorm", result, () -> Normalization.layerNorm(x, new long[]{1024}, w, b, 1e-5));
            bounded(dev, t + " scatter-add", result, () -> x.scatterAdd(0, index, src));
            bounded(dev, t + " transposed copy", result, () -> x.transpose(0, 1).contiguous());
        }
    }

    /** {@code y} as the same dtype as {@code a} (the float32 run widens every operand). */
    private static Tensor widenLike(Tensor a, Tensor y) { return a.dtype() == y.dtype() ? y : y.to(a.dtype()); }

    private static void same(DType t, Device dev, String what, Tensor x, UnaryOperator<Tensor> op) {
        short[] got = op.apply(x).toBits();
        short[] want = op.apply(x.to(DType.FLOAT32)).to(t).toBits();
        for (int i = 0; i < want.length; i++)
            if (got[i] != want[i])
                fail(what + " in " + t + " on " + dev + ": element " + i + " is " + String.format("0x%04x", got[i])
                        + ", the float32 result rounded once is " + String.format("0x%04x", want[i]));
    }

    /** Within one unit in the last place of the rounded float32 result (a different summation order). */
    private static void close(DType t, Device dev, String what, Tensor x, UnaryOperator<Tensor> op) {
        float[] got = op.apply(x).to(DType.FLOAT32).toFloatArray();
        float[] want = op.apply(x.to(DType.FLOAT32)).to(t).to(DType.FLOAT32).toFloatArray();
        float ulp = t == DType.FLOAT16 ? 0x1p-10f : 0x1p-7f;
        for (int i = 0; i < want.length; i++)
            if (!(Math.abs(got[i] - want[i]) <= ulp * Math.abs(want[i]) + 1e-6f))
                fail(what + " in " + t + " on " + dev + ": element " + i + " is " + got[i] + ", expected " + want[i]
                        + " within one unit in the last place");
    }

    private static void bounded(Device dev, String what, long resultBytes, java.util.function.Supplier<Tensor> op) {
        Tensor warm = op.get(); // kernels compiled, the allocator's cache in its steady state
        warm.close();
        Ember.synchronize(dev);
        long before = Ember.memoryStats(dev).allocated();
        Ember.resetPeakMemoryStats(dev);
        Tensor r = op.get();
        Ember.synchronize(dev);
        long grew = Ember.memoryStats(dev).peak() - before;
        r.close();
        // Converting through float32 costs two float32 buffers the size of the result (four times its bytes)
        // per operand; a 16-bit kernel needs the result, whose 1 MiB block the GPU allocator rounds to 2 MiB (as
        // PyTorch's), and small side buffers (a norm's per-row statistics).
        assertTrue(grew <= 2 * resultBytes + 64 * 1024, what + " on " + dev + " allocated " + grew + " bytes at its peak for a "
                + resultBytes + "-byte result");
    }
}
