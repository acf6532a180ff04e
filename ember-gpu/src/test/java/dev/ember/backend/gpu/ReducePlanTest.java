package dev.ember.backend.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Launch shapes of the last-axis reductions. */
class ReducePlanTest {

    @Test
    void manyRowsOrShortRowsRunInOnePass() {
        assertEquals(new ReducePlan(1, 1000), ReducePlan.of(1_000_000, 1000, 132));
        assertEquals(new ReducePlan(1, 50_000), ReducePlan.of(1, 50_000, 132));
    }

    @Test
    void aFewLongRowsAreSplitIntoChunksThatCoverEachRow() {
        int r = 10_000_019; // prime: chunks cannot divide it evenly
        ReducePlan p = ReducePlan.of(1, r, 132);
        assertTrue(p.chunks() > 1 && p.chunks() <= 132 * 4, p.toString());
        assertTrue((long) p.chunks() * p.chunk() >= r && (long) (p.chunks() - 1) * p.chunk() < r, p.toString());
    }

    @Test
    void rowsPastTwoToTheThirtyOneSplitIntoLongChunks() {
        long r = (1L << 31) + 64;
        ReducePlan p = ReducePlan.of(1, r, 2);
        assertTrue(p.chunks() > 1 && p.chunks() <= 2 * 4 && (long) p.chunks() * p.chunk() >= r, p.toString());
        ReducePlan huge = ReducePlan.of(1, 1L << 40, 1);
        assertEquals(4, huge.chunks());
        assertEquals(1L << 38, huge.chunk(), "a piece may itself pass 2^31 elements");
        assertEquals(new ReducePlan(1, r), ReducePlan.of(1000, r, 2), "enough rows: one pass over each long row");
    }

    @Test
    void kernelsAndHostAgreeOnThreadsPerRow() {
        // kernels/reduce.c: tpr = chunk > 256 ? BLOCK_DIM : 32
        assertTrue(KernelSource.template("reduce.c").contains("idx_t tpr = chunk > 256 ? BLOCK_DIM : 32;"));
        assertEquals(32, ReducePlan.threadsPerRow(256, 256));
        assertEquals(256, ReducePlan.threadsPerRow(257, 256));
        assertEquals(1, ReducePlan.blocks(8, 32, 256, 132));   // 8 rows of 32 threads fill one 256-thread block
        assertEquals(132 * 32, ReducePlan.blocks(1L << 30, 256, 256, 132)); // grid-stride beyond the cap
    }
}
