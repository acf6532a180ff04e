package dev.ember.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.io.SafeTensors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GradScaler}: the dynamic scale (growth after the interval, backoff and a skipped step on a non-finite
 * gradient), unscaling exactly, what scaling saves in a FLOAT16 autocast backward pass, and its state in a
 * checkpoint.
 */
class GradScalerTest {
    @TempDir
    Path dir;

    private static Tensor param(float... v) { return Tensor.of(v).requiresGrad(true); }

    @Test
    void growsAfterTheIntervalAndBacksOffSkippingTheStep() {
        Tensor w = param(1f, 2f, 3f);
        Optimizer opt = new SGD(List.of(w), 0.5);
        GradScaler scaler = new GradScaler(8, 2, 0.5, 2, true);
        for (int step = 0; step < 2; step++) {
            opt.zeroGrad();
            scaler.scale(w.sum()).backward();
            assertArrayEquals(new float[]{8, 8, 8}, w.grad().toFloatArray(), "the loss was scaled by 8");
            assertTrue(scaler.step(opt));
            assertArrayEquals(new float[]{1, 1, 1}, w.grad().toFloatArray(), "the step saw the unscaled gradient");
            scaler.update();
        }
        assertArrayEquals(new float[]{0, 1, 2}, w.toFloatArray(), "two steps of lr 0.5 with gradient 1");
        assertEquals(16, scaler.getScale(), "doubled after growthInterval = 2 finite steps");
        opt.zeroGrad();
        scaler.scale(w.mul(Tensor.of(new float[]{1, Float.POSITIVE_INFINITY, 1})).sum()).backward();
        assertFalse(scaler.step(opt), "a non-finite gradient skips the step");
        scaler.update();
        assertArrayEquals(new float[]{0, 1, 2}, w.toFloatArray(), "the parameters are unchanged");
        assertEquals(8, scaler.getScale(), "halved");
        opt.zeroGrad();
        scaler.scale(w.sum()).backward();
        assertTrue(scaler.step(opt));
        scaler.update();
        assertEquals(8, scaler.getScale(), "the growth counter restarted after the backoff");
    }

    @Test
    void unscaleThenClipThenStep() {
        Tensor w = param(3f, 4f), v = param(3f, 4f);
        Optimizer opt = new SGD(List.of(w), 1.0);
        GradScaler scaler = new GradScaler();
        scaler.scale(w.square().sum()).backward();
        v.square().sum().backward();
        scaler.unscale(opt);
        assertArrayEquals(v.grad().toFloatArray(), w.grad().toFloatArray(), "unscaling by a power of 2 is exact");
        assertThrows(IllegalStateException.class, () -> scaler.unscale(opt), "once per update");
        GradClipping.clipGradNorm(List.of(w), 1.0);
        assertTrue(scaler.step(opt), "step does not unscale twice");
        assertArrayEquals(new float[]{3 - 0.6f, 4 - 0.8f}, w.toFloatArray(), 1e-5f);
        scaler.update();
    }

    @Test
    void scalingKeepsGradientsThatFloat16WouldFlushToZero() {
        Ember.manualSeed(3);
        Tensor x = Tensor.randn(8, 4), w0 = Tensor.randn(4, 3);
        // the loss's gradient (1e-9 per element) is below FLOAT16's smallest subnormal (6e-8)
        Tensor exact = w0.clone().requiresGrad(true);
        x.matmul(exact).sum().mul(1e-9).backward();
        Tensor plain = w0.clone().requiresGrad(true);
        try (var ac = Ember.autocast(DType.FLOAT16)) {
            x.matmul(plain).sum().mul(1e-9).backward();
        }
        assertEquals(0, plain.grad().abs().max().item(), "without scaling, the FLOAT16 backward pass flushes it to zero");
        Tensor scaled = w0.clone().requiresGrad(true);
        Optimizer opt = new SGD(List.of(scaled), 0.0);
        GradScaler scaler = new GradScaler();
        try (var ac = Ember.autocast(DType.FLOAT16)) {
            scaler.scale(x.matmul(scaled).sum().mul(1e-9)).backward();
        }
        scaler.unscale(opt);
        float[] e = exact.grad().toFloatArray(), a = scaled.grad().toFloatArray();
        for (int i = 0; i < e.length; i++)
            assertEquals(e[i], a[i], Math.abs(e[i]) * 2e-3, "element " + i + ": the scaled FLOAT16 gradient keeps 11 bits");
        assertEquals(DType.FLOAT32, scaled.grad().dtype(), "master weights stay float32");
    }

    @Test
    void refusesFloat16GradientsAndPassesThroughWhenDisabled() {
        Tensor h = Tensor.of(new float[]{1, 2}).to(DType.FLOAT16).requiresGrad(true);
        Optimizer opt = new SGD(List.of(h), 0.1);
        h.sum().backward();
        assertThrows(IllegalArgumentException.class, () -> new GradScaler().step(opt));
        GradScaler off = new GradScaler(8, 2, 0.5, 2, false);
        Tensor w = param(1f);
        Optimizer o2 = new SGD(List.of(w), 1.0);
        off.scale(w.sum()).backward();
        assertEquals(1, w.grad().item(), "disabled: the loss is not scaled");
        assertTrue(off.step(o2));
        off.update();
        assertEquals(1, off.getScale());
        assertThrows(IllegalArgumentException.class, () -> new GradScaler(0, 2, 0.5, 1, true));
        assertThrows(IllegalArgumentException.class, () -> new GradScaler(1, 2, 1.5, 1, true));
    }

    @Test
    void stateGoesIntoACheckpoint() {
        GradScaler a = new GradScaler(1024, 2, 0.5, 3, true);
        Tensor w = param(1f);
        Optimizer opt = new SGD(List.of(w), 0.1);
        for (int i = 0; i < 2; i++) { // two finite steps: the growth counter is at 2
            opt.zeroGrad();
            a.scale(w.sum()).backward();
            a.step(opt);
            a.update();
        }
        Map<String, Tensor> state = a.stateDict();
        assertEquals(List.of("scale", "growth_factor", "backoff_factor", "growth_interval", "_growth_tracker"), List.copyOf(state.keySet()));
        Path p = dir.resolve("scaler.safetensors");
        SafeTensors.write(p, state);
        GradScaler b = new GradScaler(1, 2, 0.5, 3, true);
        b.loadStateDict(SafeTensors.read(p));
        assertEquals(1024, b.getScale());
        Tensor v = param(1f);
        Optimizer o2 = new SGD(List.of(v), 0.1);
        b.scale(v.sum()).backward();
        b.step(o2);
        b.update();
        assertEquals(2048, b.getScale(), "the restored counter reaches the interval on the next finite step");
        Map<String, Tensor> bad = new java.util.LinkedHashMap<>(state);
        bad.put("growth_interval", Tensor.scalar(5, DType.INT64));
        assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(bad));
        bad.put("growth_interval", Tensor.scalar(3, DType.INT64));
        bad.put("scale", Tensor.scalar(-1, DType.FLOAT64));
        assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(bad));
        assertEquals(2048, b.getScale(), "a refused state changes nothing");
    }
}
