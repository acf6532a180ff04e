package dev.ember.nn.lm;

import java.util.Arrays;
import java.util.Random;

/**
 * Picks a token from one row of logits as {@link GenerationConfig} says: repetition penalty, then temperature,
 * top-k and top-p, then a draw (or the arg-max when greedy). Works on host arrays: one row of the vocabulary per
 * step is cheap to copy, and the sort that top-p needs is simpler here.
 */
final class Sampler {
    private final GenerationConfig config;
    private final Random random;

    Sampler(GenerationConfig config, int sequence) {
        this.config = config;
        this.random = new Random(config.seed() + sequence);
    }

    /** The next token given {@code logits} (modified) and the tokens of the sequence so far (for the penalty). */
    int next(float[] logits, int[] seen, int seenCount) {
        double penalty = config.repetitionPenalty();
        if (penalty != 1) {
            boolean[] done = new boolean[logits.length];
            for (int i = 0; i < seenCount; i++) {
                int t = seen[i];
                if (t < 0 || t >= logits.length || done[t]) continue;
                done[t] = true;
                logits[t] = (float) (logits[t] > 0 ? logits[t] / penalty : logits[t] * penalty);
            }
        }
        if (config.greedy()) return argmax(logits);
        int v = logits.length;
        double[] p = new double[v];
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) max = Math.max(max, x);
        Integer[] order = null;
        int keep = v;
        if (config.topK() > 0 && config.topK() < v) {
            float[] sorted = logits.clone();
            Arrays.sort(sorted);
            float kth = sorted[v - config.topK()];
            for (int i = 0; i < v; i++) if (logits[i] < kth) logits[i] = Float.NEGATIVE_INFINITY; // ties at the k-th stay, as HF
        }
        double sum = 0;
        for (int i = 0; i < v; i++) {
            p[i] = logits[i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp((logits[i] - max) / config.temperature());
            sum += p[i];
        }
        for (int i = 0; i < v; i++) p[i] /= sum;
        if (config.topP() < 1) {
            order = new Integer[v];
            for (int i = 0; i < v; i++) order[i] = i;
            double[] probs = p;
            Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
            double cum = 0;
            keep = 0;
            while (keep < v) {
                cum += p[order[keep]];
                keep++;
                if (cum >= config.topP()) break;
            }
            double kept = 0;
            for (int i = 0; i < v; i++) {
                if (i >= keep) p[order[i]] = 0;
            }
            for (double x : p) kept += x;
            for (int i = 0; i < v; i++) p[i] /= kept;
        }
        double u = random.nextDouble(), acc = 0;
        int last = -1;
        for (int i = 0; i < v; i++) {
            if (p[i] == 0) continue;
            last = i;
            acc += p[i];
            if (u < acc) return i;
        }
        return last; // rounding left u just above the total
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
