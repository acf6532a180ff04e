package dev.ember.rl;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** CartPole follows Gymnasium's CartPole-v1 equations and termination rules. */
class CartPoleTest {

    @Test
    void oneStepMatchesTheClassicEquations() {
        CartPole env = new CartPole(3);
        double[] s = env.reset();
        for (double v : s) assertTrue(Math.abs(v) <= 0.05);
        Environment.Step step = env.step(1);
        // Gymnasium's cartpole.py, written out in float64 for this state and a push to the right.
        double x = s[0], xd = s[1], th = s[2], thd = s[3];
        double temp = (10.0 + 0.05 * thd * thd * Math.sin(th)) / 1.1;
        double thacc = (9.8 * Math.sin(th) - Math.cos(th) * temp) / (0.5 * (4.0 / 3.0 - 0.1 * Math.cos(th) * Math.cos(th) / 1.1));
        double xacc = temp - 0.05 * thacc * Math.cos(th) / 1.1;
        assertArrayEquals(new double[]{x + 0.02 * xd, xd + 0.02 * xacc, th + 0.02 * thd, thd + 0.02 * thacc}, step.observation(), 1e-15);
        assertEquals(1.0, step.reward());
        assertFalse(step.done());
    }

    @Test
    void pushingOneWayTopplesThePoleQuickly() {
        CartPole env = new CartPole(5);
        env.reset();
        int steps = 0;
        Environment.Step s;
        do { s = env.step(1); steps++; } while (!s.done());
        assertTrue(Math.abs(s.observation()[2]) > 12 * 2 * Math.PI / 360, "ends by the angle limit");
        assertTrue(steps > 5 && steps < 20, "steps " + steps);
        assertThrows(IllegalStateException.class, () -> env.step(0));
        assertThrows(IllegalArgumentException.class, () -> new CartPole(1).step(2));
    }

    @Test
    void randomPolicyLastsAboutTwentyTwoSteps() {
        // A known property of CartPole: uniformly random actions survive ~22 steps on average.
        CartPole env = new CartPole(11);
        SplittableRandom r = new SplittableRandom(12);
        int episodes = 2000;
        long total = 0;
        for (int e = 0; e < episodes; e++) {
            env.reset();
            while (true) {
                total++;
                if (env.step(r.nextInt(2)).done()) break;
            }
        }
        double mean = (double) total / episodes;
        assertTrue(mean > 19 && mean < 26, "mean episode length " + mean);
    }
}
