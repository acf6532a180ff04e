package dev.ember.rl;

/** An episodic environment with a discrete action space and a real-valued observation vector. */
public interface Environment {
    /** What one action did: the next observation, the reward received and whether the episode ended. */
    record Step(double[] observation, double reward, boolean done) {}

    /** Starts a new episode; returns the first observation {@code [observationSize]}. */
    double[] reset();

    /** Applies {@code action} in {@code 0..actionCount-1}. */
    Step step(int action);

    /** Length of an observation. */
    int observationSize();

    /** Number of discrete actions. */
    int actionCount();
}
