package dev.ember.train;

import java.io.PrintStream;

/**
 * One epoch's progress: on a terminal a bar redrawn in place
 * ({@code epoch 3/10 [=====>    ] 230/469  1850 samples/s  loss 0.3121  ETA 0:12}); otherwise
 * (output piped or logged) a plain line at every tenth of the epoch.
 */
public final class ProgressBar {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final int total;
    private int lastDecile = -1;

    /** A {@code ProgressBar} with the given {@code out}, {@code terminal}, {@code label}, {@code totalSteps}. */
    public ProgressBar(PrintStream out, boolean terminal, String label, int totalSteps) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
        this.total = totalSteps;
    }

    /** Whether standard output is an interactive terminal. */
    public static boolean isTerminal() { return System.console() != null && System.console().isTerminal(); }

    /** Shows step {@code done} of the epoch with the running loss and throughput. */
    public void update(int done, double loss, double samplesPerSecond, double secondsSoFar) {
        String line = line(done, loss, samplesPerSecond, secondsSoFar);
        if (terminal) {
            out.print("\r" + line);
            out.flush();
        } else {
            int decile = total == 0 ? 10 : done * 10 / total;
            if (decile > lastDecile && (decile < 10 || done == total)) {
                lastDecile = decile;
                if (done > 0) out.println(line);
            }
        }
    }

    /** Ends the epoch's line with the validation summary. */
    public void finish(String summary) {
        if (terminal) out.println();
        out.println(summary);
    }

    String line(int done, double loss, double samplesPerSecond, double secondsSoFar) {
        int filled = total == 0 ? WIDTH : done * WIDTH / total;
        StringBuilder bar = new StringBuilder("[");
        for (int i = 0; i < WIDTH; i++) bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
        bar.append(']');
        double eta = done == 0 ? 0 : secondsSoFar / done * (total - done);
        return String.format("%s %s %d/%d  %.0f samples/s  loss %.4f  ETA %s", label, bar, done, total, samplesPerSecond, loss, clock(eta));
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }
}
