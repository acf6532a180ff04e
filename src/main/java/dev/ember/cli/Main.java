package dev.ember.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Ember's command line: {@code ./ember <command>}. */
@Command(name = "ember", mixinStandardHelpOptions = true, version = "Ember " + dev.ember.Ember.VERSION,
        description = "Tensor engine and deep-learning library for Java.",
        subcommands = {DemoCommand.class, TrainCommand.class, DevicesCommand.class, LaunchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (for tests). */
    public static int run(String... args) {
        return new CommandLine(new Main()).setExecutionExceptionHandler((ex, cl, parsed) -> {
            cl.getErr().println("ember: " + ex.getMessage());
            if (System.getenv("EMBER_DEBUG") != null) ex.printStackTrace(cl.getErr());
            return 1;
        }).execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
