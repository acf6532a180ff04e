package dev.ember.llm.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.autograd.GradCheck;
import dev.ember.llm.eval.RewardMetrics;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The DPO loss, margins and accuracy against float64 scalar code. */
class DpoLossTest {
    @AfterEach
    void restore() { Ember.setDefaultDType(DType.FLOAT32); }

    /** -log(sigmoid(z)) in float64, stable on both sides. */
    static double negLogSigmoid(double z) { return z >= 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z)); }

    @Test
    void lossOfLogProbabilitiesMatchesScalarFloat64() {
        Random r = new Random(4);
        int n = 7;
        double[] pc = new double[n], pr = new double[n], rc = new double[n], rr = new double[n];
        double beta = 0.1, expected = 0;
        for (int i = 0; i < n; i++) {
            pc[i] = -r.nextDouble() * 40;
            pr[i] = -r.nextDouble() * 40;
            rc[i] = -r.nextDouble() * 40;
            rr[i] = -r.nextDouble() * 40;
            expected += negLogSigmoid(beta * ((pc[i] - rc[i]) - (pr[i] - rr[i])));
        }
        expected /= n;
        Tensor loss = DpoLoss.loss(Tensor.of(pc, n), Tensor.of(pr, n), Tensor.of(rc, n), Tensor.of(rr, n), beta);
        assertEquals(DType.FLOAT64, loss.dtype());
        assertEquals(expected, loss.item(), 1e-14);
        // large margins stay finite (softplus, not log(sigmoid))
        assertEquals(negLogSigmoid(-800), DpoLoss.loss(Tensor.of(new double[]{0}, 1), Tensor.of(new double[]{800}, 1), Tensor.of(new double[]{0}, 1),
                Tensor.of(new double[]{0}, 1), 1).item(), 1e-9);
        GradCheck.assertGradients(in -> DpoLoss.loss(in[0], in[1], in[2], in[3], 0.5), Tensor.of(pc, n).requiresGrad(true),
                Tensor.of(pr, n).requiresGrad(true), Tensor.of(rc, n), Tensor.of(rr, n));
    }

    @Test
    void lossFromLogitsSumsAnswerTokensOnly() {
        Ember.setDefaultDType(DType.FLOAT64);
        Ember.manualSeed(2);
        int b = 2, t = 3, v = 5;
        Tensor logits = Tensor.randn(b, 4, t, v);
        long X = -100;
        long[] targets = {X, 1, 2, /* rejected */ X, X, 4, /* pair 2 */ 0, 3, X, X, 2, 2};
        Tensor tg = Tensor.of(targets, b, 2, t);
        double[] l = logits.toDoubleArray();
        double beta = 0.3, loss = 0;
        double[] margins = new double[b];
        for (int i = 0; i < b; i++) {
            double[] s = new double[4];
            for (int k = 0; k < 4; k++)
                for (int p = 0; p < t; p++) {
                    long target = targets[(i * 2 + k % 2) * t + p];
                    if (target == X) continue;
                    int base = ((i * 4 + k) * t + p) * v;
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int c = 0; c < v; c++) max = Math.max(max, l[base + c]);
                    for (int c = 0; c < v; c++) sum += Math.exp(l[base + c] - max);
                    s[k] += l[base + (int) target] - max - Math.log(sum);
                }
            margins[i] = beta * ((s[0] - s[2]) - (s[1] - s[3]));
            loss += negLogSigmoid(margins[i]);
        }
        assertEquals(loss / b, new DpoLoss(beta).forward(logits, tg).item(), 1e-12);
        assertArrayEquals(margins, DpoLoss.margins(logits, tg, beta).toDoubleArray(), 1e-12);
        RewardMetrics m = new RewardMetrics(beta);
        m.update(logits, tg);
        assertEquals((margins[0] + margins[1]) / 2, m.meanMargin(), 1e-12);
        assertEquals(((margins[0] > 0 ? 1 : 0) + (margins[1] > 0 ? 1 : 0)) / 2.0, m.rewardAccuracy(), 0);
        assertThrows(IllegalArgumentException.class, () -> new DpoLoss(0));
        assertThrows(IllegalArgumentException.class, () -> new DpoLoss(beta).forward(logits, Tensor.of(targets, b, 6)));
    }
}
