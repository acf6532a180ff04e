package dev.ember.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The mpirun command line that {@code ./ember launch} builds (nothing is started here). */
class LaunchCommandTest {

    private static LaunchCommand parse(String... args) {
        LaunchCommand c = new LaunchCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void rootOnOneHostGetsOpenMpisFlagsAndEachRankRunsTheCommandAfterTheDashes() {
        Map<String, String> env = new LinkedHashMap<>();
        List<String> cmd = parse("-np", "2", "--loopback", "--", "train", "--model", "mlp").command(true, true, env);
        assertEquals(List.of("mpirun", "-np", "2", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none"), cmd.subList(0, 7));
        String line = String.join(" ", cmd);
        assertTrue(line.contains("--mca btl_tcp_if_include lo --mca oob_tcp_if_include lo"), line);
        assertTrue(line.endsWith("dev.ember.cli.Main train --model mlp"), line);
        assertTrue(line.contains(" -cp /"), "absolute class path, the same on every host: " + line);
        assertTrue(env.containsKey("EMBER_NUM_THREADS") && cmd.contains("-x"), "ranks share the host's cores: " + env);
    }

    @Test
    void aHostfileRunNeitherOversubscribesNorRunsAsRootUnasked() {
        List<String> cmd = parse("-np", "4", "--hostfile", "/etc/hostname", "--", "train").command(true, false, new LinkedHashMap<>());
        assertTrue(cmd.contains("--hostfile"));
        assertFalse(cmd.contains("--oversubscribe"));
        assertFalse(cmd.contains("--allow-run-as-root"));
    }

    @Test
    void mpichGetsHydrasFlags() {
        Map<String, String> env = new LinkedHashMap<>();
        List<String> cmd = parse("-np", "2", "--hostfile", "/etc/hostname", "--", "train").command(false, true, env);
        assertTrue(cmd.contains("-f"));
        assertFalse(cmd.contains("--allow-run-as-root"), "an Open MPI flag");
    }

    @Test
    void withoutACommandOrWithABadCountItFailsClearly() {
        assertNotEquals(0, Main.run("launch", "-np", "2"));
        assertNotEquals(0, Main.run("launch", "-np", "0", "--dry-run", "--", "train"));
        assertEquals(0, Main.run("launch", "-np", "2", "--dry-run", "--", "train"));
    }
}
