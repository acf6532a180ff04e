package dev.ember;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link Ember#autocast}: the scope's lifetime (per thread, nesting), the dtype each op list runs in, results
 * equal bit for bit to the same program with the casts written out, and float32 gradients for float32
 * master weights.
 */
class AutocastTest {
    private static Tensor randn(long seed, long... shape) {
        Ember.manualSeed(seed);
        return Tensor.randn(shape);
    }

    @Test
    void scopesNestPerThread() throws Exception {
        assertFalse(Autocast.isEnabled());
        try (var outer = Ember.autocast(DType.BFLOAT16)) {
            assertEquals(Optional.of(DType.BFLOAT16), Autocast.dtype());
            try (var inner = Ember.autocast(DType.FLOAT16)) {
                assertEquals(Optional.of(DType.FLOAT16), Autocast.dtype());
                assertFalse(CompletableFuture.supplyAsync(Autocast::isEnabled).get(), "another thread is not in the scope");
            }
            assertEquals(Optional.of(DType.BFLOAT16), Autocast.dtype(), "closing the inner scope restores the outer one");
            try (var off = Autocast.suspend()) {
                assertFalse(Autocast.isEnabled());
            }
            assertTrue(Autocast.isEnabled());
        }
        assertFalse(Autocast.isEnabled());
        assertThrows(IllegalArgumentException.class, () -> Ember.autocast(DType.FLOAT32));
    }

    @Test
    void productsRunIn16BitsAndReductionsInFloat32() {
        Tensor a = randn(1, 4, 8), b = randn(2, 8, 3), img = randn(3, 2, 3, 6, 6), w = randn(4, 5, 3, 3, 3), bias = randn(5, 5);
        Tensor h = randn(6, 4, 8).to(DType.BFLOAT16);
        try (var ac = Ember.autocast(DType.BFLOAT16)) {
            Tensor p = a.matmul(b);
            assertEquals(DType.BFLOAT16, p.dtype(), "matmul of float32 inputs");
            assertArrayEquals(a.to(DType.BFLOAT16).matmul(b.to(DType.BFLOAT16)).toBits(), p.toBits(), "the casts written out give the same bits");
            Tensor c = img.conv2d(w, bias, 1, 1);
            assertEquals(DType.BFLOAT16, c.dtype(), "conv2d");
            try (var off = Autocast.suspend()) {
                assertArrayEquals(img.to(DType.BFLOAT16).conv2d(w.to(DType.BFLOAT16), bias.to(DType.BFLOAT16), 1, 1).toBits(), c.toBits());
            }
            assertEquals(DType.FLOAT64, a.to(DType.FLOAT64).matmul(b.to(DType.FLOAT64)).dtype(), "float64 is not cast");
            for (Tensor r : new Tensor[]{h.sum(), h.sum(1), h.mean(), h.var(), h.softmax(1), h.logSoftmax(1), h.logsumexp(1, false),
                    h.exp(), h.log(), h.pow(2.0), h.pow(h), h.rsqrt(), h.reciprocal(), h.softplus()})
                assertEquals(DType.FLOAT32, r.dtype(), "the float32 list");
            assertArrayEquals(h.to(DType.FLOAT32).softmax(1).toFloatArray(), h.softmax(1).toFloatArray(), "softmax of the float32 values");
            assertEquals(DType.BFLOAT16, h.relu().dtype(), "other ops keep their input's type");
            assertEquals(DType.BFLOAT16, h.max().dtype(), "max is exact in any type");
            assertEquals(DType.FLOAT32, h.add(a).dtype(), "and promote mixed inputs");
        }
        assertEquals(DType.FLOAT32, a.matmul(b).dtype(), "after the scope, float32 again");
        assertEquals(DType.BFLOAT16, h.sum().dtype());
    }

    @Test
    void masterWeightsGetFloat32GradientsOfThe16BitProgram() {
        Tensor x = randn(7, 6, 8);
        Tensor w = randn(8, 5, 8).requiresGrad(true), b = randn(9, 5).requiresGrad(true);
        try (var ac = Ember.autocast(DType.BFLOAT16)) {
            Tensor logits = x.matmul(w.t()).add(b.to(DType.BFLOAT16));
            assertEquals(DType.BFLOAT16, logits.dtype());
            Tensor loss = logits.logSoftmax(1).select(1, 2).mean().neg();
            assertEquals(DType.FLOAT32, loss.dtype());
            loss.backward(); // inside the scope: the backward pass runs in the forward's dtypes anyway
        }
        assertEquals(DType.FLOAT32, w.grad().dtype(), "the master weight's gradient is float32");
        assertEquals(DType.FLOAT32, b.grad().dtype());
        // the same program with its casts written out, differentiated outside any scope
        Tensor w2 = w.detach().requiresGrad(true), b2 = b.detach().requiresGrad(true);
        Tensor logits = x.to(DType.BFLOAT16).matmul(w2.to(DType.BFLOAT16).t()).add(b2.to(DType.BFLOAT16));
        logits.to(DType.FLOAT32).logSoftmax(1).select(1, 2).mean().neg().backward();
        assertArrayEquals(w2.grad().toFloatArray(), w.grad().toFloatArray());
        assertArrayEquals(b2.grad().toFloatArray(), b.grad().toFloatArray());
    }
}
