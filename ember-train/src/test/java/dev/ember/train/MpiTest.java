package dev.ember.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real multi-process runs: {@code mpirun -np 2} starts two JVMs running {@link RankProgram}, which
 * talk through Open MPI (or MPICH) called by FFM. Tagged {@code mpi}
 * ({@code mvn test -Dgroups=mpi} runs only these); skipped with the reason when mpirun is absent.
 */
@Tag("mpi")
class MpiTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void needsMpirun() {
        assumeTrue(MpiLauncher.mpirun() != null, MpiLauncher.SKIP_REASON);
    }

    private static MpiLauncher.Result mpirun(int np, Map<String, String> env, double timeout, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(MpiLauncher.mpirunCommand(np, env));
        cmd.addAll(MpiLauncher.javaCommand(args));
        return MpiLauncher.run(cmd, env, timeout);
    }

    @Test
    void collectivesGiveTheSameResultsOnBothRanks() throws Exception {
        Path out = dir.resolve("coll");
        var r = mpirun(2, Map.of(), 120, "collectives", out.toString());
        assertEquals(0, r.exitCode(), r.output());
        for (int rank = 0; rank < 2; rank++) {
            String line = Files.readString(dir.resolve("coll." + rank)).strip();
            assertTrue(line.startsWith("ok rank " + rank + " of 2 mpi ("), line);
        }
    }

    @Test
    void twoRanksTrainTheDemoMlpAsOneProcessWithTheSameGlobalBatch() throws Exception {
        int steps = 50, globalBatch = 32;
        Path single = dir.resolve("single.txt"), ddp = dir.resolve("ddp.txt");
        var one = MpiLauncher.run(MpiLauncher.javaCommand("mlp", "" + steps, "" + globalBatch, single.toString()), Map.of(), 300);
        assertEquals(0, one.exitCode(), one.output());
        var two = mpirun(2, Map.of(), 300, "mlp", "" + steps, "" + globalBatch, ddp.toString());
        assertEquals(0, two.exitCode(), two.output());
        List<String> a = Files.readAllLines(single), b = Files.readAllLines(ddp);
        assertEquals(steps, a.size());
        assertEquals(steps, b.size());
        for (int i = 0; i < steps; i++) {
            double x = Double.parseDouble(a.get(i)), y = Double.parseDouble(b.get(i));
            assertEquals(x, y, 1e-5 * Math.abs(x), "step " + i + ": one process " + x + ", two ranks " + y);
        }
        double first = Double.parseDouble(a.get(0)), last = Double.parseDouble(a.get(steps - 1));
        assertTrue(last < 0.7 * first, "training makes progress: " + first + " -> " + last);
    }

    @Test
    void aKilledRankEndsTheJobWithAMessageNamingIt() throws Exception {
        // The collective timeout is far away (600 s), so the job ending at all shows that mpirun ended it
        // when the rank died; the test itself gives up (exit code -1) after 300 s.
        var r = mpirun(2, Map.of("EMBER_DIST_TIMEOUT", "600"), 300, "mlp", "40", "32", dir.resolve("x").toString(), "die-at", "5");
        assertNotEquals(-1, r.exitCode(), "the job hung and was killed by the test: " + r.output());
        assertNotEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("process rank 1") && r.output().contains("signal 9 (Killed)"), r.output());
        assertTrue(!r.output().contains("did not finish within"), "ended by mpirun, not by the collective timeout: " + r.output());
    }

    @Test
    void aJobRestartedFromItsLastCheckpointAfterARankDiedRepeatsTheUninterruptedRun() throws Exception {
        Path whole = dir.resolve("whole"), broken = dir.resolve("broken");
        var a = mpirun(2, Map.of(), 300, "trainer", "2", whole.toString());
        assertEquals(0, a.exitCode(), a.output());
        // 1,024 images in global batches of 64: 16 steps per epoch; rank 1 dies in the second epoch
        var b = mpirun(2, Map.of(), 300, "trainer", "2", broken.toString(), "die-at", "20");
        assertNotEquals(0, b.exitCode(), b.output());
        assertTrue(Files.exists(broken.resolve("checkpoints/last.safetensors")), "epoch 1 was checkpointed: " + b.output());
        var c = mpirun(2, Map.of(), 300, "trainer", "2", broken.toString(), "resume");
        assertEquals(0, c.exitCode(), c.output());
        List<String> want = Files.readAllLines(whole.resolve("epochs.txt")), got = Files.readAllLines(broken.resolve("epochs.txt"));
        assertEquals(2, want.size());
        assertEquals(1, got.size(), "the resumed run trained epoch 2 only");
        assertEquals(want.get(1), got.get(0), "epoch 2: the same train loss, validation loss and accuracy, to the last bit");
    }

    @Test
    void aStalledRankMakesTheOthersTimeOutWithAClearMessage() throws Exception {
        // Rank 1 stops for good at step 5, so some collective of rank 0 must time out. (On a very loaded
        // machine an earlier one may time out first, on either rank: the same behaviour, so accepted.)
        var r = mpirun(2, Map.of("EMBER_DIST_TIMEOUT", "10"), 300, "mlp", "40", "32", dir.resolve("x").toString(), "stall-at", "5");
        assertNotEquals(-1, r.exitCode(), "the job hung and was killed by the test: " + r.output());
        assertNotEquals(0, r.exitCode(), r.output());
        assertTrue(java.util.regex.Pattern.compile("rank [01]: \\w+( of \\d+ \\w+)?( from rank \\d)? on rank [01] of 2 did not finish within 10 s: "
                + "another rank has died or stopped").matcher(r.output()).find(), r.output());
    }
}
