package dev.ember.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths from the page resolve inside the allowed roots or are refused. */
class PathGuardTest {
    @TempDir Path tmp;

    @Test
    void resolvesRelativeAndAbsolutePathsInsideARoot() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path file = Files.writeString(Files.createDirectories(root.resolve("sets")).resolve("a.csv"), "x,y\n1,0\n");
        PathGuard g = new PathGuard(List.of(root));
        assertEquals(file.toRealPath(), g.resolveExisting("data_path", "sets/a.csv"));
        assertEquals(file.toRealPath(), g.resolveExisting("data_path", file.toString()));
        assertEquals(file.toRealPath(), g.resolveExisting("data_path", root + "/sets/./a.csv"));
    }

    @Test
    void refusesTraversalAbsolutePathsOutsideAndLinksOut() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path outside = Files.writeString(tmp.resolve("secret.txt"), "no");
        Files.createSymbolicLink(root.resolve("link"), outside);
        Files.createSymbolicLink(root.resolve("dirlink"), tmp);
        PathGuard g = new PathGuard(List.of(root));
        for (String bad : List.of("../secret.txt", "sets/../../secret.txt", outside.toString(), "/etc/passwd", root + "/../secret.txt",
                "link", "dirlink/secret.txt")) {
            ApiError e = assertThrows(ApiError.class, () -> g.resolveExisting("data_path", bad), bad);
            assertEquals(403, e.status(), bad + ": " + e.getMessage());
        }
        assertEquals(404, assertThrows(ApiError.class, () -> g.resolveExisting("data_path", "missing.csv")).status());
        assertEquals(400, assertThrows(ApiError.class, () -> g.resolveExisting("data_path", "a\0b")).status());
        assertEquals(400, assertThrows(ApiError.class, () -> PathGuard.newFileIn(root, "name", "../x.csv")).status());
        assertEquals(400, assertThrows(ApiError.class, () -> PathGuard.newFileIn(root, "name", "a/b.csv")).status());
    }
}
