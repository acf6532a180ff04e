package dev.ember.llm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Q:/A: records of fortune files, the bundled set and Debian's file, and the seeded 90/10 split. */
class RiddlesTest {
    static final String TEXT = """
            TITLE LINE
            A:\tThe answer first.
            Q:\tWhat came
            \tsecond?
            %
            Q:\tNo answer here?
            %
            Knock, knock!
            \tWho's there?
            %
            Q:\tOne?
            A:\tA1, spread
            \t\tover  two lines.

            Q:\tTwo?
            A:\tA2.
            %
            """;

    @Test
    void parsesPairsInEitherOrderWithContinuationsAndSeveralPerRecord() {
        assertEquals(List.of(new Riddle("What came second?", "The answer first."), new Riddle("One?", "A1, spread over two lines."),
                new Riddle("Two?", "A2.")), Riddles.parse(TEXT));
    }

    @Test
    void bundledSetIsReadFromTheResource() {
        Riddles r = Riddles.bundled();
        assertEquals(40, r.riddles().size());
        assertEquals(new Riddle("What has keys but can't open locks?", "A piano."), r.riddles().getFirst());
        assertTrue(r.source().contains("bundled"), r.source());
    }

    @Test
    void debianRiddlesWhenInstalled() {
        if (!Files.isRegularFile(Riddles.DEBIAN)) return; // the bundled set stands in (bundledSetIsReadFromTheResource)
        Riddles r = Riddles.find(null);
        assertTrue(r.source().startsWith(Riddles.DEBIAN.toString()), r.source());
        assertTrue(r.riddles().size() > 100, "riddles: " + r.riddles().size());
        assertTrue(r.riddles().contains(new Riddle("How do you stop an elephant from charging?", "Take away his credit cards.")));
    }

    @Test
    void splitIsNinetyTenSeededAndDisjoint() {
        Riddles r = Riddles.bundled();
        Riddles.Split s = r.split(0.9, 7);
        assertEquals(36, s.train().size());
        assertEquals(4, s.heldOut().size());
        var all = new HashSet<>(s.train());
        all.addAll(s.heldOut());
        assertEquals(new HashSet<>(r.riddles()), all);
        assertEquals(s, r.split(0.9, 7));
        assertNotEquals(s.heldOut(), r.split(0.9, 8).heldOut());
        assertThrows(IllegalArgumentException.class, () -> r.split(1.0, 0));
    }

    @Test
    void fileWithoutRiddlesIsAnErrorNamingIt(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("jokes");
        Files.writeString(f, "Knock knock\n%\nQ:\tno answer\n%\n");
        var e = assertThrows(IllegalArgumentException.class, () -> Riddles.find(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Riddles.find(dir.resolve("missing")));
    }
}
