package dev.ember.llm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.data.Batch;
import dev.ember.llm.chat.EncodedChat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shifted, masked targets and packing against rows written out by hand. */
class SftDatasetTest {
    static EncodedChat chat(int[] ids, boolean... assistant) { return new EncodedChat(ids, assistant); }

    static final int X = -100;

    // A: 5 tokens, the last 2 assistant. B: 3 tokens, the last 1 assistant. C: 4 tokens, the last 2 assistant.
    static final EncodedChat A = chat(new int[]{10, 11, 12, 13, 14}, false, false, false, true, true);
    static final EncodedChat B = chat(new int[]{20, 21, 22}, false, false, true);
    static final EncodedChat C = chat(new int[]{30, 31, 32, 33}, false, false, true, true);

    static long[] row(Batch b, int r, int c) { return b.inputs().select(0, r).select(0, c).toLongArray(); }

    @Test
    void unpackedRowsShiftTargetsAndMaskPrompts() {
        SftDataset d = SftDataset.of(List.of(A, B), 6, false);
        assertEquals(2, d.size());
        Batch b = d.getBatch(new int[]{0, 1});
        assertArrayEquals(new long[]{10, 11, 12, 13, 0, 0}, row(b, 0, 0));
        assertArrayEquals(new long[]{0, 1, 2, 3, 0, 0}, row(b, 0, 1));
        assertArrayEquals(new long[]{1, 1, 1, 1, 0, 0}, row(b, 0, 2));
        // input t predicts token t + 1: targets 13 (at input 12) and 14 (at input 13) are assistant tokens
        assertArrayEquals(new long[]{X, X, 13, 14, X, X}, b.targets().select(0, 0).toLongArray());
        assertArrayEquals(new long[]{X, 22, X, X, X, X}, b.targets().select(0, 1).toLongArray());
        assertEquals(new SftDataset.Stats(2, 0, 0, 2, 3, 6), d.stats());
    }

    @Test
    void packingFillsRowsFirstFitDecreasingWithSegmentsAndRestartingPositions() {
        // lengths as pieces: A 4, C 3, B 2; rows of 6: A then B (4 + 2), C alone
        SftDataset d = SftDataset.of(List.of(A, B, C), 6, true);
        assertEquals(2, d.size());
        Batch b = d.getBatch(new int[]{0, 1});
        assertArrayEquals(new long[]{10, 11, 12, 13, 20, 21}, row(b, 0, 0));
        assertArrayEquals(new long[]{0, 1, 2, 3, 0, 1}, row(b, 0, 1));
        assertArrayEquals(new long[]{1, 1, 1, 1, 2, 2}, row(b, 0, 2));
        assertArrayEquals(new long[]{X, X, 13, 14, X, 22}, b.targets().select(0, 0).toLongArray());
        assertArrayEquals(new long[]{30, 31, 32, 0, 0, 0}, row(b, 1, 0));
        assertArrayEquals(new long[]{1, 1, 1, 0, 0, 0}, row(b, 1, 2));
        assertArrayEquals(new long[]{X, 32, 33, X, X, X}, b.targets().select(0, 1).toLongArray());
        assertEquals(9.0 / 12, d.stats().fill(6), 1e-12);
    }

    @Test
    void longExamplesAreCutAndTargetlessOnesDropped() {
        EncodedChat promptOnly = chat(new int[]{1, 2, 3}, false, false, false);
        EncodedChat cutAway = chat(new int[]{1, 2, 3, 4, 5}, false, false, false, false, true); // its answer is past the cut
        SftDataset d = SftDataset.of(List.of(A, promptOnly, cutAway), 3, false);
        // A cut to 4 tokens: inputs 10 11 12, targets X X 13
        assertEquals(1, d.size());
        Batch b = d.getBatch(new int[]{0});
        assertArrayEquals(new long[]{10, 11, 12}, row(b, 0, 0));
        assertArrayEquals(new long[]{X, X, 13}, b.targets().select(0, 0).toLongArray());
        assertEquals(new SftDataset.Stats(3, 2, 2, 1, 1, 3), d.stats());
    }
}
