package dev.ember.rl;

/**
 * Trains {@link Reinforce} on {@link CartPole} with a fixed seed and prints the result:
 * {@code java ... dev.ember.rl.CartPoleReinforce [seed]}.
 */
public final class CartPoleReinforce {
    private CartPoleReinforce() {}

    /** Entry point; the optional argument is the seed (default 1). */
    public static void main(String[] args) {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 1;
        long t0 = System.nanoTime();
        Reinforce agent = new Reinforce(4, 2, 64, 1e-2, 0.99, seed);
        Reinforce.TrainingResult r = agent.train(new CartPole(seed), 10, 5000, 195);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double sampled = agent.evaluate(new CartPole(seed + 1000), 100, false);
        double greedy = agent.evaluate(new CartPole(seed + 2000), 100, true);
        System.out.printf("seed %d: %s after %d episodes (last-100 training mean %.1f) in %.1f s%n",
                seed, r.solved() ? "solved" : "NOT solved", r.episodes(), r.last100Average(), seconds);
        System.out.printf("evaluation over 100 new episodes: sampled policy %.1f, greedy policy %.1f%n", sampled, greedy);
    }
}
