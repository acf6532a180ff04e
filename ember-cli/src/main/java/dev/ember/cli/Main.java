package dev.ember.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Ember's command line: {@code ./ember <command>}. Every command takes {@code --help}. A bad option is
 * refused in one line (exit code 2); any failure while a command runs, an {@link Error} such as
 * {@link OutOfMemoryError} included, ends in one line that says what failed and what to try (exit
 * code 1). {@code --debug} or the environment variable {@code EMBER_DEBUG} adds the stack trace.
 */
@Command(name = "ember", mixinStandardHelpOptions = true, version = "Ember " + dev.ember.Ember.VERSION,
        description = "Tensor engine and deep-learning library for Java.",
        subcommands = {DemoCommand.class, TrainCommand.class, GenerateCommand.class, TuneCommand.class, ChatCommand.class, EvaluateCommand.class,
                ExportCommand.class, ServeCommand.class, DevicesCommand.class, StudioCommand.class, LaunchCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "The launcher also runs: ./ember test [maven args] (the test suite) and ./ember bench [filter] (JMH benchmarks).",
                "Exit codes: 0 done, 1 failed, 2 bad options. Set EMBER_DEBUG=1 or pass --debug to see stack traces."})
public final class Main implements Runnable {
    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print the full stack trace when a command fails (also EMBER_DEBUG=1).")
    boolean debug;

    public static void main(String[] args) {
        boolean debug = debugRequested(args);
        // a failure on another thread (a data worker, a cleaner) also ends in one line, not a stack trace
        Thread.setDefaultUncaughtExceptionHandler((thread, ex) -> {
            System.err.println(FailureMessage.describe("ember", ex, debug) + " (in thread " + thread.getName() + ")");
            if (debug) ex.printStackTrace();
        });
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (for tests). */
    public static int run(String... args) { return execute(commandLine(), args); }

    /** The command tree, before any handler is installed. */
    static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /**
     * Runs {@code args} on {@code cl} with Ember's handling of failures: parameter errors in one line with
     * exit code 2; exceptions and errors while running in one line with exit code 1; stack traces only
     * with {@code --debug} or {@code EMBER_DEBUG}.
     */
    static int execute(CommandLine cl, String... args) {
        boolean debug = debugRequested(args);
        cl.setParameterExceptionHandler((ex, rest) -> {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println(prefix(cmd) + ": " + FailureMessage.oneLine(ex.getMessage()) + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
            if (debug) ex.printStackTrace(err);
            err.flush();
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> report(cmd, ex, debug));
        try {
            return cl.execute(args);
        } catch (Throwable t) { // picocli passes Errors (OutOfMemoryError, StackOverflowError, ...) through its handlers
            return report(commandRun(cl), t, debug);
        }
    }

    /** The (sub)command that the arguments selected, for the prefix of its messages. */
    private static CommandLine commandRun(CommandLine cl) {
        CommandLine.ParseResult parsed = cl.getParseResult();
        if (parsed == null) return cl;
        while (parsed.hasSubcommand()) parsed = parsed.subcommand();
        return parsed.commandSpec().commandLine();
    }

    private static int report(CommandLine cmd, Throwable t, boolean debug) {
        PrintWriter err = cmd.getErr();
        err.println(FailureMessage.describe(prefix(cmd), t, debug));
        if (debug) t.printStackTrace(err);
        err.flush();
        return 1;
    }

    /** {@code ember train} for the train command, {@code ember} for the top level. */
    private static String prefix(CommandLine cmd) { return cmd.getCommandSpec().qualifiedName(); }

    private static boolean debugRequested(String[] args) {
        String env = System.getenv("EMBER_DEBUG");
        if (env != null && !env.isEmpty() && !env.equals("0")) return true;
        int end = Arrays.asList(args).indexOf("--");
        return Arrays.asList(args).subList(0, end < 0 ? args.length : end).contains("--debug");
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
