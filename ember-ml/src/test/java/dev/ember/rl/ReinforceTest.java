package dev.ember.rl;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** REINFORCE on Ember's autograd learns CartPole: mean return >= 195 over 100 episodes, seed fixed. */
class ReinforceTest {

    @Test
    void solvesCartPoleWithAFixedSeed() {
        Reinforce agent = new Reinforce(4, 2, 64, 1e-2, 0.99, 1);
        Reinforce.TrainingResult r = agent.train(new CartPole(1), 10, 3000, 195);
        assertTrue(r.solved(), "not solved in " + r.episodes() + " episodes, last-100 mean " + r.last100Average());
        assertTrue(r.last100Average() >= 195);
        // And on 100 fresh episodes, no learning, acting greedily (the sampled policy scores lower but
        // also above 195 in our runs; see docs/ml.md).
        double eval = agent.evaluate(new CartPole(1001), 100, true);
        assertTrue(eval >= 195, "evaluation mean return " + eval);
    }

    /** The REINFORCE surrogate {@code -Σ log π(a_t|s_t) Ĝ_t} in float64 on the host, returns standardized. */
    private static double surrogate(Reinforce agent, Reinforce.Episode e, double gamma) {
        int n = e.rewards().size();
        double[] g = new double[n];
        double run = 0, mean = 0, var = 0;
        for (int t = n - 1; t >= 0; t--) g[t] = run = e.rewards().get(t) + gamma * run;
        for (double v : g) mean += v;
        mean /= n;
        for (double v : g) var += (v - mean) * (v - mean);
        double std = Math.sqrt(var / n) + 1e-8, loss = 0;
        for (int t = 0; t < n; t++)
            loss -= Math.log(agent.probabilities(e.observations().get(t))[e.actions().get(t)]) * (g[t] - mean) / std;
        return loss;
    }

    @Test
    void updateComputesAndDescendsTheSurrogateLoss() {
        Reinforce agent = new Reinforce(4, 2, 8, 1e-3, 0.99, 7);
        Reinforce.Episode e = agent.play(new CartPole(7), false);
        double before = surrogate(agent, e, 0.99);
        double reported = agent.update(java.util.List.of(e));
        assertEquals(before, reported, 1e-4 * Math.max(1, Math.abs(before)), "autograd loss vs float64 host loss");
        double after = surrogate(agent, e, 0.99);
        assertTrue(after < before, "surrogate loss before " + before + " after " + after);
        for (var p : agent.parameters()) assertNotNull(p.grad());
    }
}
