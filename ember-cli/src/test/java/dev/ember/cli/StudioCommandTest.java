package dev.ember.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./ember studio}: refuses a non-loopback bind without a token; {@code studio run} runs a saved arguments file. */
class StudioCommandTest {
    @TempDir Path tmp;

    @Test
    void refusesANonLoopbackBindWithoutAToken() {
        assertEquals(1, Main.run("studio", "--host", "0.0.0.0", "--runs-dir", tmp.resolve("runs").toString()));
    }

    @Test
    void runsASavedArgumentsFile() throws Exception {
        Path args = Files.writeString(tmp.resolve("tree.args.json"), "{\"preset\":\"tree\",\"dataset\":\"iris\",\"max_depth\":2,\"name\":\"from the cli\"}");
        Path runs = tmp.resolve("runs");
        assertEquals(0, Main.run("studio", "run", args.toString(), "--runs-dir", runs.toString()));
        List<Path> dirs;
        try (Stream<Path> s = Files.list(runs)) {
            dirs = s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        }
        assertEquals(1, dirs.size());
        String status = Files.readString(dirs.getFirst().resolve("status.json"));
        assertTrue(status.contains("\"finished\""), status);
        assertTrue(Files.exists(dirs.getFirst().resolve("model.json")));
    }
}
