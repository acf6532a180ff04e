package dev.ember.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line as a user meets it: every command takes {@code --help}, bad options are refused
 * in one line before any work, and a failure of any kind (an exception, an {@link OutOfMemoryError},
 * a diverging run) ends with one clear line and a non-zero exit code, never a stack trace.
 */
class MainTest {
    @TempDir
    Path dir;

    /** The embedded Fashion-MNIST subset's files, so that runs are small and need no download. */
    private static final String DATA = "../ember-data/src/main/resources/dev/ember/data/fashion-mnist";

    private record Result(int code, String out, String err) {
        List<String> errLines() { return err.lines().filter(l -> !l.isBlank()).toList(); }
    }

    private static Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertNoStackTrace(String text) {
        assertFalse(text.contains("\tat ") || text.contains("Exception in thread") || text.contains("Caused by:"), text);
    }

    @Test
    void everyCommandTakesHelp() {
        for (String cmd : new String[]{"demo", "train", "devices"}) {
            for (String flag : new String[]{"--help", "-h"}) {
                Result r = run(cmd, flag);
                assertEquals(0, r.code(), cmd + " " + flag + ": " + r.err());
                assertTrue(r.out().contains("Usage: ember " + cmd), r.out());
            }
        }
        Result train = run("train", "--help");
        for (String option : new String[]{"--resume", "--on-nonfinite", "--epochs", "--train-limit", "--debug"})
            assertTrue(train.out().contains(option), "train --help lists " + option + ":\n" + train.out());
        Result top = run("--help");
        assertEquals(0, top.code());
        assertTrue(top.out().contains("train") && top.out().contains("./ember test"), top.out());
    }

    @Test
    void badOptionsAreRefusedInOneLineBeforeAnyWork() {
        String missing = dir.resolve("no-such-file.safetensors").toString();
        String[][] cases = {
                {"--epochs", "-1"}, {"--epochs", "0"}, {"--train-limit", "-5"}, {"--lr", "NaN"}, {"--lr", "-0.1"}, {"--lr", "Infinity"},
                {"--batch-size", "0"}, {"--patience", "-1"}, {"--model", "rnn"}, {"--device", "tpu"}, {"--on-nonfinite", "maybe"},
                {"--resume", missing}, {"--data", dir.resolve("nowhere").toString()}, {"--epochs", "many"}};
        for (String[] bad : cases) {
            List<String> args = new ArrayList<>(List.of("train", "--model", "mlp", "--epochs", "1", "--train-limit", "64", "--data", DATA,
                    "--out", dir.resolve("out").toString()));
            args.addAll(List.of(bad));
            Result r = run(args.toArray(String[]::new));
            String what = String.join(" ", bad);
            assertEquals(2, r.code(), what + " -> " + r.err() + r.out());
            assertEquals(1, r.errLines().size(), what + ": one line\n" + r.err());
            assertTrue(r.err().startsWith("ember train: ") && r.err().contains(bad[0]), what + ": " + r.err());
            assertFalse(r.out().contains("data:"), what + ": no training started\n" + r.out());
            assertNoStackTrace(r.err());
        }
    }

    @Test
    void aFileThatFailsToLoadEndsInOneLine() throws Exception {
        Path data = Files.createDirectories(dir.resolve("broken"));
        for (String f : new String[]{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"})
            Files.writeString(data.resolve(f), "not an IDX file");
        Result r = run("train", "--model", "mlp", "--epochs", "1", "--data", data.toString(), "--out", dir.resolve("out").toString());
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("ember train: ") && r.err().contains("train-images-idx3-ubyte"), r.err());
        assertNoStackTrace(r.err());
    }

    /** A command that fails with whatever it is given, to test the top-level handling. */
    @Command(name = "boom")
    static final class Boom implements Runnable {
        private final Throwable failure;

        Boom(Throwable failure) { this.failure = failure; }

        @Override
        public void run() {
            if (failure instanceof Error e) throw e;
            throw (RuntimeException) failure;
        }
    }

    private static Result boom(Throwable failure, String... extra) {
        CommandLine cl = Main.commandLine();
        cl.addSubcommand("boom", new Boom(failure));
        var err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(List.of(extra));
        args.add("boom");
        int code = Main.execute(cl, args.toArray(String[]::new));
        return new Result(code, "", err.toString());
    }

    @Test
    void errorsAndExceptionsBecomeOneLineAndDebugShowsTheTrace() {
        Result oom = boom(new OutOfMemoryError("Java heap space"));
        assertEquals(1, oom.code());
        assertEquals(1, oom.errLines().size(), oom.err());
        assertTrue(oom.err().startsWith("ember boom: out of memory") && oom.err().contains("-Xmx"), oom.err());
        assertNoStackTrace(oom.err());

        Result wrapped = boom(new RuntimeException("batch 3 failed", new OutOfMemoryError("Java heap space")));
        assertTrue(wrapped.err().contains("out of memory"), "an OOM inside another exception is still named: " + wrapped.err());

        Result npe = boom(new NullPointerException());
        assertEquals(1, npe.code());
        assertEquals(1, npe.errLines().size(), npe.err());
        assertTrue(npe.err().contains("NullPointerException") && npe.err().contains("--debug"), npe.err());

        Result multi = boom(new IllegalArgumentException("first line\nsecond line"));
        assertEquals(1, multi.errLines().size(), multi.err());
        assertTrue(multi.err().contains("first line") && multi.err().contains("second line"), multi.err());

        Result soe = boom(new StackOverflowError());
        assertEquals(1, soe.code());
        assertEquals(1, soe.errLines().size(), soe.err());

        Result debug = boom(new OutOfMemoryError("Java heap space"), "--debug");
        assertEquals(1, debug.code());
        assertTrue(debug.err().contains("\tat "), "--debug prints the stack trace:\n" + debug.err());
    }

    private static List<JsonObject> strictRecords(Path log) throws Exception {
        List<JsonObject> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            JsonReader r = new JsonReader(new StringReader(line));
            r.setStrictness(Strictness.STRICT);
            out.add(JsonParser.parseReader(r).getAsJsonObject());
        }
        return out;
    }

    @Test
    void aDivergingRunStopsWithAMessageAndWritesNoModel() throws Exception {
        Path out = dir.resolve("diverged");
        // Adam steps of about 1e30 overflow float32 activations within a couple of steps
        Result r = run("train", "--model", "mlp", "--epochs", "2", "--train-limit", "256", "--batch-size", "64", "--lr", "1e30",
                "--data", DATA, "--out", out.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("step") && r.err().contains("--on-nonfinite"), r.err());
        assertNoStackTrace(r.err());
        assertFalse(Files.exists(out.resolve("model.safetensors")), "no model of NaN weights");
        List<JsonObject> records = strictRecords(out.resolve("run.jsonl"));
        assertEquals("stop", records.getLast().get("type").getAsString());
    }

    private static List<String> withoutTimings(List<JsonObject> records) {
        return records.stream().map(o -> {
            JsonObject c = o.deepCopy();
            c.remove("elapsed");
            c.remove("samples_per_sec");
            return c.toString();
        }).toList();
    }

    @Test
    void trainResumesFromACheckpoint() throws Exception {
        String[] common = {"--model", "mlp", "--train-limit", "192", "--batch-size", "64", "--data", DATA};
        Path full = dir.resolve("full"), parts = dir.resolve("parts");
        assertEquals(0, run(cat(new String[]{"train", "--epochs", "2", "--out", full.toString()}, common)).code());
        assertEquals(0, run(cat(new String[]{"train", "--epochs", "1", "--out", parts.toString()}, common)).code());
        Result resumed = run(cat(new String[]{"train", "--epochs", "2", "--out", parts.toString(),
                "--resume", parts.resolve("checkpoints/last.safetensors").toString()}, common));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resumed from"), resumed.out());
        assertEquals(withoutTimings(strictRecords(full.resolve("run.jsonl"))), withoutTimings(strictRecords(parts.resolve("run.jsonl"))),
                "the resumed run's log equals the uninterrupted run's");
    }

    private static String[] cat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aRealOutOfMemoryErrorEndsInOneLineAndExitCode1() throws Exception {
        // a separate JVM with a small heap, training the CNN on batches far too large for it
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        var pb = new ProcessBuilder(javaBin, "-Xmx48m", "--add-modules", "jdk.incubator.vector", "-cp", cp, "dev.ember.cli.Main",
                "train", "--model", "cnn", "--epochs", "1", "--batch-size", "2000", "--data", DATA, "--out", dir.resolve("oom").toString());
        pb.redirectErrorStream(false);
        Process p = pb.start();
        p.getOutputStream().close();
        var errBytes = new ByteArrayOutputStream();
        Thread drain = Thread.ofVirtual().start(() -> {
            try { p.getInputStream().transferTo(OutputStream.nullOutputStream()); } catch (IOException ignored) { /* process ended */ }
        });
        p.getErrorStream().transferTo(errBytes);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the JVM ended");
        drain.join();
        String err = errBytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, p.exitValue(), err);
        List<String> ours = err.lines().filter(l -> l.startsWith("ember")).toList();
        assertEquals(1, ours.size(), err);
        assertTrue(ours.getFirst().contains("out of memory") && ours.getFirst().contains("-Xmx"), err);
        assertNoStackTrace(err);
    }
}
