package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The packed layouts, element by element, against their definition: A tile {@code t} holds
 * {@code A[t*MR + i][p]} at {@code t*MR*kc + p*MR + i} (zero past m), and B strip {@code s} holds
 * {@code B[p][s*NR + j]} at {@code s*NR*kc + p*w + j} (w the strip's kernel width, zero past n). Every operand
 * layout (row-major, column-major, general strides) with depths around multiples of the vector length, so that
 * the register interleaves and transposes meet their scalar remainders. Tagged "conformance" so it also runs with
 * 8-lane (AVX2) vectors.
 */
@Tag("conformance")
class GemmPackingTest {

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextDouble(-1, 1);
        return x;
    }

    @ParameterizedTest(name = "layout {0}, m={1}, kc={2}")
    @CsvSource({"row,1,1", "row,9,7", "row,9,16", "row,13,37", "row,8,8", "col,1,3", "col,9,17", "col,12,40",
            // column-major in groups of four tiles (one vector per column), with leftover columns, tiles and rows
            "col,16,4", "col,37,19", "col,64,128", "col,70,33", "strided,7,21"})
    void packedATilesHoldTheirRows(String layout, int m, int kc) {
        int MR = GemmKernels.MR, pad = 3;
        // row: A[i][p] at i * (kc + pad) + p; col: at i + p * (m + pad); strided: both strides above one.
        int ars = switch (layout) { case "row" -> kc + pad; case "col" -> 1; default -> 2; };
        int acs = switch (layout) { case "row" -> 1; case "col" -> m + pad; default -> 2 * m + 1; };
        int ao = 5;
        float[] a = random(ao + m * Math.max(ars, 1) + kc * acs + 64, m * 31L + kc);
        int tiles = (m + MR - 1) / MR;
        float[] ap = new float[tiles * MR * kc];
        java.util.Arrays.fill(ap, Float.NaN); // every element must be written
        GemmPacking.packA(a, ao, ars, acs, kc, m, 0, tiles, ap);
        for (int t = 0; t < tiles; t++)
            for (int p = 0; p < kc; p++)
                for (int i = 0; i < MR; i++) {
                    int row = t * MR + i;
                    float want = row < m ? a[ao + row * ars + p * acs] : 0f;
                    assertEquals(want, ap[t * MR * kc + p * MR + i], 0f, "A[" + row + "][" + p + "] in tile " + t);
                }
        // A range of tiles from an offset (how the threads pack their row blocks) holds the same floats.
        if (tiles > 2) {
            int t0 = 1, t1 = tiles - 1, apo = 7;
            float[] part = new float[apo + (t1 - t0) * MR * kc];
            GemmPacking.packA(a, ao, ars, acs, kc, m, t0, t1, part, apo);
            for (int q = 0; q < (t1 - t0) * MR * kc; q++)
                assertEquals(ap[t0 * MR * kc + q], part[apo + q], 0f, "tiles [" + t0 + ", " + t1 + ") at " + q);
        }
    }

    @ParameterizedTest(name = "layout {0}, n={1}, kc={2}")
    @CsvSource({"row,1,5", "row,70,9", "row,200,33", "trans,1,5", "trans,20,9", "trans,70,17", "trans,131,47", "trans,64,32",
            "trans,200,70", "strided,45,13"})
    void packedBStripsHoldTheirColumns(String layout, int n, int kc) {
        int NR = GemmKernels.NR, pad = 2, bo = 7;
        int brs = switch (layout) { case "row" -> n + pad; case "trans" -> 1; default -> 2 * n + 1; };
        int bcs = switch (layout) { case "row" -> 1; case "trans" -> kc + pad; default -> 2; };
        float[] b = random(bo + kc * Math.max(brs, 1) + n * bcs + 64, n * 17L + kc);
        int strips = (n + NR - 1) / NR;
        float[] bp = new float[strips * NR * kc];
        java.util.Arrays.fill(bp, Float.NaN);
        GemmPacking.packB(b, bo, brs, bcs, kc, n, 0, strips, bp, 0);
        for (int s = 0; s < strips; s++) {
            int nr = Math.min(NR, n - s * NR), w = GemmKernels.stripWidth(nr);
            for (int p = 0; p < kc; p++)
                for (int j = 0; j < w; j++) {
                    float want = j < nr ? b[bo + p * brs + (s * NR + j) * bcs] : 0f;
                    assertEquals(want, bp[s * NR * kc + p * w + j], 0f, "B[" + p + "][" + (s * NR + j) + "] in strip " + s);
                }
        }
    }
}
