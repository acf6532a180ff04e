package dev.ember.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Perplexity} against exp of the mean negative log-likelihood computed in float64 loops. */
class PerplexityTest {
    @Test
    void streamsExpOfTheMeanCrossEntropyOverEveryToken() {
        Random r = new Random(5);
        int vocab = 7;
        Perplexity p = new Perplexity();
        double nats = 0;
        long tokens = 0;
        for (int[] shape : new int[][]{{2, 3}, {1, 5}}) { // two batches of [batch, T] windows
            int n = shape[0] * shape[1];
            float[] logits = new float[n * vocab];
            long[] target = new long[n];
            for (int i = 0; i < logits.length; i++) logits[i] = (float) (3 * r.nextGaussian());
            for (int i = 0; i < n; i++) {
                target[i] = r.nextInt(vocab);
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int v = 0; v < vocab; v++) max = Math.max(max, logits[i * vocab + v]);
                for (int v = 0; v < vocab; v++) sum += Math.exp(logits[i * vocab + v] - max);
                nats += max + Math.log(sum) - logits[i * vocab + (int) target[i]];
            }
            tokens += n;
            p.update(Tensor.of(logits, shape[0], shape[1], vocab), Tensor.of(target, shape[0], shape[1]));
        }
        assertEquals(Math.exp(nats / tokens), p.compute(), 1e-5 * Math.exp(nats / tokens));
        p.reset();
        assertTrue(Double.isNaN(p.compute()), "no tokens seen: NaN");
    }

    @Test
    void badTargetsAreErrors() {
        Perplexity p = new Perplexity();
        Tensor logits = Tensor.zeros(2, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> p.update(logits, Tensor.of(new long[]{0, 3}, 2)));
        assertTrue(e.getMessage().contains("token 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> p.update(logits, Tensor.of(new long[]{0, 1, 2}, 3)));
        assertTrue(e.getMessage().contains("2 predictions for 3 targets"), e.getMessage());
    }
}
