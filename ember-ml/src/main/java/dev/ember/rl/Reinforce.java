package dev.ember.rl;

import dev.ember.Ember;
import dev.ember.Fused;
import dev.ember.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * REINFORCE (Williams, 1992) with a one-hidden-layer softmax policy
 * {@code [obs] -> relu(obs W1 + b1) W2 + b2 -> [actions]}. Episodes are rolled out on the host
 * with the current weights; each update stacks a batch of episodes, computes
 * {@code -Σ_t log π(a_t | s_t) · Ĝ_t} with Ember's autograd (returns discounted by {@code gamma}
 * and standardized over the batch) and applies {@link Fused#adamStep}.
 */
public final class Reinforce {
    private final int obsSize, actions, hidden;
    private final double lr, gamma;
    private final Tensor[] params;      // W1 [obs, hidden], b1 [hidden], W2 [hidden, actions], b2 [actions]
    private final Tensor[] expAvg, expAvgSq;
    private final SplittableRandom random;
    private long step;
    private float[][] host;             // host copies of the weights for fast rollouts

    /** A policy for {@code obsSize} inputs and {@code actions} outputs with {@code hidden} units; Adam at {@code lr}; {@code seed} drives init and sampling. */
    public Reinforce(int obsSize, int actions, int hidden, double lr, double gamma, long seed) {
        this.obsSize = obsSize;
        this.actions = actions;
        this.hidden = hidden;
        this.lr = lr;
        this.gamma = gamma;
        this.random = new SplittableRandom(seed);
        Ember.manualSeed(seed);
        // PyTorch's nn.Linear default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        double a1 = 1 / Math.sqrt(obsSize), a2 = 1 / Math.sqrt(hidden);
        params = new Tensor[]{
                Tensor.rand(obsSize, hidden).mul(2 * a1).sub(a1).requiresGrad(true),
                Tensor.rand(hidden).mul(2 * a1).sub(a1).requiresGrad(true),
                Tensor.rand(hidden, actions).mul(2 * a2).sub(a2).requiresGrad(true),
                Tensor.rand(actions).mul(2 * a2).sub(a2).requiresGrad(true)};
        expAvg = new Tensor[params.length];
        expAvgSq = new Tensor[params.length];
        for (int i = 0; i < params.length; i++) {
            expAvg[i] = Tensor.zerosLike(params[i]);
            expAvgSq[i] = Tensor.zerosLike(params[i]);
        }
        refreshHost();
    }

    private void refreshHost() {
        host = new float[params.length][];
        for (int i = 0; i < params.length; i++) host[i] = params[i].toFloatArray();
    }

    /** Action probabilities for one observation, computed on the host from the current weights. */
    public double[] probabilities(double[] obs) {
        double[] h = new double[hidden];
        for (int j = 0; j < hidden; j++) {
            double s = host[1][j];
            for (int i = 0; i < obsSize; i++) s += obs[i] * host[0][i * hidden + j];
            h[j] = Math.max(s, 0);
        }
        double[] z = new double[actions];
        double max = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < actions; a++) {
            double s = host[3][a];
            for (int j = 0; j < hidden; j++) s += h[j] * host[2][j * actions + a];
            z[a] = s;
            max = Math.max(max, s);
        }
        double sum = 0;
        for (int a = 0; a < actions; a++) sum += z[a] = Math.exp(z[a] - max);
        for (int a = 0; a < actions; a++) z[a] /= sum;
        return z;
    }

    /** Samples an action from the policy. */
    public int sample(double[] obs) {
        double[] p = probabilities(obs);
        double r = random.nextDouble(), acc = 0;
        for (int a = 0; a < actions - 1; a++) if ((acc += p[a]) > r) return a;
        return actions - 1;
    }

    /** The most probable action. */
    public int greedy(double[] obs) {
        double[] p = probabilities(obs);
        int best = 0;
        for (int a = 1; a < actions; a++) if (p[a] > p[best]) best = a;
        return best;
    }

    /** One rolled-out episode: observations, actions and rewards per step. */
    public record Episode(List<double[]> observations, List<Integer> actions, List<Double> rewards) {
        /** Undiscounted return. */
        public double totalReward() { return rewards.stream().mapToDouble(Double::doubleValue).sum(); }
    }

    /** Plays one episode, sampling actions ({@code greedy = false}) or taking the most probable one. */
    public Episode play(Environment env, boolean greedy) {
        List<double[]> obs = new ArrayList<>();
        List<Integer> acts = new ArrayList<>();
        List<Double> rewards = new ArrayList<>();
        double[] o = env.reset();
        while (true) {
            int a = greedy ? greedy(o) : sample(o);
            obs.add(o);
            acts.add(a);
            Environment.Step s = env.step(a);
            rewards.add(s.reward());
            o = s.observation();
            if (s.done()) return new Episode(obs, acts, rewards);
        }
    }

    /** One policy-gradient step on a batch of episodes; returns the loss. */
    public double update(List<Episode> batch) {
        int total = batch.stream().mapToInt(e -> e.rewards().size()).sum();
        float[] obs = new float[total * obsSize];
        long[] acts = new long[total];
        double[] returns = new double[total];
        int t0 = 0;
        for (Episode e : batch) {
            int n = e.rewards().size();
            double g = 0;
            for (int t = n - 1; t >= 0; t--) {
                g = e.rewards().get(t) + gamma * g;
                returns[t0 + t] = g;
            }
            for (int t = 0; t < n; t++) {
                double[] o = e.observations().get(t);
                for (int i = 0; i < obsSize; i++) obs[(t0 + t) * obsSize + i] = (float) o[i];
                acts[t0 + t] = e.actions().get(t);
            }
            t0 += n;
        }
        // Standardized returns: a baseline that lowers the gradient's variance.
        double mean = 0, var = 0;
        for (double r : returns) mean += r;
        mean /= total;
        for (double r : returns) var += (r - mean) * (r - mean);
        double std = Math.sqrt(var / total) + 1e-8;
        float[] adv = new float[total];
        for (int t = 0; t < total; t++) adv[t] = (float) ((returns[t] - mean) / std);

        Tensor x = Tensor.of(obs, total, obsSize);
        Tensor h = x.matmul(params[0]).add(params[1]).relu();
        Tensor logp = h.matmul(params[2]).add(params[3]).logSoftmax(1);
        Tensor chosen = logp.gather(1, Tensor.of(acts, total, 1)).reshape(total);
        Tensor loss = chosen.mul(Tensor.of(adv, total)).sum().neg().div((double) batch.size());
        for (Tensor p : params) p.setGrad(null);
        loss.backward();
        step++;
        try (var ignored = Ember.noGrad()) {
            for (int i = 0; i < params.length; i++)
                Fused.adamStep(params[i], params[i].grad(), expAvg[i], expAvgSq[i], lr, 0.9, 0.999, 1e-8, 0, false, step);
        }
        refreshHost();
        return loss.item();
    }

    /** What {@link #train} did. */
    public record TrainingResult(int episodes, double last100Average, boolean solved) {}

    /**
     * Trains until the mean return of the last 100 training episodes reaches {@code target}
     * (gym's "solved" criterion) or {@code maxEpisodes} have been played.
     */
    public TrainingResult train(Environment env, int batchEpisodes, int maxEpisodes, double target) {
        List<Double> history = new ArrayList<>();
        while (history.size() < maxEpisodes) {
            List<Episode> batch = new ArrayList<>();
            for (int b = 0; b < batchEpisodes; b++) {
                Episode e = play(env, false);
                batch.add(e);
                history.add(e.totalReward());
            }
            double avg = lastAverage(history);
            if (history.size() >= 100 && avg >= target) return new TrainingResult(history.size(), avg, true);
            update(batch);
        }
        return new TrainingResult(history.size(), lastAverage(history), false);
    }

    private static double lastAverage(List<Double> h) {
        int from = Math.max(0, h.size() - 100);
        return h.subList(from, h.size()).stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    /** Mean return of {@code episodes} episodes played greedily (no learning). */
    public double evaluate(Environment env, int episodes, boolean greedy) {
        double s = 0;
        for (int i = 0; i < episodes; i++) s += play(env, greedy).totalReward();
        return s / episodes;
    }

    /** The parameters {W1 [obs, hidden], b1 [hidden], W2 [hidden, actions], b2 [actions]} (live tensors). */
    public List<Tensor> parameters() { return List.of(params); }

}
