package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.io.SafeTensors;
import dev.ember.nn.functional.F;
import dev.ember.optim.Adam;
import dev.ember.optim.Optimizer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Module#to(DType)}: a model converted to BFLOAT16 or FLOAT16 keeps its integer buffers, computes
 * what the float32 model computes to 16-bit precision (forward and every parameter gradient), trains, and
 * saves and loads 16-bit safetensors.
 */
class ModuleHalfTest {
    @TempDir
    Path dir;

    private static Sequential cnn() {
        // ReLU before the batch norm: a bias right before one has a gradient of exactly 0, which 16-bit rounding turns into noise
        return new Sequential(new Conv2d(1, 4, 3, 1, 1), new ReLU(), new BatchNorm2d(4), new MaxPool2d(2), new Flatten(),
                new Linear(4 * 4 * 4, 8), new GELU(), new LayerNorm(8), new Linear(8, 3));
    }

    @Test
    void convertsFloatingPointStateOnly() {
        Module m = cnn().to(DType.BFLOAT16);
        m.stateDict().forEach((k, v) -> assertEquals(k.endsWith("num_batches_tracked") ? DType.INT64 : DType.BFLOAT16, v.dtype(), k));
        assertTrue(m.parameters().stream().allMatch(Tensor::requiresGrad));
        assertThrows(IllegalArgumentException.class, () -> m.to(DType.INT32));
        m.to(DType.FLOAT32);
        m.stateDict().forEach((k, v) -> assertEquals(k.endsWith("num_batches_tracked") ? DType.INT64 : DType.FLOAT32, v.dtype(), k));
    }

    /** Largest |a - e| over max|e|: a norm-wise relative error. */
    private static double error(Tensor expected, Tensor actual) { return error(expected, actual, 1e-6); }

    /** Largest |a - e| over the larger of max|e| and {@code floor}. */
    private static double error(Tensor expected, Tensor actual, double floor) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        double scale = floor, worst = 0;
        for (double v : e) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]));
        return worst / scale;
    }

    @Test
    void halfModelsAgreeWithFloat32ForwardAndBackward() {
        for (DType dt : new DType[]{DType.BFLOAT16, DType.FLOAT16}) {
            Ember.manualSeed(5);
            Sequential m32 = cnn(), m16 = cnn();
            m32.to(dt).to(DType.FLOAT32); // the same 16-bit-representable weights in both
            m16.loadStateDict(m32.stateDict());
            m16.to(dt);
            Tensor x = Tensor.randn(6, 1, 8, 8).to(dt);
            Tensor target = Tensor.of(new long[]{0, 2, 1, 1, 0, 2});
            Tensor out32 = m32.forward(x.to(DType.FLOAT32)), out16 = m16.forward(x);
            assertEquals(dt, out16.dtype());
            // a 16-bit unit in the last place is 2^-8 (BFLOAT16) or 2^-11 (FLOAT16) relative; a few layers compound it
            double tol = dt == DType.BFLOAT16 ? 0.025 : 0.005; // measured: 0.007 and 0.0009 forward, 0.02 and 0.003 at most for a gradient
            assertTrue(error(out32, out16) < tol, dt + " forward error " + error(out32, out16));
            F.crossEntropy(out32, target).backward();
            Tensor loss16 = F.crossEntropy(out16, target);
            assertEquals(dt, loss16.dtype());
            loss16.backward();
            Map<String, Tensor> p32 = m32.namedParameters(), p16 = m16.namedParameters();
            double largest = 0; // small gradients are measured against a hundredth of the model's largest
            for (Tensor p : p32.values()) largest = Math.max(largest, p.grad().abs().max().item());
            for (String k : p32.keySet()) {
                Tensor g16 = p16.get(k).grad();
                assertEquals(dt, g16.dtype(), k + ": the gradient keeps the parameter's dtype");
                double err = error(p32.get(k).grad(), g16, largest / 100);
                assertTrue(err < 2 * tol, dt + " gradient of " + k + ": error " + err);
            }
        }
    }

    @Test
    void aBfloat16ModelTrains() {
        Ember.manualSeed(6);
        Sequential m = cnn();
        m.to(DType.BFLOAT16);
        Optimizer opt = new Adam(m.parameters(), 1e-2);
        Tensor x = Tensor.randn(16, 1, 8, 8).to(DType.BFLOAT16);
        Tensor target = Tensor.randint(0, 3, 16);
        double first = 0, last = 0;
        for (int step = 0; step < 30; step++) {
            Tensor loss = F.crossEntropy(m.forward(x), target);
            if (step == 0) first = loss.item();
            last = loss.item();
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
        assertEquals(DType.BFLOAT16, m.parameters().get(0).dtype(), "the optimizer keeps the parameters 16-bit");
        assertTrue(last < first * 0.5, "loss " + first + " -> " + last);
    }

    @Test
    void savesAndLoadsSixteenBitWeights() {
        Module m = cnn().to(DType.BFLOAT16);
        Path p = dir.resolve("bf16.safetensors");
        m.save(p);
        assertEquals(DType.BFLOAT16, SafeTensors.read(p).get("0.weight").dtype(), "written as BF16");
        Module back = cnn().to(DType.BFLOAT16);
        back.load(p);
        assertArrayEquals(m.stateDict().get("5.weight").toBits(), back.stateDict().get("5.weight").toBits());
        Module wide = cnn(); // a float32 model loads the BF16 file, each value exactly
        wide.load(p);
        assertArrayEquals(m.stateDict().get("5.weight").toFloatArray(), wide.stateDict().get("5.weight").toFloatArray());
    }
}
