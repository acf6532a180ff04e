package dev.ember.bench;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks and prints one table with each result's mean time (with JMH's error),
 * the median and range of its iterations, and its throughput (from the mean) in GFLOP/s or GB/s. Usage:
 * {@code BenchMain [regex] [--threads 1,2] [--quick] [--param name=v1,v2] [--jvm-args "FLAGS"] [--json FILE]}; the thread
 * counts default to {@code EMBER_NUM_THREADS} when set, else 1 and 2. {@code --jvm-args} puts flags before each fork's
 * own (for example {@code -XX:UseAVX=2}, which runs the 8-lane kernels on an AVX-512 machine).
 */
public final class BenchMain {
    private BenchMain() {}

    /** One measured row: what ran, its mean time, error and derived throughput. */
    public record Row(String benchmark, Map<String, String> params, double msPerOp, double errorMs, double medianMs, double minMs,
                      double maxMs, double throughput, String unit) {}

    /** Entry point; see the class comment for arguments. */
    public static void main(String[] args) throws RunnerException, IOException {
        String filter = ".*";
        String env = System.getenv("EMBER_NUM_THREADS");
        String threads = env != null && !env.isBlank() ? env.trim() : "1,2";
        boolean quick = false;
        Path json = null;
        Map<String, String[]> params = new LinkedHashMap<>();
        String jvmArgs = "";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = args[++i];
                case "--quick" -> quick = true;
                case "--json" -> json = Path.of(args[++i]);
                case "--jvm-args" -> jvmArgs = args[++i].trim();
                case "--param" -> {
                    String[] kv = args[++i].split("=", 2);
                    params.put(kv[0], kv[1].split(","));
                }
                case "-h", "--help" -> {
                    System.out.println("usage: BenchMain [regex] [--threads 1,2] [--quick] [--param name=v1,v2] [--jvm-args FLAGS]"
                            + " [--json FILE]");
                    return;
                }
                default -> filter = args[i];
            }
        }
        ChainedOptionsBuilder opt = new OptionsBuilder().include(filter).param("threads", threads.split(","));
        params.forEach(opt::param);
        // Prepended: the benchmarks' own @Fork(jvmArgsAppend) flags stay.
        if (!jvmArgs.isEmpty()) opt.jvmArgsPrepend(jvmArgs.split("\\s+"));
        // Quick shortens the measurement only: the benchmarks' own warm-up (3 x 1 s) stays, because 2 x 0.4 s left the
        // JIT compiling a training step's kernels into the measured time (the MLP step at 7.2 ms against 0.93 warm,
        // 2026-12-06, Zen 5, 2 vCPUs).
        if (quick) opt.measurementIterations(5).measurementTime(TimeValue.milliseconds(300));
        Collection<RunResult> results = new Runner(opt.build()).run();
        List<Row> rows = new ArrayList<>();
        for (RunResult r : results) rows.add(row(r));
        print(rows);
        if (json != null) {
            Files.writeString(json, new GsonBuilder().setPrettyPrinting().create().toJson(rows));
            System.out.println("wrote " + json);
        }
    }

    private static Row row(RunResult r) {
        String full = r.getParams().getBenchmark();
        String name = full.substring(full.lastIndexOf('.', full.lastIndexOf('.') - 1) + 1);
        Map<String, String> params = new LinkedHashMap<>();
        for (String key : r.getParams().getParamsKeys()) params.put(key, r.getParams().getParam(key));
        var score = r.getPrimaryResult();
        double ms = toMillis(score.getScore(), score.getScoreUnit());
        double err = Double.isNaN(score.getScoreError()) ? 0 : toMillis(score.getScoreError(), score.getScoreUnit());
        var st = score.getStatistics();
        double median = toMillis(st.getPercentile(50), score.getScoreUnit());
        Work w = Work.of(name, params);
        return new Row(name, params, ms, err, median, toMillis(st.getMin(), score.getScoreUnit()), toMillis(st.getMax(), score.getScoreUnit()),
                w.amount() / (ms * 1e-3) / 1e9, w.unit());
    }

    private static double toMillis(double v, String unit) {
        return switch (unit.substring(0, unit.indexOf('/'))) {
            case "ns" -> v * 1e-6;
            case "us" -> v * 1e-3;
            case "ms" -> v;
            case "s" -> v * 1e3;
            default -> throw new IllegalStateException("BenchMain: unexpected JMH unit " + unit);
        };
    }

    private static void print(List<Row> rows) {
        System.out.println();
        System.out.printf(Locale.ROOT, "%-28s %-36s %11s %10s %11s %21s %12s%n", "benchmark", "params", "ms/op", "+-", "median", "range", "throughput");
        for (Row r : rows) {
            StringBuilder p = new StringBuilder();
            r.params().forEach((k, v) -> p.append(p.isEmpty() ? "" : " ").append(k).append('=').append(v));
            System.out.printf(Locale.ROOT, "%-28s %-36s %11.4f %10.4f %11.4f %10.4f-%-10.4f %8.1f %s%n", r.benchmark(), p, r.msPerOp(),
                    r.errorMs(), r.medianMs(), r.minMs(), r.maxMs(), r.throughput(), r.unit());
        }
    }

    /** Work of one call: an amount in FLOP or bytes, shown per second as GFLOP/s or GB/s. */
    record Work(double amount, String unit) {
        static Work of(String benchmark, Map<String, String> p) {
            String cls = benchmark.substring(0, benchmark.indexOf('.'));
            String method = benchmark.substring(benchmark.indexOf('.') + 1);
            return switch (cls) {
                case "GemmBench", "HalfGemmBench" -> new Work(GemmBench.Shape.parse(p.get("shape")).flop(), "GFLOP/s");
                case "ElementwiseBench" -> new Work(ElementwiseBench.bytes(p.get("op"), Long.parseLong(p.get("size"))), "GB/s");
                case "ReductionBench" -> new Work(ReductionBench.bytes(p.get("op"), Long.parseLong(p.get("size"))), "GB/s");
                case "ConvBench" -> {
                    ConvBench.Layer l = ConvBench.Layer.of(p.get("layer"));
                    yield new Work(method.equals("forward") ? l.forwardFlop() : l.forwardBackwardFlop(), "GFLOP/s");
                }
                case "TrainStepBench" -> new Work(TrainStepBench.flop(p.get("model")), "GFLOP/s");
                case "AllocatingBench" -> new Work(ElementwiseBench.bytes(p.get("op"), Long.parseLong(p.get("size"))), "GB/s");
                case "StorageBench" -> p.get("op").equals("gemm") ? new Work(StorageBench.GEMM_FLOP, "GFLOP/s")
                        : new Work(StorageBench.bytes(p.get("op"), Long.parseLong(p.get("size"))), "GB/s");
                default -> throw new IllegalStateException("BenchMain: no work model for " + benchmark);
            };
        }
    }
}
