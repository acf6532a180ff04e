package dev.ember.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark 4.2 job in {@code local[2]}: a barrier stage of 2 tasks starts 2 Ember ranks under
 * mpirun, which train the MLP data-parallel on the embedded Fashion-MNIST subset.
 */
class SparkDistributorTest {
    @TempDir
    Path dir;

    private static boolean onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            if (Files.isExecutable(Path.of(d, exe))) return true;
        return false;
    }

    @Test
    void twoBarrierTasksTrainTwoRanks() {
        assumeTrue(onPath("mpirun"), "mpirun is not on PATH (apt-get install openmpi-bin libopenmpi-dev)");
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("ember-spark-test").set("spark.ui.enabled", "false");
        var log = new ByteArrayOutputStream();
        int rc;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            rc = new SparkDistributor(sc, 2).loopback(true).rankHeap("-Xmx512m")
                    .output(new PrintStream(log, true, StandardCharsets.UTF_8))
                    .run("train", "--model", "mlp", "--epochs", "1", "--batch-size", "64", "--train-limit", "512", "--device", "cpu",
                            "--out", dir.toString());
        }
        String out = log.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.contains("distributed: 2 ranks over mpi"), out);
        assertTrue(out.contains("test accuracy:"), out);
        assertTrue(Files.exists(dir.resolve("model.safetensors")) && Files.exists(dir.resolve("run.jsonl")), out);
    }
}
