package dev.ember.nn;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.nn.functional.F;
import dev.ember.optim.Adam;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * CPU results do not depend on how warm the JIT is: every unary op, softmax, logSoftmax, logsumexp,
 * cross-entropy, a few binary ops, reductions, matmul, conv2d, pooling, an Adam step and randn give the
 * same bits (forward values and gradients) in a child JVM that only interprets ({@code -Xint}: no C1,
 * no C2, so Vector API code runs its Java fallback) as on the first and on the 10,000th call here, when
 * C2 has compiled the kernels. Float32 and float64 inputs, contiguous rows with a vector tail and a
 * transposed (strided) input. The child gets this JVM's vector width ({@code -XX:UseAVX}) and thread
 * count; tagged "conformance" so the 8-lane run repeats it. See docs/determinism.md for the contract.
 */
@Tag("conformance")
class WarmupDeterminismTest {
    private static final int CALLS = 10_000;

    /** A fixed input: {@code rows x cols} values in [lo, hi), drawn from a fixed seed (not Ember's generator). */
    private static Tensor input(long seed, int rows, int cols, double lo, double hi, DType dtype) {
        var r = new SplittableRandom(seed);
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        return Tensor.of(v, rows, cols).to(dtype);
    }

    /** Forward value and input gradient of {@code f} at a fresh leaf copy of {@code x}, for a fixed upstream gradient. */
    private static Tensor[] forwardBackward(Tensor x, Function<Tensor, Tensor> f) {
        Tensor leaf = x.detach().clone().requiresGrad(true);
        Tensor y = f.apply(leaf);
        y.backward(Tensor.onesLike(y).mul(0.75));
        return new Tensor[]{y.detach(), leaf.grad()};
    }

    /** Every op of the check, by name; each returns the tensors whose bits must not change. */
    static Map<String, Supplier<Tensor[]>> ops() {
        Map<String, Supplier<Tensor[]>> ops = new LinkedHashMap<>();
        // [4, 37]: 148 contiguous elements leave a tail after 8 or 16 lanes; the ranges reach both halves of the
        // piecewise kernels (tanh, erf), exp's overflow and underflow, and log's small and subnormal inputs.
        DType f32 = DType.FLOAT32;
        Tensor x = input(1, 4, 37, -12, 12, f32), pos = input(2, 4, 37, 1e-3, 40, f32), unit = input(3, 4, 37, -0.95, 0.95, f32);
        Tensor wide = input(4, 4, 37, -120, 95, f32), strided = input(5, 37, 4, -6, 6, f32).t(), tiny = input(6, 4, 37, 1e-44, 1e-36, f32);
        Tensor target = Tensor.of(new long[]{3, 0, 36, 17});
        Map<String, Function<Tensor, Tensor>> unary = new LinkedHashMap<>();
        unary.put("exp", Tensor::exp);
        unary.put("tanh", Tensor::tanh);
        unary.put("sigmoid", Tensor::sigmoid);
        unary.put("gelu", Tensor::gelu);
        unary.put("erf", Tensor::erf);
        unary.put("softplus", Tensor::softplus);
        unary.put("sin", Tensor::sin);
        unary.put("cos", Tensor::cos);
        unary.put("tan", Tensor::tan);
        unary.put("silu", Tensor::silu);
        unary.put("expm1", Tensor::expm1);
        unary.put("relu", Tensor::relu);
        unary.put("leakyRelu", t -> t.leakyRelu(0.01));
        unary.put("neg", Tensor::neg);
        unary.put("abs", Tensor::abs);
        unary.put("square", Tensor::square);
        unary.put("clamp", t -> t.clamp(-1.5, 2.5));
        unary.put("softmax", t -> t.softmax(1));
        unary.put("logSoftmax", t -> t.logSoftmax(1));
        unary.put("crossEntropy", t -> F.crossEntropy(t, target));
        unary.put("logsumexp", t -> t.logsumexp(1, false));
        unary.put("sum", Tensor::sum);
        unary.put("var", t -> t.var(1));
        for (var e : unary.entrySet()) ops.put(e.getKey(), () -> forwardBackward(x, e.getValue()));
        // The scalar (strided) float32 path shares the vector kernels' formulas.
        for (String name : List.of("exp", "tanh", "sigmoid", "gelu", "silu", "softmax", "logSoftmax"))
            ops.put(name + " strided", () -> forwardBackward(strided, unary.get(name)));
        Map<String, Function<Tensor, Tensor>> positive = new LinkedHashMap<>();
        positive.put("log", Tensor::log);
        positive.put("log1p", Tensor::log1p);
        positive.put("sqrt", Tensor::sqrt);
        positive.put("rsqrt", Tensor::rsqrt);
        positive.put("reciprocal", Tensor::reciprocal);
        positive.put("pow", t -> t.pow(2.5));
        for (var e : positive.entrySet()) ops.put(e.getKey(), () -> forwardBackward(pos, e.getValue()));
        ops.put("exp wide", () -> forwardBackward(wide, Tensor::exp));
        ops.put("sigmoid wide", () -> forwardBackward(wide, Tensor::sigmoid));
        ops.put("tanh unit", () -> forwardBackward(unit, Tensor::tanh));
        ops.put("erf unit", () -> forwardBackward(unit, Tensor::erf));
        ops.put("gelu unit", () -> forwardBackward(unit, Tensor::gelu));
        ops.put("silu wide", () -> forwardBackward(wide, Tensor::silu));
        ops.put("tan unit", () -> forwardBackward(unit, Tensor::tan));
        ops.put("log tiny", () -> new Tensor[]{tiny.log()});
        ops.put("pow tensor", () -> forwardBackward(pos, t -> t.pow(unit.add(1.5))));
        ops.put("atan2", () -> forwardBackward(x, t -> t.atan2(unit)));
        ops.put("div", () -> forwardBackward(x, t -> t.div(pos)));
        Tensor m = input(7, 37, 21, -1, 1, f32);
        ops.put("matmul", () -> forwardBackward(x, t -> t.matmul(m)));
        // float64 runs the scalar double kernels (StrictMath).
        Tensor x64 = x.to(DType.FLOAT64), pos64 = pos.to(DType.FLOAT64);
        for (String name : List.of("exp", "tanh", "sigmoid", "gelu", "erf", "sin", "softplus", "softmax", "logSoftmax", "crossEntropy"))
            ops.put(name + " FLOAT64", () -> forwardBackward(x64, unary.get(name)));
        ops.put("log FLOAT64", () -> forwardBackward(pos64, Tensor::log));
        ops.put("pow FLOAT64", () -> forwardBackward(pos64, t -> t.pow(2.5)));
        Tensor img = input(8, 2 * 3 * 6, 6, -2, 2, DType.FLOAT32).reshape(2, 3, 6, 6);
        Tensor w = input(9, 4 * 3 * 3, 3, -1, 1, DType.FLOAT32).reshape(4, 3, 3, 3);
        ops.put("conv2d", () -> forwardBackward(img, t -> t.conv2d(w, null, 1, 1).tanh()));
        ops.put("maxPool2d", () -> forwardBackward(img, t -> t.maxPool2d(2).exp()));
        ops.put("avgPool2d", () -> forwardBackward(img, t -> t.avgPool2d(new int[]{3, 3}, new int[]{2, 2}, new int[]{1, 1}).sigmoid()));
        Tensor p0 = input(10, 4, 37, -1, 1, DType.FLOAT32);
        ops.put("adam", () -> {
            Tensor p = p0.clone().requiresGrad(true);
            var opt = new Adam(List.of(p), 1e-2);
            for (int step = 0; step < 3; step++) {
                opt.zeroGrad();
                p.sigmoid().square().sum().backward();
                opt.step();
            }
            return new Tensor[]{p.detach()};
        });
        ops.put("randn", () -> {
            Ember.manualSeed(11);
            return new Tensor[]{Tensor.randn(301), Tensor.rand(301)};
        });
        return ops;
    }

    /** A checksum of the tensors' values (NaN counted as one value, whatever its payload). */
    private static String fingerprint(Tensor[] ts) {
        var crc = new CRC32();
        for (Tensor t : ts) {
            for (double v : t.toDoubleArray()) {
                long bits = Double.doubleToLongBits(v); // float32 widens exactly
                for (int i = 0; i < 8; i++) crc.update((int) (bits >>> (8 * i)));
            }
        }
        return Long.toHexString(crc.getValue());
    }

    static Map<String, String> fingerprints(Map<String, Supplier<Tensor[]>> ops) {
        Map<String, String> out = new LinkedHashMap<>();
        ops.forEach((name, op) -> out.put(name, fingerprint(op.get())));
        return out;
    }

    /** The child's program: each op's fingerprint on its first (and only) call, one line each. */
    public static final class Probe {
        public static void main(String[] args) {
            fingerprints(ops()).forEach((name, fp) -> System.out.println("fp\t" + name + "\t" + fp));
        }
    }

    /** The fingerprints of a child JVM that interprets only, with this JVM's vector width and thread count. */
    private static Map<String, String> interpreted() throws Exception {
        List<String> flags = new ArrayList<>(List.of("-Xint", "--add-modules", "jdk.incubator.vector"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments())
            if (a.startsWith("-XX:UseAVX")) flags.add(a);
        var r = dev.ember.testing.ChildJvm.runPlain(flags, Map.of("EMBER_NUM_THREADS", String.valueOf(Ember.numThreads())), 20,
                Probe.class);
        String out = r.output();
        assertEquals(0, r.exitCode(), out);
        Map<String, String> fps = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 3 && f[0].equals("fp")) fps.put(f[1], f[2]);
        }
        return fps;
    }

    @Test
    void everyCpuOpGivesTheSameBitsInTheInterpreterAndOnTheFirstAndTenThousandthCall() throws Exception {
        Map<String, String> cold = interpreted();
        Map<String, Supplier<Tensor[]>> ops = ops();
        Map<String, String> first = fingerprints(ops);
        assertEquals(first.keySet(), cold.keySet(), "the child ran every op");
        for (int call = 2; call < CALLS; call++) for (Supplier<Tensor[]> op : ops.values()) op.get();
        Map<String, String> last = fingerprints(ops);
        List<String> differ = new ArrayList<>();
        for (String op : first.keySet()) {
            if (!first.get(op).equals(last.get(op))) differ.add(op + ": first call " + first.get(op) + ", call " + CALLS + " " + last.get(op));
            if (!cold.get(op).equals(last.get(op))) differ.add(op + ": -Xint " + cold.get(op) + ", call " + CALLS + " " + last.get(op));
        }
        if (!differ.isEmpty()) fail(differ.size() + " results changed as the JIT warmed up:\n" + String.join("\n", differ));
    }
}
