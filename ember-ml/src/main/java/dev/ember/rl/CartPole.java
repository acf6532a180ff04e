package dev.ember.rl;

import java.util.SplittableRandom;

/**
 * The cart-pole balancing task with the classic dynamics (Barto, Sutton and Anderson, 1983) and
 * the constants, Euler integration and termination of Gymnasium's {@code CartPole-v1}: observation
 * {@code [x, ẋ, θ, θ̇]}, actions 0 (push left) and 1 (push right), reward 1 per step including
 * the last, episode over when {@code |x| > 2.4}, {@code |θ| > 12°} or after 500 steps.
 */
public final class CartPole implements Environment {
    private static final double GRAVITY = 9.8, MASS_CART = 1.0, MASS_POLE = 0.1, TOTAL_MASS = MASS_CART + MASS_POLE;
    private static final double LENGTH = 0.5, POLE_MASS_LENGTH = MASS_POLE * LENGTH, FORCE = 10.0, TAU = 0.02;
    private static final double THETA_LIMIT = 12 * 2 * Math.PI / 360, X_LIMIT = 2.4;
    /** Gymnasium's time limit for v1. */
    public static final int MAX_STEPS = 500;

    private final SplittableRandom random;
    private double x, xDot, theta, thetaDot;
    private int steps;
    private boolean done = true;

    /** A cart-pole whose initial states come from {@code seed}. */
    public CartPole(long seed) { this.random = new SplittableRandom(seed); }

    @Override
    public double[] reset() {
        x = uniform();
        xDot = uniform();
        theta = uniform();
        thetaDot = uniform();
        steps = 0;
        done = false;
        return observation();
    }

    private double uniform() { return -0.05 + 0.1 * random.nextDouble(); }

    private double[] observation() { return new double[]{x, xDot, theta, thetaDot}; }

    @Override
    public Step step(int action) {
        if (action != 0 && action != 1) throw new IllegalArgumentException("CartPole.step: action must be 0 or 1, got " + action);
        if (done) throw new IllegalStateException("CartPole.step: the episode is over; call reset()");
        double force = action == 1 ? FORCE : -FORCE;
        double cos = Math.cos(theta), sin = Math.sin(theta);
        double temp = (force + POLE_MASS_LENGTH * thetaDot * thetaDot * sin) / TOTAL_MASS;
        double thetaAcc = (GRAVITY * sin - cos * temp) / (LENGTH * (4.0 / 3.0 - MASS_POLE * cos * cos / TOTAL_MASS));
        double xAcc = temp - POLE_MASS_LENGTH * thetaAcc * cos / TOTAL_MASS;
        x += TAU * xDot;
        xDot += TAU * xAcc;
        theta += TAU * thetaDot;
        thetaDot += TAU * thetaAcc;
        steps++;
        done = x < -X_LIMIT || x > X_LIMIT || theta < -THETA_LIMIT || theta > THETA_LIMIT || steps >= MAX_STEPS;
        return new Step(observation(), 1.0, done);
    }

    @Override
    public int observationSize() { return 4; }

    @Override
    public int actionCount() { return 2; }
}
