package dev.ember.studio;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.studio.runs.ProcessTree;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Abort ends a run's whole process tree, grandchildren included. */
class ProcessTreeTest {
    @Test
    void killsAProcessAndItsDescendants() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "sleep 300 & sleep 300 & wait").start();
        List<ProcessHandle> kids = List.of();
        for (int i = 0; i < 50 && kids.size() < 2; i++) {
            Thread.sleep(100);
            kids = p.toHandle().descendants().toList();
        }
        assertTrue(kids.size() >= 2, "the shell should have started two sleeps, found " + kids);
        assertTrue(ProcessTree.kill(p.pid(), Duration.ofSeconds(3)));
        assertFalse(p.isAlive());
        for (ProcessHandle k : kids) assertFalse(k.isAlive(), "grandchild " + k.pid() + " survived");
    }
}
