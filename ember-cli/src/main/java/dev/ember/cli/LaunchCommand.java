package dev.ember.cli;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./ember launch -np N [--hostfile F] -- train ...}: runs an Ember command as N ranks under
 * {@code mpirun}, each a JVM with this JVM's flags and class path; they find each other through
 * MPI ({@code dev.ember.distributed.ProcessGroups#init}). Open MPI's flags for running as root
 * ({@code --allow-run-as-root}) and for one host ({@code --oversubscribe}) are added when they
 * apply; {@code --loopback} keeps all traffic on {@code lo}. A rank that dies ends the job: mpirun
 * kills the others and names the rank and the signal, and this command exits with its code.
 */
@Command(name = "launch", description = {"Run an Ember command as N data-parallel ranks under mpirun (Open MPI or MPICH).",
        "Example: ./ember launch -np 2 -- train --model mlp --epochs 2",
        "Two hosts: ./ember launch -np 4 --hostfile hosts -- train --model cnn (hosts: 'node1 slots=2' lines;",
        "Ember and the data at the same paths on every host, passwordless ssh from this one)."})
public final class LaunchCommand implements Callable<Integer> {
    @Option(names = {"-np", "-n"}, required = true, description = "Number of ranks (processes).")
    int np;

    @Option(names = "--hostfile", description = "Open MPI/MPICH host file: one host per line, with 'slots=K' (default: this host only).")
    Path hostfile;

    @Option(names = "--loopback", description = "Keep MPI's traffic on the loopback interface (one host without a network, containers).")
    boolean loopback;

    @Option(names = "--mpirun", description = "The mpirun to use (default: mpirun on PATH).", defaultValue = "mpirun")
    String mpirun;

    @Option(names = "--mpi-arg", description = "An extra argument for mpirun (repeatable), e.g. --mpi-arg=--mca --mpi-arg=btl_tcp_if_include --mpi-arg=eth0.")
    List<String> mpiArgs = new ArrayList<>();

    @Option(names = "--dry-run", description = "Print the mpirun command instead of running it.")
    boolean dryRun;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The Ember command each rank runs, after '--', e.g. -- train --model mlp.")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        if (np < 1) throw new IllegalArgumentException("launch: -np must be at least 1, got " + np);
        if (hostfile != null && !Files.isReadable(hostfile)) throw new IllegalArgumentException("launch: cannot read the host file " + hostfile);
        Map<String, String> env = new LinkedHashMap<>();
        List<String> cmd = command(openMpi(), isRoot(), env);
        if (dryRun) {
            env.forEach((k, v) -> System.out.print(k + "=" + v + " "));
            System.out.println(String.join(" ", cmd));
            return 0;
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("launch: cannot run '" + mpirun + "' (" + e.getMessage()
                    + "); install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev) or pass --mpirun PATH");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy)); // Ctrl-C here ends the job too
        int rc = p.waitFor();
        if (rc != 0) System.err.println("ember launch: the job failed (mpirun exit code " + rc + "); mpirun's message above names the rank and the cause");
        return rc;
    }

    /** The mpirun command line; fills {@code env} with the variables the ranks need. */
    List<String> command(boolean openMpi, boolean root, Map<String, String> env) {
        List<String> cmd = new ArrayList<>(List.of(mpirun, "-np", Integer.toString(np)));
        if (hostfile != null) cmd.addAll(List.of(openMpi ? "--hostfile" : "-f", hostfile.toAbsolutePath().toString()));
        if (openMpi) {
            if (root) cmd.add("--allow-run-as-root");
            if (hostfile == null) cmd.add("--oversubscribe"); // more ranks than cores is allowed on one host
            cmd.addAll(List.of("--bind-to", "none")); // a JVM has many threads: do not pin it to one core
            if (loopback) cmd.addAll(List.of("--mca", "btl", "self,vader,tcp", "--mca", "btl_tcp_if_include", "lo",
                    "--mca", "oob_tcp_if_include", "lo"));
        }
        cmd.addAll(mpiArgs);
        // Ranks on one host share its cores: give each its part, unless the user chose.
        String threads = System.getenv("EMBER_NUM_THREADS");
        if (threads == null && hostfile == null)
            threads = Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors() / np));
        if (threads != null) env.put("EMBER_NUM_THREADS", threads);
        System.getenv().forEach((k, v) -> { if (k.startsWith("EMBER_") && !env.containsKey(k)) env.put(k, v); });
        if (openMpi) for (String k : env.keySet()) cmd.addAll(List.of("-x", k));
        else if (!env.isEmpty()) cmd.addAll(List.of("-genvlist", String.join(",", env.keySet())));
        cmd.addAll(rankCommand());
        return cmd;
    }

    /** This JVM again (same java, flags and class path) running the Ember CLI with {@link #command}. */
    private List<String> rankCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments())
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent")) cmd.add(a);
        List<String> cp = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) cp.add(Path.of(e).toAbsolutePath().toString());
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, cp), Main.class.getName()));
        cmd.addAll(command);
        return cmd;
    }

    /** Whether {@link #mpirun} is Open MPI's (MPICH's Hydra takes other flags). */
    private boolean openMpi() {
        try {
            Process p = new ProcessBuilder(mpirun, "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return v.contains("Open MPI") || v.contains("OpenRTE");
        } catch (Exception e) {
            return true; // the start in call() reports a missing mpirun with advice
        }
    }

    private static boolean isRoot() { return "root".equals(System.getProperty("user.name")); }
}
