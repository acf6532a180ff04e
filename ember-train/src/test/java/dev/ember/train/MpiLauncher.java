package dev.ember.train;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts {@link RankProgram} under {@code mpirun} (or alone) as child JVMs, for the MPI tests. */
final class MpiLauncher {
    private MpiLauncher() {}

    /** What a run printed and how it ended; {@code seconds} is wall time, {@code exitCode} -1 when it was killed for hanging. */
    record Result(int exitCode, String output, double seconds) {}

    /** The mpirun on PATH, or null. */
    static String mpirun() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "mpirun");
            if (Files.isExecutable(p)) return p.toString();
        }
        return null;
    }

    static final String SKIP_REASON = "mpirun is not on PATH: install Open MPI (apt-get install openmpi-bin libopenmpi-dev) "
            + "to run the multi-process tests; .ci/run installs it";

    /** The JVM command that runs {@link RankProgram} with {@code args}. */
    static List<String> javaCommand(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Xmx384m", "-XX:+UseSerialGC", "-XX:ActiveProcessorCount=1"));
        cmd.add("-cp");
        cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        cmd.add(RankProgram.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@code mpirun -np N} with the flags a root user on one host needs (shared memory between ranks, loopback only). */
    static List<String> mpirunCommand(int np, Map<String, String> env) {
        List<String> cmd = new ArrayList<>(List.of(mpirun(), "-np", Integer.toString(np), "--oversubscribe",
                "--mca", "btl", "self,vader", "--mca", "oob_tcp_if_include", "lo", "--bind-to", "none"));
        if ("root".equals(System.getProperty("user.name"))) cmd.add(1, "--allow-run-as-root");
        for (String k : env.keySet()) cmd.addAll(List.of("-x", k));
        return cmd;
    }

    /** Runs {@code command}, killing it (and its children) if it takes longer than {@code timeoutSeconds}. */
    static Result run(List<String> command, Map<String, String> env, double timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path log = Files.createTempFile("ember-mpi", ".log");
        pb.redirectOutput(log.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        boolean done = p.waitFor((long) (timeoutSeconds * 1000), TimeUnit.MILLISECONDS);
        double secs = (System.nanoTime() - t0) / 1e9;
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        return new Result(done ? p.exitValue() : -1, out, secs);
    }
}
