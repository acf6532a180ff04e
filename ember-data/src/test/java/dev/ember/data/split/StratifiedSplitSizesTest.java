package dev.ember.data.split;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Stratified splits hit the documented part sizes exactly (the ratios times the count, rounded at
 * the cumulative boundaries) while every class stays within one example of its share of each part.
 */
class StratifiedSplitSizesTest {
    private static final List<double[]> RATIOS = List.of(new double[]{0.8, 0.1, 0.1}, new double[]{0.7, 0.15, 0.15},
            new double[]{0.6, 0.2, 0.2}, new double[]{1 / 3.0, 1 / 3.0, 1 / 3.0}, new double[]{0.5, 0.5}, new double[]{0.9, 0.1},
            new double[]{0.25, 0.25, 0.25, 0.25}, new double[]{0.05, 0.9, 0.05}, new double[]{0.45, 0.05, 0.3, 0.2});

    /** The sizes the class comment promises: cumulative decimal ratios times n, rounded half up, differenced. */
    private static int[] documentedSizes(int n, double[] ratios) {
        int[] sizes = new int[ratios.length];
        java.math.BigDecimal cumulative = java.math.BigDecimal.ZERO;
        long previous = 0;
        for (int p = 0; p < ratios.length; p++) {
            cumulative = cumulative.add(java.math.BigDecimal.valueOf(ratios[p]));
            long end = p == ratios.length - 1 ? n
                    : cumulative.multiply(java.math.BigDecimal.valueOf(n)).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
            sizes[p] = (int) (end - previous);
            previous = end;
        }
        return sizes;
    }

    /** Labels of {@code n} examples in {@code classes} classes: round-robin, skewed (about halving per class) or random. */
    private static int[] labels(int n, int classes, int shape, long seed) {
        int[] y = new int[n];
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            y[i] = switch (shape) {
                case 0 -> i % classes;
                case 1 -> Math.min(classes - 1, Integer.numberOfTrailingZeros(i + 1));
                default -> r.nextInt(classes);
            };
        }
        return y;
    }

    private static void checkSplit(int[] y, double[] ratios, long seed) {
        int n = y.length;
        int[] expected = documentedSizes(n, ratios);
        String what = "n=" + n + " ratios=" + Arrays.toString(ratios);
        if (Arrays.stream(expected).anyMatch(s -> s == 0)) {
            var e = assertThrows(IllegalArgumentException.class, () -> Splits.stratifiedIndices(y, ratios, seed), what);
            assertTrue(e.getMessage().contains("empty"), e.getMessage());
            return;
        }
        int[][] parts = Splits.stratifiedIndices(y, ratios, seed);
        assertEquals(ratios.length, parts.length);
        int[] sizes = Arrays.stream(parts).mapToInt(p -> p.length).toArray();
        assertArrayEquals(expected, sizes, "part sizes, " + what);

        int classes = Arrays.stream(y).max().getAsInt() + 1;
        int[] classCount = new int[classes];
        for (int label : y) classCount[label]++;
        boolean[] seen = new boolean[n];
        for (int p = 0; p < parts.length; p++) {
            int[] count = new int[classes];
            for (int i : parts[p]) {
                assertFalse(seen[i], "index " + i + " in two parts, " + what);
                seen[i] = true;
                count[y[i]]++;
            }
            for (int c = 0; c < classes; c++) {
                double share = classCount[c] * ratios[p];
                assertTrue(Math.abs(count[c] - share) < 1 + 1e-9,
                        "class " + c + " (" + classCount[c] + " examples) has " + count[c] + " in part " + p + ", share " + share + ", " + what);
            }
        }
        for (int i = 0; i < n; i++) assertTrue(seen[i], "index " + i + " in no part, " + what);
    }

    @Test
    void theReportedCaseComesOutExact() {
        // 80/10/10 of 1,003 examples in 7 classes gave 802/102/99 when each class was rounded on its own.
        for (int shape = 0; shape < 3; shape++) {
            int[] y = labels(1003, 7, shape, 11);
            int[][] parts = Splits.stratifiedIndices(y, Splits.DEFAULT_RATIOS, 42);
            assertArrayEquals(new int[]{802, 101, 100}, Arrays.stream(parts).mapToInt(p -> p.length).toArray(), "shape " + shape);
        }
    }

    @Test
    void totalsAreExactAndClassesBalancedOverManyCases() {
        int cases = 0;
        for (int n : new int[]{7, 10, 23, 37, 100, 101, 999, 1003, 4096})
            for (int classes : new int[]{1, 2, 3, 7, 10, 50})
                for (int shape = 0; shape < 3; shape++) {
                    if (classes > n) continue;
                    int[] y = labels(n, classes, shape, n * 31L + classes);
                    for (double[] ratios : RATIOS) {
                        checkSplit(y, ratios, n + classes + shape);
                        cases++;
                    }
                }
        assertTrue(cases > 800, "cases run: " + cases);
    }

    @Test
    void seededAndDeterministic() {
        int[] y = labels(500, 6, 2, 3);
        int[][] a = Splits.stratifiedIndices(y, Splits.DEFAULT_RATIOS, 5), b = Splits.stratifiedIndices(y, Splits.DEFAULT_RATIOS, 5);
        for (int p = 0; p < 3; p++) assertArrayEquals(a[p], b[p], "same seed, same part " + p);
        int[][] c = Splits.stratifiedIndices(y, Splits.DEFAULT_RATIOS, 6);
        assertFalse(Arrays.equals(a[1], c[1]), "another seed gives another validation part");
    }

    @Test
    void randomSplitsHaveTheSameSizes() {
        for (int n : new int[]{10, 101, 1003})
            for (double[] ratios : RATIOS) {
                int[] expected = documentedSizes(n, ratios);
                if (Arrays.stream(expected).anyMatch(s -> s == 0)) continue;
                int[][] parts = Splits.randomIndices(n, ratios, 1);
                assertArrayEquals(expected, Arrays.stream(parts).mapToInt(p -> p.length).toArray(), "n=" + n + " " + Arrays.toString(ratios));
            }
    }
}
