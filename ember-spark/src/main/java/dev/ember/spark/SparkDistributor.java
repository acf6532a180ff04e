package dev.ember.spark;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Function1;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Runs an Ember command as N data-parallel ranks inside a Spark job, for sites whose machines are
 * Spark's, as PyTorch's {@code TorchDistributor} does for torchrun: one barrier stage of N tasks
 * (Spark schedules them together or not at all) is only the launcher and the rendezvous; the
 * training's collectives go through MPI, never through Spark (a barrier {@code allGather} costs
 * about a second).
 *
 * <p>Each task starts an {@link ExecServer} and publishes {@code host port token} with one
 * {@code allGather}. Task 0 writes a host file (one line per host, {@code slots} = its tasks) and
 * runs {@code mpirun} with {@link RshAgent} as the remote shell, so mpirun's daemons start inside
 * the other hosts' tasks without ssh (Horovod-on-Spark's scheme); the other tasks wait in a
 * second {@code allGather} for task 0's exit code, holding their executors' slots. The ranks are
 * JVMs started with the task JVM's java and the Ember jar from its class path.
 *
 * <pre>{@code
 * JavaSparkContext sc = ...;                    // Spark 4.1 or 4.2 (4.0 fails on JDK 25)
 * int rc = new SparkDistributor(sc, 4).run("train", "--model", "cnn", "--epochs", "5", "--out", "/shared/runs/cnn");
 * }</pre>
 */
public final class SparkDistributor {
    private final JavaSparkContext sc;
    private final int numProcesses;
    private String mpirun = "mpirun";
    private String rankHeap = "-Xmx1g";
    private boolean loopback;
    private final List<String> mpiArgs = new ArrayList<>();
    private PrintStream out = System.out;

    /** Launches {@code numProcesses} ranks, one per Spark task. */
    public SparkDistributor(JavaSparkContext sc, int numProcesses) {
        if (numProcesses < 1) throw new IllegalArgumentException("SparkDistributor: numProcesses must be >= 1, got " + numProcesses);
        this.sc = sc;
        this.numProcesses = numProcesses;
    }

    /** The mpirun on the executors (default: {@code mpirun} on their PATH). */
    public SparkDistributor mpirun(String path) { this.mpirun = path; return this; }

    /** Keeps MPI's traffic on {@code lo} (all tasks on one host, as with {@code local[N]}). */
    public SparkDistributor loopback(boolean on) { this.loopback = on; return this; }

    /** An extra mpirun argument (repeatable), e.g. {@code --mca btl_tcp_if_include eth0}. */
    public SparkDistributor mpiArg(String arg) { mpiArgs.add(arg); return this; }

    /** Heap flag of each rank's JVM (default {@code -Xmx1g}). */
    public SparkDistributor rankHeap(String xmx) { this.rankHeap = xmx; return this; }

    /** Where the job's output (task 0's mpirun) is printed on the driver (default System.out). */
    public SparkDistributor output(PrintStream out) { this.out = out; return this; }

    /** Runs {@code ./ember <emberArgs>} on every rank; returns mpirun's exit code (0: every rank succeeded). */
    public int run(String... emberArgs) {
        Stage stage = new Stage(numProcesses, mpirun, rankHeap, loopback, List.copyOf(mpiArgs), List.of(emberArgs));
        ClassTag<String> tag = ClassTag$.MODULE$.apply(String.class);
        Object collected = sc.parallelize(range(numProcesses), numProcesses).rdd().barrier().mapPartitions(stage, false, tag).collect();
        List<String> results = java.util.Arrays.asList((String[]) collected);
        String result = results.stream().filter(r -> r.startsWith("rc=")).findFirst()
                .orElseThrow(() -> new IllegalStateException("SparkDistributor: task 0 returned no result"));
        int nl = result.indexOf('\n');
        out.print(result.substring(nl + 1));
        return Integer.parseInt(result.substring(3, nl));
    }

    private static List<Integer> range(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(i);
        return l;
    }

    /** The function each barrier task runs (serialised to the executors). */
    private record Stage(int n, String mpirun, String rankHeap, boolean loopback, List<String> mpiArgs, List<String> emberArgs)
            implements Function1<Iterator<Integer>, Iterator<String>>, Serializable {
        @Override
        public Iterator<String> apply(Iterator<Integer> ignored) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            int task = ctx.partitionId();
            String address = ctx.getTaskInfos()[task].address();
            String host = address.substring(0, address.lastIndexOf(':'));
            try (ExecServer server = new ExecServer(InetAddress.getByName("0.0.0.0"))) {
                String[] peers = ctx.allGather(host + " " + server.port() + " " + server.token());
                String result = "";
                if (task == 0) {
                    ByteArrayOutputStream log = new ByteArrayOutputStream();
                    int rc = runMpi(peers, new TeeStream(log, System.out));
                    result = "rc=" + rc + "\n" + tail(log.toString(StandardCharsets.UTF_8), 200);
                }
                ctx.allGather(task == 0 ? result.substring(0, result.indexOf('\n')) : ""); // the others wait for the job here
                return JavaConverters.asScalaIterator(List.of(result).iterator());
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("SparkDistributor: task " + task + " on " + host + " failed: " + e, e);
            }
        }

        private int runMpi(String[] peers, OutputStream sink) throws IOException, InterruptedException {
            Map<String, Integer> slots = new LinkedHashMap<>();
            Map<String, String> servers = new LinkedHashMap<>();
            for (String p : peers) {
                String[] f = p.split(" ");
                slots.merge(f[0], 1, Integer::sum);
                servers.putIfAbsent(f[0], p);
            }
            Path dir = Files.createTempDirectory("ember-spark");
            Path hostfile = dir.resolve("hostfile"), agentHosts = dir.resolve("agent-hosts");
            List<String> hf = new ArrayList<>();
            slots.forEach((h, k) -> hf.add(h + " slots=" + k));
            Files.write(hostfile, hf);
            Files.write(agentHosts, servers.values());
            String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
            List<String> cmd = new ArrayList<>(List.of(mpirun, "-np", Integer.toString(n), "--hostfile", hostfile.toString(),
                    "--bind-to", "none", "--mca", "plm_rsh_agent",
                    java + " -cp " + codeSource(RshAgent.class) + " " + RshAgent.class.getName() + " " + agentHosts));
            if ("root".equals(System.getProperty("user.name"))) cmd.add("--allow-run-as-root");
            if (loopback) cmd.addAll(List.of("--mca", "btl", "self,vader,tcp", "--mca", "btl_tcp_if_include", "lo",
                    "--mca", "oob_tcp_if_include", "lo"));
            cmd.addAll(mpiArgs);
            cmd.addAll(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow", rankHeap, "-cp", rankClassPath(), "dev.ember.cli.Main"));
            cmd.addAll(emberArgs);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (InputStream in = p.getInputStream()) {
                in.transferTo(sink);
            }
            return p.waitFor();
        }

        /** Ember and its dependencies as this task JVM loaded them. */
        private static String rankClassPath() {
            LinkedHashSet<String> cp = new LinkedHashSet<>();
            for (Class<?> c : new Class<?>[]{dev.ember.Tensor.class, picocli.CommandLine.class, com.google.gson.Gson.class}) cp.add(codeSource(c));
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator))
                if (!e.isBlank()) cp.add(Path.of(e).toAbsolutePath().toString());
            return String.join(File.pathSeparator, cp);
        }

        private static String codeSource(Class<?> c) {
            try {
                return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            } catch (java.net.URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }

        private static String tail(String s, int lines) {
            String[] all = s.split("\n", -1);
            return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
        }
    }

    /** Writes to two streams (the kept log and the executor's stdout). */
    private static final class TeeStream extends OutputStream {
        private final OutputStream a, b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
